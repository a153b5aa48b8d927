@testable import CustodianAPI
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Response buffering")
struct ResponseBufferingTests {
    @Test("a body of known length written in pieces, or in one, by a closure reaches the connection as one buffer; a stream of unknown length stays a stream")
    func buffered() async throws {
        let router = Router()
        router.add(middleware: WriteCountingMiddleware())
        router.add(middleware: ResponseBufferingMiddleware())
        router.get("/pieces") { _, _ in
            Response(status: .ok, body: ResponseBody(contentLength: 6) { writer in
                try await writer.write(ByteBuffer(string: "abc"))
                try await writer.write(ByteBuffer(string: "def"))
                try await writer.finish(nil)
            })
        }
        router.get("/single") { _, _ in
            Response(status: .ok, body: ResponseBody(contentLength: 3) { writer in
                try await writer.write(ByteBuffer(string: "xyz"))
                try await writer.finish(nil)
            })
        }
        router.get("/stream") { _, _ in
            Response(status: .ok, body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "abc"))
                try await writer.write(ByteBuffer(string: "def"))
                try await writer.finish(nil)
            })
        }
        try await Application(router: router).test(.router) { client in
            let pieces = try await client.execute(uri: "/pieces", method: .get)
            #expect(String(buffer: pieces.body) == "abcdef")
            #expect(pieces.headers[.contentLength] == "6")
            #expect(pieces.headers[bodyWrites] == "1")
            let single = try await client.execute(uri: "/single", method: .get)
            #expect(String(buffer: single.body) == "xyz")
            #expect(single.headers[bodyWrites] == "1")
            let stream = try await client.execute(uri: "/stream", method: .get)
            #expect(String(buffer: stream.body) == "abcdef")
            #expect(stream.headers[bodyWrites] == "2")
        }
    }
}

/// The header in which ``WriteCountingMiddleware`` reports its count.
private let bodyWrites = HTTPField.Name("X-Body-Writes")!

/// Counts the writes of the response body that the buffering middleware inside it passes on, as the connection would
/// get them, and reports the count in a header.
private struct WriteCountingMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        let counter = Counted()
        try await response.body.write(CountingWriter(counted: counter))
        response.headers[bodyWrites] = String(counter.writes)
        response.body = ResponseBody(byteBuffer: counter.bytes)
        return response
    }
}

private final class Counted {
    var writes = 0
    var bytes = ByteBuffer()
}

private struct CountingWriter: ResponseBodyWriter {
    let counted: Counted

    mutating func write(_ buffer: ByteBuffer) async throws {
        counted.writes += 1
        var buffer = buffer
        counted.bytes.writeBuffer(&buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
