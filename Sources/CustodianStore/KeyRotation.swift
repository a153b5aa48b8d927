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

    /// Where a pass of the rotation goes on: the table, and the last key taken in it. Keys are taken in id order, so
    /// no batch reads again what an earlier one rewrapped.
    public struct Position: Sendable, Equatable {
        var table = 0
        var after: UUID?

        public init() {}

        init(table: Int) {
            self.table = table
        }
    }

    /// Rewraps up to `limit` keys after `position` in one transaction; returns how many, and where the pass goes on
    /// (nil when it has been through every table). Keys another transaction holds are passed by: a new pass from
    /// ``Position/init()`` takes them.
    public func rewrapBatch(limit: Int = 500, from position: Position = Position()) async throws -> (count: Int, next: Position?) {
        let keys = try database.requireKeys()
        var position = position
        while position.table < Self.tables.count {
            let table = Self.tables[position.table]
            let after = position.after ?? .keysetStart
            let (count, last) = try await database.transaction { connection in
                var ids: [UUID] = []
                var wrapped: [ByteBuffer] = []
                var last: UUID?
                for try await (id, kekID, bytes) in try await connection.query("""
                    SELECT \(unescaped: table.idColumn), kek_id, wrapped FROM \(unescaped: table.name)
                    WHERE \(unescaped: table.idColumn) > \(after) AND kek_id <> \(keys.current.id)
                    ORDER BY \(unescaped: table.idColumn) LIMIT \(limit) FOR UPDATE SKIP LOCKED
                    """, logger: database.logger).decode((UUID, String, ByteBuffer).self) {
                    last = id
                    guard let new = try keys.rewrap(WrappedKey(kekID: kekID, bytes: Data(buffer: bytes)), owner: table.owner(id)) else { continue }
                    ids.append(id)
                    wrapped.append(ByteBuffer(data: new.bytes))
                }
                if !ids.isEmpty {
                    try await connection.query("""
                        UPDATE \(unescaped: table.name) k SET kek_id = \(keys.current.id), wrapped = u.wrapped
                        FROM unnest(\(ids)::uuid[], \(wrapped)::bytea[]) AS u(id, wrapped) WHERE k.\(unescaped: table.idColumn) = u.id
                        """, logger: database.logger)
                }
                return (ids.count, last)
            }
            if let last {
                position.after = last
                return (count, position)
            }
            position = Position(table: position.table + 1)
        }
        return (0, nil)
    }

    /// Reseals the recipients' API tokens and signing secrets under the current KEK (plain ones too); returns how
    /// many recipients changed.
    public func resealRecipientSecrets() async throws -> Int {
        try await RecipientSecrets.resealAll(keys: try database.requireKeys(), database: database)
    }
}
