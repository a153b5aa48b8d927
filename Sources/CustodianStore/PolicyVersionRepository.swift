import CustodianDatabase
import Foundation
import PostgresNIO

/// A published version of the privacy policy.
public struct PolicyVersionRecord: Sendable, Equatable {
    public let id: UUID
    public let label: String
    public let url: String
    public let textSHA256: String
    public let effectiveAt: Date
    public let createdAt: Date
}

/// Registers and lists policy versions; labels are unique.
public struct PolicyVersionRepository: Sendable {
    let database: Database

    static let columns = "id, label, url, text_sha256, effective_at, created_at"

    /// The audit action of registering a version (recorded without a subject).
    public static let createAction = "policy_version.create"

    public init(database: Database) {
        self.database = database
    }

    /// Registers a version; ``StoreError/duplicate(field:)`` when the label exists.
    public func create(label: String, url: String, textSHA256: String, effectiveAt: Date, actor: AuditActor) async throws -> PolicyVersionRecord {
        do {
            return try await database.transaction { connection in
                let rows = try await connection.query("""
                    INSERT INTO policy_versions (id, label, url, text_sha256, effective_at)
                    VALUES (\(UUID()), \(label), \(url), \(textSHA256), \(effectiveAt))
                    RETURNING \(unescaped: Self.columns)
                    """, logger: database.logger)
                guard let record = try await Self.decode(rows).first else { throw StoreError.unexpectedlyEmpty }
                try await AuditRepository.append(action: Self.createAction, subjectID: nil, actor: actor, on: connection, logger: database.logger)
                return record
            }
        } catch {
            throw StoreError.mapUniqueViolation(error, ["policy_versions_label_key": "label"])
        }
    }

    /// Every version, newest `effective_at` first.
    /// The version with `id`; nil when there is none.
    public func find(id: UUID) async throws -> PolicyVersionRecord? {
        try await Self.decode(database.query("SELECT \(unescaped: Self.columns) FROM policy_versions WHERE id = \(id)")).first
    }

    public func all() async throws -> [PolicyVersionRecord] {
        try await Self.decode(database.query("SELECT \(unescaped: Self.columns) FROM policy_versions ORDER BY effective_at DESC, label"))
    }

    static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [PolicyVersionRecord] {
        var records: [PolicyVersionRecord] = []
        for try await (id, label, url, hash, effectiveAt, createdAt) in rows.decode((UUID, String, String, String, Date, Date).self) {
            records.append(PolicyVersionRecord(id: id, label: label, url: url, textSHA256: hash, effectiveAt: effectiveAt, createdAt: createdAt))
        }
        return records
    }
}
