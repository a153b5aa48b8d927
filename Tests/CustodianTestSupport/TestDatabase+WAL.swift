import CustodianStore
import Foundation
import PostgresNIO

/// The test server's WAL, kept while a test reads it.
extension TestDatabase {
    /// Runs `body` while a physical replication slot keeps every WAL segment from now on (no checkpoint removes or
    /// recycles them), giving it the name of the first segment; the slot is dropped afterwards.
    public static func withWALRetained<Result: Sendable>(_ body: @Sendable (String) async throws -> Result) async throws -> Result {
        let slot = "test_wal_\(UInt32.random(in: 0...UInt32.max))"
        let first = try await onMaintenanceDatabase { database in
            try await database.query("""
                SELECT pg_walfile_name(lsn) FROM pg_create_physical_replication_slot(\(slot), true)
                """).collect().first?.decode(String.self)
        }
        guard let first else { throw TestDatabaseError("could not create the replication slot \(slot)") }
        return try await withCleanup({ try await body(first) }, cleanup: { try await administer("SELECT pg_drop_replication_slot('\(slot)')") })
    }

    /// The name of the WAL segment being written now (after switching to a new one, so the last is complete).
    public static func currentWALSegment() async throws -> String {
        try await onMaintenanceDatabase { database in
            try await database.query("SELECT pg_walfile_name(pg_switch_wal())").collect().first?.decode(String.self) ?? ""
        }
    }
}
