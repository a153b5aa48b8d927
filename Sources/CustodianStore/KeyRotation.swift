import CustodianCore
import CustodianDatabase
import Foundation
import PostgresNIO

/// Rewraps what a previous KEK wrapped under the current one, without touching the data: the subjects' data keys
/// and the erasure cascades' keys in batches, and the recipients' secrets (`custodian kek rotate`). Restartable: each
/// batch commits on its own, and what is done is not done again.
public struct KeyRotation: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// The wrapped-key tables, each with the owner its keys are wrapped for.
    static let tables: [(name: String, idColumn: String, owner: @Sendable (UUID) -> String)] = [
        ("custodian_keys.subject_keys", "subject_id", { SubjectKeys.owner($0) }),
        ("custodian_keys.erasure_keys", "cascade_id", { ErasureKeys.owner($0) }),
    ]

    /// How many data keys a KEK other than the current one still wraps.
    public func remaining() async throws -> Int {
        let keys = try database.requireKeys()
        var count = 0
        for table in Self.tables {
            count += try await database.query("SELECT count(*) FROM \(unescaped: table.name) WHERE kek_id <> \(keys.current.id)")
                .collect().first?.decode(Int.self) ?? 0
        }
        return count
    }

    /// Rewraps up to `limit` keys in one transaction; returns how many (0 when none is left).
    public func rewrapBatch(limit: Int = 500) async throws -> Int {
        let keys = try database.requireKeys()
        for table in Self.tables {
            let count = try await database.transaction { connection in
                var ids: [UUID] = []
                var wrapped: [ByteBuffer] = []
                for try await (id, kekID, bytes) in try await connection.query("""
                    SELECT \(unescaped: table.idColumn), kek_id, wrapped FROM \(unescaped: table.name) WHERE kek_id <> \(keys.current.id)
                    LIMIT \(limit) FOR UPDATE SKIP LOCKED
                    """, logger: database.logger).decode((UUID, String, ByteBuffer).self) {
                    guard let new = try keys.rewrap(WrappedKey(kekID: kekID, bytes: Data(buffer: bytes)), owner: table.owner(id)) else { continue }
                    ids.append(id)
                    wrapped.append(ByteBuffer(data: new.bytes))
                }
                guard !ids.isEmpty else { return 0 }
                try await connection.query("""
                    UPDATE \(unescaped: table.name) k SET kek_id = \(keys.current.id), wrapped = u.wrapped
                    FROM unnest(\(ids)::uuid[], \(wrapped)::bytea[]) AS u(id, wrapped) WHERE k.\(unescaped: table.idColumn) = u.id
                    """, logger: database.logger)
                return ids.count
            }
            if count > 0 { return count }
        }
        return 0
    }

    /// Reseals the recipients' API tokens and signing secrets under the current KEK (plain ones too); returns how
    /// many recipients changed.
    public func resealRecipientSecrets() async throws -> Int {
        try await RecipientSecrets.resealAll(keys: try database.requireKeys(), database: database)
    }
}
