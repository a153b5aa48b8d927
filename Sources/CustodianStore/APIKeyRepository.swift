import CustodianCore
import Foundation
import Logging
import PostgresNIO

/// An API key as stored: never the secret, only its metadata.
public struct StoredAPIKey: Sendable, Equatable {
    public let id: UUID
    public let name: String
    public let scope: APIKeyScope
    public let createdAt: Date
    public let revokedAt: Date?
}

/// An active key as stored, with the SHA-256 of its secret.
public struct ActiveAPIKey: Sendable, Equatable {
    public let key: StoredAPIKey
    public let hash: [UInt8]
}

/// Creates, lists, revokes and authenticates API keys.
public struct APIKeyRepository: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Stores a new key and returns it with its secret, which exists nowhere else afterwards.
    public func create(name: String, scope: APIKeyScope) async throws -> (key: StoredAPIKey, secret: APIKeySecret) {
        let secret = APIKeySecret.generate()
        let id = UUID()
        let rows = try await database.query("""
            INSERT INTO api_keys (id, name, scope, lookup_id, secret_hash)
            VALUES (\(id), \(name), \(scope.rawValue), \(secret.lookupID), \(ByteBuffer(bytes: secret.hash)))
            RETURNING id, name, scope, created_at, revoked_at
            """)
        guard let key = try await Self.decode(rows).first else { throw StoreError.unexpectedlyEmpty }
        return (key, secret)
    }

    /// Every key, oldest first.
    public func list() async throws -> [StoredAPIKey] {
        try await Self.decode(database.query(
            "SELECT id, name, scope, created_at, revoked_at FROM api_keys ORDER BY created_at, id"))
    }

    /// Revokes a key (the API hears of it when this commits); false when there is no such active key.
    public func revoke(id: UUID) async throws -> Bool {
        let rows = try await database.query(
            "UPDATE api_keys SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL RETURNING id")
        return try await rows.decode(UUID.self).first { _ in true } != nil
    }

    /// The active key that `secret` belongs to, compared in constant time; nil for unknown or revoked keys.
    public func authenticate(_ secret: APIKeySecret) async throws -> StoredAPIKey? {
        guard let active = try await activeKey(lookupID: secret.lookupID) else { return nil }
        return secret.matches(storedHash: active.hash) ? active.key : nil
    }

    /// The active (not revoked) key stored under `lookupID`, with the hash its secret must match.
    public func activeKey(lookupID: String) async throws -> ActiveAPIKey? {
        let rows = try await database.query("""
            SELECT id, name, scope, created_at, revoked_at, secret_hash FROM api_keys
            WHERE lookup_id = \(lookupID) AND revoked_at IS NULL
            """)
        for try await (id, name, scope, createdAt, revokedAt, hash) in rows.decode((UUID, String, String, Date, Date?, ByteBuffer).self) {
            guard let scope = APIKeyScope(rawValue: scope) else { throw StoreError.unexpectedValue(column: "api_keys.scope") }
            return ActiveAPIKey(key: StoredAPIKey(id: id, name: name, scope: scope, createdAt: createdAt, revokedAt: revokedAt), hash: Array(buffer: hash))
        }
        return nil
    }

    /// The channel on which every committed change to api_keys is told (a trigger, migration 0013).
    public static let changeChannel = "custodian_api_keys"

    /// LISTENs for changes to api_keys on a connection of its own until the connection fails or the task is cancelled:
    /// `listening` runs once LISTEN is in effect, `changed` for each change heard after it. Every `heartbeat` a
    /// `SELECT` on that connection must answer within `answerWithin`, or this throws: a connection that died without a
    /// sound would otherwise wait for notifications forever. The connection is closed when this ends, never handed out
    /// again by the pool.
    public func listenForChanges(
        heartbeat: Duration, answerWithin: Duration,
        listening: @escaping @Sendable () -> Void, changed: @escaping @Sendable () -> Void
    ) async throws {
        let logger = database.logger
        let ping = { @Sendable (connection: PostgresConnection) in
            try await OperationDeadline.run(within: answerWithin) {
                // It names the channel, so pg_stat_activity shows which connection listens.
                _ = try await connection.query("SELECT 'heartbeat of the listener on custodian_api_keys'", logger: logger)
            }
        }
        // The pool's client directly: the operation deadline would end a listener that is meant to run for hours.
        try await database.client.withConnection { connection in
            let failure: (any Error)?
            do {
                // LISTEN itself has no deadline: a connection that died silently since it went back to the pool is
                // found here first.
                try await ping(connection)
                try await connection.listen(on: Self.changeChannel) { notifications in
                    // LISTEN takes effect when its implicit transaction commits, after the answer the call above
                    // awaited; the connection runs this only after that commit.
                    try await ping(connection)
                    listening()
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for try await _ in notifications { changed() }
                        }
                        group.addTask {
                            while true {
                                try await Task.sleep(for: heartbeat)
                                try await ping(connection)
                            }
                        }
                        // Whichever ends first (the notifications on cancellation, either by an error) ends both.
                        try await group.next()
                        group.cancelAll()
                    }
                }
                failure = nil
            } catch {
                failure = error
            }
            // Closed before it goes back, so the pool never leases it again: the server may have closed it (the pool
            // could hand it out before it notices), or it may still owe an answer to a heartbeat that timed out, and
            // the next statement on it would wait behind that.
            try? await connection.close()
            if let failure { throw failure }
        }
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [StoredAPIKey] {
        var keys: [StoredAPIKey] = []
        for try await (id, name, scope, createdAt, revokedAt) in rows.decode((UUID, String, String, Date, Date?).self) {
            guard let scope = APIKeyScope(rawValue: scope) else { throw StoreError.unexpectedValue(column: "api_keys.scope") }
            keys.append(StoredAPIKey(id: id, name: name, scope: scope, createdAt: createdAt, revokedAt: revokedAt))
        }
        return keys
    }
}
