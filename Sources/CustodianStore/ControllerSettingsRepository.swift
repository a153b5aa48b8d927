import CustodianDatabase
import Foundation
import PostgresNIO

/// The controller's settings the database itself needs: the time zone whose days the dashboard's rollups count in.
public struct ControllerSettingsRepository: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Records the controller's time zone (`CUSTODIAN_TIME_ZONE`), by its IANA name.
    public func record(timeZone: TimeZone) async throws {
        try await database.query("UPDATE controller_settings SET time_zone = \(timeZone.identifier) WHERE time_zone <> \(timeZone.identifier)")
    }
}
