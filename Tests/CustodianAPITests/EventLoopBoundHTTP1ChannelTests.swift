@testable import CustodianAPI
import CustodianStore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Requests on their connection's event loop")
struct EventLoopBoundHTTP1ChannelTests {
    @Test("a request runs on the event loop of its connection, before and after it suspends; Hummingbird's own HTTP/1 server runs it on Swift's pool")
    func onItsLoop() async throws {
        let router = Router()
        router.get("/where") { _, _ -> String in
            let before = EventLoopTaskExecutor.current?.eventLoop.inEventLoop ?? false
            try await Task.sleep(for: .milliseconds(1))
            let after = EventLoopTaskExecutor.current?.eventLoop.inEventLoop ?? false
            return "\(before) \(after)"
        }
        try await Application(router: router, server: .eventLoopBoundHTTP1()).test(.live) { client in
            for _ in 0..<4 {
                let response = try await client.execute(uri: "/where", method: .get)
                #expect(String(buffer: response.body) == "true true")
            }
        }
        try await Application(router: router, server: .http1()).test(.live) { client in
            let response = try await client.execute(uri: "/where", method: .get)
            #expect(String(buffer: response.body) == "false false")
        }
    }
}
