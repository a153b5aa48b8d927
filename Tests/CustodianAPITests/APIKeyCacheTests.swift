@testable import CustodianAPI
import CustodianCore
import CustodianStore
import CustodianTestSupport
import Foundation
import PostgresNIO
import Testing

/// The API key cache against a real database: what it serves from memory, and every way it learns to stop.
@Suite("API key cache")
struct APIKeyCacheTests {
    @Test("a looked-up key is served from memory until a change to api_keys is heard")
    func servedUntilChangeHeard() async throws {
        try await withCache { cache, database, _ in
            let keys = APIKeyRepository(database: database)
            let (stored, secret) = try await keys.create(name: "cached", scope: .shop)
            #expect(try await cache.authenticate(secret)?.id == stored.id)
            try await revokeUnheard(stored.id, database)
            #expect(try await cache.authenticate(secret)?.id == stored.id, "served from memory: the revocation was not told")
            try await database.query("ALTER TABLE api_keys ENABLE TRIGGER api_keys_changed")
            try await database.query("UPDATE api_keys SET name = name")
            try await waitUntil { try await cache.authenticate(secret) == nil }
        }
    }

    @Test("a key revoked through the repository fails within a second")
    func revocationHeard() async throws {
        try await withCache { cache, database, _ in
            let keys = APIKeyRepository(database: database)
            let (stored, secret) = try await keys.create(name: "revoked", scope: .dpo)
            #expect(try await cache.authenticate(secret) != nil)
            #expect(try await cache.authenticate(secret) != nil)
            let revokedAt = ContinuousClock.now
            #expect(try await keys.revoke(id: stored.id))
            try await waitUntil { try await cache.authenticate(secret) == nil }
            #expect(ContinuousClock.now - revokedAt < .seconds(1))
        }
    }

    @Test("a wrong secret with a real key's lookup id fails, cached or not")
    func wrongSecret() async throws {
        try await withCache { cache, database, _ in
            let (_, secret) = try await APIKeyRepository(database: database).create(name: "real", scope: .dpo)
            let forged = try #require(APIKeySecret(token: "cus_\(secret.lookupID)_\(String(repeating: "A", count: 43))"))
            #expect(try await cache.authenticate(forged) == nil)
            #expect(try await cache.authenticate(secret) != nil)
            #expect(try await cache.authenticate(forged) == nil)
        }
    }

    @Test("nothing is cached while the cache is not listening")
    func notListening() async throws {
        // As the owner, who may disable the notifying trigger.
        try await TestDatabase.withMigrated(as: .owner) { database in
            let cache = APIKeyCache(keys: APIKeyRepository(database: database), logger: TestDatabase.logger)
            let (stored, secret) = try await APIKeyRepository(database: database).create(name: "uncached", scope: .shop)
            #expect(try await cache.authenticate(secret) != nil)
            try await revokeUnheard(stored.id, database)
            #expect(try await cache.authenticate(secret) == nil)
        }
    }

    @Test("a lost listening connection empties the cache, and caching resumes once it listens again")
    func connectionLost() async throws {
        try await withCache(reconnectDelay: .milliseconds(300)) { cache, database, name in
            let keys = APIKeyRepository(database: database)
            let (first, firstSecret) = try await keys.create(name: "first", scope: .shop)
            #expect(try await cache.authenticate(firstSecret) != nil)
            try await database.query("ALTER TABLE api_keys DISABLE TRIGGER api_keys_changed")
            let terminated = try await TestDatabase.terminateListeners(on: name, channel: APIKeyRepository.changeChannel)
            #expect(terminated == 1)
            try await waitUntil { !cache.isListening }
            try await database.query("UPDATE api_keys SET revoked_at = now() WHERE id = \(first.id)")
            #expect(try await cache.authenticate(firstSecret) == nil, "emptied when the connection was lost")

            try await waitUntil { cache.isListening }
            let (second, secondSecret) = try await keys.create(name: "second", scope: .shop)
            #expect(try await cache.authenticate(secondSecret) != nil)
            try await database.query("UPDATE api_keys SET revoked_at = now() WHERE id = \(second.id)")
            #expect(try await cache.authenticate(secondSecret) != nil, "cached again after listening again")
        }
    }

    @Test("a listening connection that stops answering is found by the heartbeat, closed, and listened on anew")
    func silentConnection() async throws {
        try await withCache(reconnectDelay: .milliseconds(300), heartbeat: .milliseconds(200), heartbeatAnswer: .seconds(1)) {
            cache, database, name in
            let silent = try await TestDatabase.stopListener(on: name, channel: APIKeyRepository.changeChannel)
            defer { TestDatabase.resume(serverProcess: silent) }
            let stopped = ContinuousClock.now
            try await waitUntil { !cache.isListening }
            #expect(ContinuousClock.now - stopped < .seconds(3), "a heartbeat every 200 ms must answer within 1 s")

            try await waitUntil { cache.isListening }
            let listeners = try await TestDatabase.listenerProcessIDs(on: name, channel: APIKeyRepository.changeChannel)
            #expect(listeners.contains { $0 != silent }, "listening on another connection while the old one is stopped")
            let keys = APIKeyRepository(database: database)
            let (stored, secret) = try await keys.create(name: "heard anew", scope: .shop)
            #expect(try await cache.authenticate(secret) != nil)
            #expect(try await keys.revoke(id: stored.id))
            try await waitUntil { try await cache.authenticate(secret) == nil }
        }
    }

    @Test("an entry older than the maximum age is looked up again")
    func maximumAge() async throws {
        try await withCache(maximumAge: .seconds(2)) { cache, database, _ in
            let (stored, secret) = try await APIKeyRepository(database: database).create(name: "aging", scope: .shop)
            let lookedUp = ContinuousClock.now
            #expect(try await cache.authenticate(secret) != nil)
            try await revokeUnheard(stored.id, database)
            let stillCached = try await cache.authenticate(secret) != nil
            #expect(stillCached || ContinuousClock.now - lookedUp >= .seconds(2), "served from memory while younger than 2 s")
            try await Task.sleep(until: lookedUp + .milliseconds(2100))
            #expect(try await cache.authenticate(secret) == nil)
        }
    }

    @Test("a lookup overtaken by a change is not stored")
    func overtakenLookup() async throws {
        try await withCache { cache, database, _ in
            let keys = APIKeyRepository(database: database)
            let (stored, secret) = try await keys.create(name: "overtaken", scope: .shop)
            let authenticated = try await cache.authenticate(secret) { lookupID in
                let before = cache.generation
                let active = try await keys.activeKey(lookupID: lookupID)
                try await database.query("UPDATE api_keys SET name = 'renamed' WHERE id = \(stored.id)")
                try await waitUntil { cache.generation != before }
                return active
            }
            #expect(authenticated?.name == "overtaken")
            try await revokeUnheard(stored.id, database)
            #expect(try await cache.authenticate(secret) == nil, "the overtaken lookup was not kept")
        }
    }

    /// Runs `body` with a cache listening on a fresh migrated database as the application role; `body` gets the
    /// owner's pool on it, which may disable the notifying trigger, and the database's name.
    private func withCache(
        maximumAge: Duration = .seconds(30), reconnectDelay: Duration = .seconds(1), heartbeat: Duration = .seconds(10),
        heartbeatAnswer: Duration = .seconds(5), _ body: @Sendable (APIKeyCache, Database, String) async throws -> Void
    ) async throws {
        try await TestDatabase.withMigratedName { name in
            let owner = try TestDatabase.pool(database: name, role: .owner)
            try await TestDatabase.running(TestDatabase.pool(database: name)) { application in
                try await TestDatabase.running(owner) { database in
                    let cache = APIKeyCache(
                        keys: APIKeyRepository(database: application), maximumAge: maximumAge, reconnectDelay: reconnectDelay,
                        heartbeat: heartbeat, heartbeatAnswer: heartbeatAnswer, logger: TestDatabase.logger)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await cache.run() }
                        defer { group.cancelAll() }
                        try await waitUntil { cache.isListening }
                        try await body(cache, database, name)
                    }
                }
            }
        }
    }

    /// Revokes a key with the notifying trigger disabled, so no listener hears of it.
    private func revokeUnheard(_ id: UUID, _ database: Database) async throws {
        try await database.query("ALTER TABLE api_keys DISABLE TRIGGER api_keys_changed")
        try await database.query("UPDATE api_keys SET revoked_at = now() WHERE id = \(id)")
    }

    /// Polls `condition` every 5 ms until it holds, failing after 5 seconds.
    private func waitUntil(_ condition: @Sendable () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw TestDatabaseError("condition not met within 5 s") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
