import AsyncHTTPClient
import ServiceLifecycle

/// HTTP clients that connect a host name only to the address that was checked for it: one client per (host,
/// address), whose DNS override holds that address, so no second lookup can rebind the name between check and
/// connect, while TLS still sends and verifies the host name. Keep-alive connections stay with their address. At most
/// `capacity` clients are kept; the least recently used idle one is shut down beyond that. A service: every client is
/// shut down after graceful shutdown (list it before the services that use it).
public actor PinnedHTTPClients: Service {
    struct Key: Hashable {
        let host: String
        let address: String
    }

    private let configuration: HTTPClient.Configuration
    private let capacity: Int
    private var clients: [Key: (client: HTTPClient, inFlight: Int, used: ContinuousClock.Instant)] = [:]

    public init(configuration: HTTPClient.Configuration, capacity: Int = 64) {
        self.configuration = configuration
        self.capacity = capacity
    }

    /// Runs `body` with the client pinned to `address` for `host`.
    func withClient<Result: Sendable>(
        host: String, address: String, _ body: @Sendable (HTTPClient) async throws -> Result
    ) async throws -> Result {
        let key = Key(host: host, address: address)
        let client = checkOut(key)
        defer { checkIn(key) }
        return try await body(client)
    }

    private func checkOut(_ key: Key) -> HTTPClient {
        if var entry = clients[key] {
            entry.inFlight += 1
            entry.used = .now
            clients[key] = entry
            return entry.client
        }
        var pinned = configuration
        pinned.dnsOverride = [key.host: key.address]
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: pinned)
        clients[key] = (client, 1, .now)
        evictBeyondCapacity()
        return client
    }

    private func checkIn(_ key: Key) {
        clients[key]?.inFlight -= 1
    }

    private func evictBeyondCapacity() {
        while clients.count > capacity,
              let idle = clients.filter({ $0.value.inFlight == 0 }).min(by: { $0.value.used < $1.value.used })?.key,
              let entry = clients.removeValue(forKey: idle) {
            let client = entry.client
            Task { try? await client.shutdown() }
        }
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Shuts every client down.
    public func shutdown() async {
        let all = clients.values.map(\.client)
        clients = [:]
        for client in all { try? await client.shutdown() }
    }
}
