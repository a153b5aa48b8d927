import AsyncHTTPClient
import CustodianAPI
import CustodianStore
import CustodianTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Prometheus
import ServiceLifecycle

/// The API on a real socket (127.0.0.1, a free port), in a service group the test controls, with an HTTP client.
struct LiveServer {
    let port: Int
    let group: ServiceGroup
    let http: HTTPClient
    let stopped: AsyncStream<Void>

    /// Runs `body` while the server runs; when `body` returns the group is cancelled unless the body already stopped it.
    static func run(database: Database, _ body: @Sendable (LiveServer) async throws -> Void) async throws {
        let (ports, portSource) = AsyncStream.makeStream(of: Int.self)
        let app = try APIApplication.build(
            configuration: APIConfiguration(port: 0), database: database, metrics: PrometheusCollectorRegistry(),
            onServerRunning: { port in portSource.yield(port) }, logger: TestDatabase.logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: TestDatabase.logger))
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let (stopped, stoppedSource) = AsyncStream.makeStream(of: Void.self)
        do {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask {
                    defer { stoppedSource.finish() }
                    try await group.run()
                }
                guard let port = await ports.first(where: { _ in true }) else { throw TestDatabaseError("the server did not start") }
                try await body(LiveServer(port: port, group: group, http: http, stopped: stopped))
                tasks.cancelAll()
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    /// Waits until the service group has stopped by itself (after a graceful shutdown), failing after `limit`.
    func waitUntilStopped(limit: Duration = .seconds(10)) async throws {
        try await withThrowingTaskGroup(of: Void.self) { race in
            race.addTask { for await _ in stopped {} }
            race.addTask {
                try await Task.sleep(for: limit)
                throw TestDatabaseError("the server did not stop within \(limit)")
            }
            defer { race.cancelAll() }
            try await race.next()
        }
    }

    /// Sends a request and returns its status and body; fails when no answer comes within `timeout`.
    func send(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: String? = nil, timeout: TimeAmount = .seconds(20)
    ) async throws -> (status: UInt, contentType: String?, body: String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await http.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, response.headers.first(name: "Content-Type"), String(buffer: bytes))
    }
}
