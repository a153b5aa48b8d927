import CustodianCore
import CustodianStore
import Logging
import ServiceLifecycle
import Synchronization

/// The active API keys the API has looked up, so that a request with a known key costs no statement.
///
/// It is only trusted while PostgreSQL tells it of every change: a trigger on api_keys NOTIFYs on commit, ``run()``
/// LISTENs, and each change heard empties the cache, so a revoked key fails as soon as the notification arrives
/// (milliseconds). While the listening connection is down nothing is cached and every request looks its key up (a
/// heartbeat on it finds a connection that died without a sound within 15 seconds by default); a lookup overtaken by
/// a change is not stored; an entry older than `maximumAge` is looked up again whatever happens.
final class APIKeyCache: Service, Sendable {
    private struct Entry {
        let active: ActiveAPIKey
        let lookedUpAt: ContinuousClock.Instant
    }

    private struct State {
        var listening = false
        /// Bumped by every change heard and every start or loss of listening: a lookup begun in an older generation
        /// may have read a key that has changed since, so it is not stored.
        var generation: UInt64 = 0
        var entries: [String: Entry] = [:]

        mutating func forgetAll(listening: Bool) {
            self.listening = listening
            generation &+= 1
            entries.removeAll()
        }
    }

    private let keys: APIKeyRepository
    private let maximumAge: Duration
    private let reconnectDelay: Duration
    private let heartbeat: Duration
    private let heartbeatAnswer: Duration
    private let logger: Logger
    private let state = Mutex(State())

    /// `heartbeat` is how often the listening connection is checked, `heartbeatAnswer` how long a check may take
    /// before the connection counts as lost.
    init(
        keys: APIKeyRepository, maximumAge: Duration = .seconds(30), reconnectDelay: Duration = .seconds(1),
        heartbeat: Duration = .seconds(10), heartbeatAnswer: Duration = .seconds(5), logger: Logger
    ) {
        self.keys = keys
        self.maximumAge = maximumAge
        self.reconnectDelay = reconnectDelay
        self.heartbeat = heartbeat
        self.heartbeatAnswer = heartbeatAnswer
        self.logger = logger
    }

    /// Whether changes are being heard, so that keys are cached.
    var isListening: Bool { state.withLock { $0.listening } }

    /// How many times the cache was emptied (changes heard, listening started or lost).
    var generation: UInt64 { state.withLock { $0.generation } }

    /// The active key that `secret` belongs to (its hash compared in constant time); nil for unknown or revoked keys.
    func authenticate(_ secret: APIKeySecret) async throws -> StoredAPIKey? {
        try await authenticate(secret) { [keys] lookupID in try await keys.activeKey(lookupID: lookupID) }
    }

    /// ``authenticate(_:)`` with the stored key read by `lookup` on a miss.
    func authenticate(
        _ secret: APIKeySecret, lookup: (_ lookupID: String) async throws -> ActiveAPIKey?
    ) async throws -> StoredAPIKey? {
        let now = ContinuousClock.now
        let (cached, generation): (ActiveAPIKey?, UInt64?) = state.withLock { state in
            guard state.listening else { return (nil, nil) }
            if let entry = state.entries[secret.lookupID], now - entry.lookedUpAt < maximumAge { return (entry.active, nil) }
            return (nil, state.generation)
        }
        if let cached { return secret.matches(storedHash: cached.hash) ? cached.key : nil }
        guard let active = try await lookup(secret.lookupID) else { return nil }
        if let generation {
            state.withLock { state in
                guard state.listening, state.generation == generation else { return }
                state.entries[secret.lookupID] = Entry(active: active, lookedUpAt: now)
            }
        }
        return secret.matches(storedHash: active.hash) ? active.key : nil
    }

    /// Listens for changes to api_keys until graceful shutdown, listening again after `reconnectDelay` when the
    /// connection fails.
    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown {
                    try await self.keys.listenForChanges(
                        heartbeat: self.heartbeat, answerWithin: self.heartbeatAnswer,
                        listening: { self.state.withLock { $0.forgetAll(listening: true) } },
                        changed: { self.state.withLock { $0.forgetAll(listening: true) } })
                }
            } catch {
                if !Task.isShuttingDownGracefully, !Task.isCancelled {
                    logger.warning("listening for API key changes failed; looking keys up on every request until it reconnects",
                                   metadata: ["error.type": "\(type(of: error))"])
                }
            }
            state.withLock { $0.forgetAll(listening: false) }
            try? await cancelWhenGracefulShutdown { [reconnectDelay] in try await Task.sleep(for: reconnectDelay) }
        }
    }
}
