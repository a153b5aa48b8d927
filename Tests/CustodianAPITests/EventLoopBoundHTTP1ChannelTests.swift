@testable import CustodianAPI
import CustodianDatabase
import Hummingbird
import HummingbirdTesting
import NIOPosix
import Testing

@Suite("Requests on their connection's event loop")
struct EventLoopBoundHTTP1ChannelTests {
    @Test("a request runs on the event loop of its connection, before and after it suspends; Hummingbird's own HTTP/1 server runs it on Swift's pool")
    func onItsLoop() async throws {
        let router = Router()
        // On the connection's loop (the executor's) before and after a suspension, and on an event loop thread at all.
        router.get("/where") { _, _ -> String in
            let before = EventLoopTaskExecutor.current?.eventLoop.inEventLoop ?? false
            try await Task.sleep(for: .milliseconds(1))
            let after = EventLoopTaskExecutor.current?.eventLoop.inEventLoop ?? false
            return "\(before) \(after) \(MultiThreadedEventLoopGroup.currentEventLoop != nil)"
        }
        try await Application(router: router, server: .eventLoopBoundHTTP1()).test(.live) { client in
            for _ in 0..<4 {
                let response = try await client.execute(uri: "/where", method: .get)
                #expect(String(buffer: response.body) == "true true true")
            }
        }
        try await Application(router: router, server: .http1()).test(.live) { client in
            let response = try await client.execute(uri: "/where", method: .get)
            #expect(String(buffer: response.body) == "false false false")
        }
    }
}
