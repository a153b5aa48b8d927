import CustodianCore
import CustodianDatabase
import Foundation
import Logging
import PostgresNIO

/// A destruction record as stored: the facts of one depersonalisation and, for those written since acts exist, the
/// act (RKN Order No. 179 of 28 Oct 2022).
public struct DestructionRecord: Sendable, Equatable {
    public let id: UUID
    /// The subject, by its internal id only.
    public let subjectID: UUID
    public let requestID: UUID?
    public let grounds: DestructionGrounds
    public let regime: RequestRegime
    public let dataCategories: [String]
    public let tables: [String]
    /// The recipients asked to erase their copies.
    public let recipients: [String]
    public let ordersDepersonalised: Int
    public let consentsWithdrawn: Int
    public let jobsCancelled: Int
    public let apiKeyID: UUID?
    public let userID: UUID?
    public let destroyedAt: Date
    /// The act's statements; nil for a record written before acts existed.
    public let act: DestructionActRecord?
    /// The request id the destruction's audit rows carry (its log extract); nil before acts existed.
    let auditRequestID: String?
}

/// What a destruction act states beyond the facts, as of the day it was written.
public struct DestructionActRecord: Sendable, Equatable {
    public let operatorName: String?
    public let operatorAddress: String?
    public let processor: String?
    public let informationSystem: String
    public let method: String
    public let reason: String
    /// `user`, `api_key` or `responsible_person`.
    public let performedByKind: String
    public let performedByName: String?
    public let performedByPosition: String?
    /// For the automatic sweep: the rule that fired.
    public let rule: String?
}

/// An act with its extract from the event log: the audit rows the destruction wrote.
public struct DestructionActWithExtract: Sendable {
    public let record: DestructionRecord
    public let logExtract: [AuditEvent]
}

/// Reads destruction records and their acts, and prunes them once kept ``DestructionAct/retentionYears``.
public struct DestructionActRepository: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    static let columns = """
        id, subject_id, request_id, grounds, regime, data_categories, tables, recipients, orders_depersonalised, consents_withdrawn,
        jobs_cancelled, api_key_id, user_id, destroyed_at, operator_name, operator_address, processor, information_system, method, reason,
        performed_by_kind, performed_by_name, performed_by_position, rule, audit_request_id
        """

    /// Records destroyed on the controller's days `from` through `to` (either open), oldest first (newest first with
    /// `newestFirst`), after the record `afterID` (the last of the previous page; a pruned one ends the listing).
    public func list(
        from: CalendarDate?, to: CalendarDate?, afterID: UUID?, limit: Int, newestFirst: Bool = false
    ) async throws -> [DestructionRecord] {
        let (after, order) = newestFirst ? ("<", "DESC") : (">", "ASC")
        return try await Self.decode(database.query("""
            SELECT \(unescaped: Self.columns) FROM destruction_records
            WHERE (\(from?.description)::date IS NULL
                   OR destroyed_at >= (\(from?.description)::date::timestamp AT TIME ZONE (SELECT time_zone FROM controller_settings)))
              AND (\(to?.description)::date IS NULL
                   OR destroyed_at < ((\(to?.description)::date + 1)::timestamp AT TIME ZONE (SELECT time_zone FROM controller_settings)))
              AND (\(afterID)::uuid IS NULL
                   OR (destroyed_at, id) \(unescaped: after) (SELECT destroyed_at, id FROM destruction_records WHERE id = \(afterID)))
            ORDER BY destroyed_at \(unescaped: order), id \(unescaped: order)
            LIMIT \(limit)
            """))
    }

    /// One act with its log extract, read as one snapshot; nil when there is none.
    public func read(id: UUID) async throws -> DestructionActWithExtract? {
        try await database.transaction { connection in
            let logger = database.logger
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger: logger)
            guard let record = try await Self.decode(connection.query(
                "SELECT \(unescaped: Self.columns) FROM destruction_records WHERE id = \(id)", logger: logger)).first else { return nil }
            let extract = try await AuditRepository.decodeEvents(connection.query("""
                SELECT \(unescaped: AuditRepository.eventColumns) FROM audit_log
                WHERE subject_id = \(record.subjectID) AND request_id = \(record.auditRequestID)
                ORDER BY id
                """, logger: logger))
            return DestructionActWithExtract(record: record, logExtract: extract)
        }
    }

    /// The record of a subject request's erasure, on the caller's connection.
    static func record(ofRequest requestID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> DestructionRecord? {
        try await decode(connection.query(
            "SELECT \(unescaped: columns) FROM destruction_records WHERE request_id = \(requestID)", logger: logger)).first
    }

    /// Deletes the acts destroyed more than ``DestructionAct/retentionYears`` years before `now`; returns how many.
    @discardableResult
    public static func prune(now: Date, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        try await connection.query("""
            WITH pruned AS (
                DELETE FROM destruction_records
                WHERE destroyed_at < \(now)::timestamptz - make_interval(years => \(Int32(DestructionAct.retentionYears)))
                RETURNING 1
            )
            SELECT count(*)::int FROM pruned
            """, logger: logger).decode(Int.self).first(where: { _ in true }) ?? 0
    }

    static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [DestructionRecord] {
        var records: [DestructionRecord] = []
        for try await row in rows {
            let (id, subjectID, requestID, grounds, regime, categories, tables, recipients, orders, consents, jobs, key, user, at)
                = try row.decode((UUID, UUID, UUID?, String, String, [String], [String], [String], Int32, Int32, Int32, UUID?, UUID?, Date).self)
            guard let grounds = DestructionGrounds(rawValue: grounds), let regime = RequestRegime(rawValue: regime) else {
                throw StoreError.unexpectedValue(column: "destruction_records")
            }
            let cells = row.makeRandomAccess()
            let (operatorName, operatorAddress, processor, system, method, reason, kind, name, position, rule) = (
                try cells[14].decode(String?.self), try cells[15].decode(String?.self), try cells[16].decode(String?.self),
                try cells[17].decode(String?.self), try cells[18].decode(String?.self), try cells[19].decode(String?.self),
                try cells[20].decode(String?.self), try cells[21].decode(String?.self), try cells[22].decode(String?.self),
                try cells[23].decode(String?.self))
            let auditRequestID = try cells[24].decode(String?.self)
            var act: DestructionActRecord?
            if let system, let method, let reason, let kind {
                act = DestructionActRecord(
                    operatorName: operatorName, operatorAddress: operatorAddress, processor: processor, informationSystem: system,
                    method: method, reason: reason, performedByKind: kind, performedByName: name, performedByPosition: position, rule: rule)
            }
            records.append(DestructionRecord(
                id: id, subjectID: subjectID, requestID: requestID, grounds: grounds, regime: regime, dataCategories: categories, tables: tables,
                recipients: recipients, ordersDepersonalised: Int(orders), consentsWithdrawn: Int(consents), jobsCancelled: Int(jobs),
                apiKeyID: key, userID: user, destroyedAt: at, act: act, auditRequestID: auditRequestID))
        }
        return records
    }
}
