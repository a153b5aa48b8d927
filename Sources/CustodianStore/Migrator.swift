import CustodianDatabase
import Logging
import PostgresNIO

/// Applies `Migrations/*.sql` in version order, each in its own transaction, and records each with its checksum in
/// `schema_migrations`. A session advisory lock serialises concurrent migrators, so two processes starting at once
/// are safe and the second finds nothing to do.
public struct Migrator: Sendable {
    let database: Database
    let logger: Logger

    /// An arbitrary constant identifying Custodian's migration lock among the database's advisory locks.
    static let advisoryLockKey: Int64 = 0x6375_7374_6f64_6e01

    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Why migrating was refused; nothing was applied.
    public enum Refusal: Error, CustomStringConvertible, Equatable {
        case changedAfterApplying(version: Int, name: String)
        case appliedButMissing(version: Int)

        public var description: String {
            switch self {
            case .changedAfterApplying(let version, let name):
                "migration \(version) (\(name)) was changed after it was applied; add a new migration instead"
            case .appliedButMissing(let version):
                "migration \(version) is applied in the database but missing from the migrations folder"
            }
        }
    }

    /// Applies the pending files and returns them; an empty result means the database was up to date.
    @discardableResult
    public func migrate(_ files: [MigrationFile]) async throws -> [MigrationFile] {
        try await database.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))", logger: logger)
            do {
                let applied = try await applyPending(files, on: connection)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                throw error
            }
        }
    }

    private func applyPending(_ files: [MigrationFile], on connection: PostgresConnection) async throws -> [MigrationFile] {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, logger: logger)
        var appliedChecksums: [Int: String] = [:]
        for try await (version, checksum) in try await connection.query(
            "SELECT version, checksum FROM schema_migrations", logger: logger
        ).decode((Int, String).self) {
            appliedChecksums[version] = checksum
        }
        let versionsOnDisk = Set(files.map(\.version))
        if let missing = appliedChecksums.keys.sorted().first(where: { !versionsOnDisk.contains($0) }) {
            throw Refusal.appliedButMissing(version: missing)
        }
        for file in files {
            if let checksum = appliedChecksums[file.version], checksum != file.checksum {
                throw Refusal.changedAfterApplying(version: file.version, name: file.name)
            }
        }
        let pending = files.filter { appliedChecksums[$0.version] == nil }
        for file in pending {
            try await connection.withTransaction(logger: logger) { transaction in
                for statement in SQLScript.statements(in: file.sql) {
                    try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await transaction.query("""
                    INSERT INTO schema_migrations (version, name, checksum) VALUES (\(file.version), \(file.name), \(file.checksum))
                    """, logger: logger)
            }
            logger.info("applied migration", metadata: ["version": "\(file.version)", "name": "\(file.name)"])
        }
        return pending
    }
}
