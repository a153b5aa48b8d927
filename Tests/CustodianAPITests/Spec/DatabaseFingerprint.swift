import CustodianStore
import PostgresNIO

/// The row count and newest row version of every table in the schema: equal fingerprints mean no row was
/// inserted, updated or deleted in between (an update writes a row version with a new `xmin`).
enum DatabaseFingerprint {
    static func take(_ database: Database) async throws -> [String: String] {
        let tables = try await database.query("""
            SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY tablename
            """).collect().map { try $0.decode(String.self) }
        let parts = tables.map { table in
            "SELECT '\(table)', count(*)::text || ':' || coalesce(max(xmin::text::bigint), 0)::text FROM \"\(table)\""
        }
        let rows = try await database.query(PostgresQuery(unsafeSQL: parts.joined(separator: " UNION ALL "))).collect()
        return try Dictionary(uniqueKeysWithValues: rows.map { try $0.decode((String, String).self) })
    }
}
