import CustodianCore
import CustodianDatabase
import Foundation
import PostgresNIO

/// The controller's settings the database itself needs: the time zone whose days the dashboard's rollups count in, and
/// the operator's identity its destruction acts copy.
public struct ControllerSettingsRepository: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Records the operator's identity (`CUSTODIAN_CONTROLLER_*`), which every destruction act written from now on
    /// copies.
    public func record(operator identity: OperatorIdentity) async throws {
        try await database.query("""
            UPDATE controller_settings SET operator_name = \(identity.name), operator_address = \(identity.address),
                responsible_name = \(identity.responsibleName), responsible_position = \(identity.responsiblePosition),
                processor = \(identity.processor)
            """)
    }

    /// Records the controller's time zone (`CUSTODIAN_TIME_ZONE`), by its IANA name. When it changed, the rollups
    /// counted by day and week are recounted in the new zone, in the same transaction. Returns whether it changed.
    @discardableResult
    public func record(timeZone: TimeZone) async throws -> Bool {
        try await database.transaction { connection in
            let logger = database.logger
            let changed = try await connection.query("""
                UPDATE controller_settings SET time_zone = \(timeZone.identifier) WHERE time_zone <> \(timeZone.identifier) RETURNING 1
                """, logger: logger).decode(Int.self).first(where: { _ in true }) != nil
            guard changed else { return false }
            try await connection.query("TRUNCATE consent_daily, transfer_weekly", logger: logger)
            try await connection.query("""
                INSERT INTO consent_daily (day, purpose_code, action, shard, count)
                SELECT controller_day(occurred_at), purpose_code, action, 0, count(*) FROM consent_events GROUP BY 1, 2, 3
                """, logger: logger)
            try await connection.query("""
                INSERT INTO transfer_weekly (week, recipient_id, shard, count)
                SELECT date_trunc('week', controller_day(transferred_at))::date, recipient_id, 0, count(*) FROM transfers GROUP BY 1, 2
                """, logger: logger)
            return true
        }
    }
}
