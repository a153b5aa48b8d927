import CustodianCore
import CustodianDatabase
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

    /// Listens for changes to api_keys (a trigger NOTIFYs on commit) through a ``NotificationListener`` until cancelled
    /// or the connection fails: `listening` once LISTEN is in effect, `changed` for each change heard.
    public func listenForChanges(
        heartbeat: Duration, answerWithin: Duration,
        listening: @escaping @Sendable () -> Void, changed: @escaping @Sendable () -> Void
    ) async throws {
        try await NotificationListener(database: database, channel: Self.changeChannel, heartbeat: heartbeat, answerWithin: answerWithin)
            .listen(listening: listening, notified: { _ in changed() })
    }

    private static func decode(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [StoredAPIKey] {
        var keys: [StoredAPIKey] = []
        for try await (id, name, scope, createdAt, revokedAt) in rows.decode((UUID, String, String, Date, Date?).self) {
            guard let scope = APIKeyScope(rawValue: scope) else { throw StoreError.unexpectedValue(column: "api_keys.scope") }
            keys.append(StoredAPIKey(id: id, name: name, scope: scope, createdAt: createdAt, revokedAt: revokedAt))
        }
        return keys
    }
}
