import CustodianCore
import CustodianDatabase
import Foundation
import PostgresNIO

/// Rewraps the data keys a previous KEK wrapped under the current one, in batches, without touching the data they
/// seal: `custodian kek rotate`. Restartable: each batch commits on its own, and what is done is not done again.
public struct KeyRotation: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// How many data keys a KEK other than the current one still wraps.
    public func remaining() async throws -> Int {
        let keys = try database.requireKeys()
        return try await database.query("SELECT count(*) FROM custodian_keys.subject_keys WHERE kek_id <> \(keys.current.id)")
            .collect().first?.decode(Int.self) ?? 0
    }

    /// Rewraps up to `limit` keys in one transaction; returns how many (0 when none is left).
    public func rewrapBatch(limit: Int = 500) async throws -> Int {
        let keys = try database.requireKeys()
        return try await database.transaction { connection in
            var ids: [UUID] = []
            var wrapped: [ByteBuffer] = []
            for try await (subjectID, kekID, bytes) in try await connection.query("""
                SELECT subject_id, kek_id, wrapped FROM custodian_keys.subject_keys WHERE kek_id <> \(keys.current.id)
                LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """, logger: database.logger).decode((UUID, String, ByteBuffer).self) {
                let old = WrappedKey(kekID: kekID, bytes: Data(buffer: bytes))
                guard let new = try keys.rewrap(old, owner: SubjectKeys.owner(subjectID)) else { continue }
                ids.append(subjectID)
                wrapped.append(ByteBuffer(data: new.bytes))
            }
            guard !ids.isEmpty else { return 0 }
            try await connection.query("""
                UPDATE custodian_keys.subject_keys k SET kek_id = \(keys.current.id), wrapped = u.wrapped
                FROM unnest(\(ids)::uuid[], \(wrapped)::bytea[]) AS u(subject_id, wrapped) WHERE k.subject_id = u.subject_id
                """, logger: database.logger)
            return ids.count
        }
    }
}
