import AsyncHTTPClient
import ServiceLifecycle

/// Owns the worker's HTTP client and shuts it down after graceful shutdown (list it before the services that use it,
/// so it stops after them).
public struct HTTPClientService: Service {
    public let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
