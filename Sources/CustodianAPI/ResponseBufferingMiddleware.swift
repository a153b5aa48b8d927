import HTTPTypes
import Hummingbird
import NIOCore

/// Turns a response body of known length that is written by a closure (as the OpenAPI transport writes every generated
/// response) into one buffer, so Hummingbird sends head, body and end in one write to the channel instead of three:
/// each write is a hop to the connection's event loop and a socket write of its own. Streams of unknown length pass
/// as they are. A body written in one piece is kept as that buffer, not copied.
struct ResponseBufferingMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard let length = response.body.contentLength, length > 0 else { return response }
        let collected = CollectedBody()
        try await response.body.write(CollectingBodyWriter(collected: collected))
        response.body = ResponseBody(byteBuffer: collected.buffer ?? ByteBuffer())
        return response
    }
}

/// Where ``CollectingBodyWriter`` puts the bytes (the writer itself is consumed by the body it collects).
private final class CollectedBody {
    /// The first buffer written, with every later one appended; nil until one is written.
    var buffer: ByteBuffer?
}

/// A body writer that keeps the first buffer in a ``CollectedBody`` and appends every later one to it.
private struct CollectingBodyWriter: ResponseBodyWriter {
    let collected: CollectedBody

    mutating func write(_ buffer: ByteBuffer) async throws {
        guard collected.buffer != nil else {
            collected.buffer = buffer
            return
        }
        var buffer = buffer
        collected.buffer?.writeBuffer(&buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
