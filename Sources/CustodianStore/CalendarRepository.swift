import CustodianCore
import CustodianDatabase
import Foundation
import PostgresNIO

/// One exception of the production calendar.
public struct CalendarDayRecord: Sendable, Equatable {
    public let day: CalendarDate
    public let kind: CalendarDayKind
    public let note: String
    public let updatedAt: Date
}

/// The production calendar in `calendar_days`: read whole for deadline arithmetic, listed by year and edited by the
/// DPO (each change audited).
public struct CalendarRepository: Sendable {
    let database: Database

    public static let setAction = "calendar_day.set"
    public static let deleteAction = "calendar_day.delete"

    public init(database: Database) {
        self.database = database
    }

    /// Every exception, as the calendar deadlines count in.
    public func workingCalendar() async throws -> WorkingCalendar {
        var nonWorking: Set<CalendarDate> = []
        var working: Set<CalendarDate> = []
        for record in try await Self.decode(database.query("SELECT day::text, kind, note, updated_at FROM calendar_days")) {
            if record.kind == .working { working.insert(record.day) } else { nonWorking.insert(record.day) }
        }
        return WorkingCalendar(nonWorkingDays: nonWorking, workingWeekendDays: working)
    }

    /// The exceptions of one year, in date order.
    public func days(year: Int) async throws -> [CalendarDayRecord] {
        try await Self.decode(database.query("""
            SELECT day::text, kind, note, updated_at FROM calendar_days
            WHERE day >= make_date(\(Int32(year)), 1, 1) AND day < make_date(\(Int32(year + 1)), 1, 1)
            ORDER BY day
            """))
    }

    /// Adds or replaces the entry for `day`. The caller has checked that `kind` applies to the day.
    public func set(day: CalendarDate, kind: CalendarDayKind, note: String, actor: AuditActor) async throws -> CalendarDayRecord {
        try await database.transaction { connection in
            let rows = try await connection.query("""
                INSERT INTO calendar_days (day, kind, note) VALUES (\(day.description)::date, \(kind.rawValue), \(note))
                ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, note = EXCLUDED.note, updated_at = now()
                RETURNING day::text, kind, note, updated_at
                """, logger: database.logger)
            guard let record = try await Self.decode(rows).first else { throw StoreError.unexpectedlyEmpty }
            try await AuditRepository.append(action: Self.setAction, subjectID: nil, actor: actor, on: connection, logger: database.logger)
            return record
        }
    }

    /// Removes the entry for `day` (it becomes an ordinary day again); false when there was none.
    public func remove(day: CalendarDate, actor: AuditActor) async throws -> Bool {
        try await database.transaction { connection in
            let rows = try await connection.query(
                "DELETE FROM calendar_days WHERE day = \(day.description)::date RETURNING day", logger: database.logger)
            guard try await rows.collect().count == 1 else { return false }
            try await AuditRepository.append(action: Self.deleteAction, subjectID: nil, actor: actor, on: connection, logger: database.logger)
            return true
        }
    }

    static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [CalendarDayRecord] {
        var records: [CalendarDayRecord] = []
        for try await (day, kind, note, updatedAt) in rows.decode((String, String, String, Date).self) {
            guard let date = CalendarDate(iso: day), let kind = CalendarDayKind(rawValue: kind) else { throw StoreError.unexpectedValue(column: "calendar_days") }
            records.append(CalendarDayRecord(day: date, kind: kind, note: note, updatedAt: updatedAt))
        }
        return records
    }
}
