import HTTPTypes
import NIOConcurrencyHelpers
import OpenAPIRuntime

/// The paths and methods the generated server registered, so an unrouted method on a known path can be answered
/// with 405 and an `Allow` header instead of the router's 404.
final class RouteTable: Sendable {
    private let routes = NIOLockedValueBox<[(template: [Substring], method: HTTPRequest.Method)]>([])

    func add(path: String, method: HTTPRequest.Method) {
        routes.withLockedValue { $0.append((path.split(separator: "/"), method)) }
    }

    /// The methods registered for a concrete path, in registration order; empty when the path is unknown.
    func methods(forPath path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/")
        return routes.withLockedValue { routes in
            routes.filter { Self.matches($0.template, segments) }.map(\.method)
        }
    }

    private static func matches(_ template: [Substring], _ segments: [Substring]) -> Bool {
        guard template.count == segments.count else { return false }
        return zip(template, segments).allSatisfy { pattern, segment in
            (pattern.hasPrefix("{") && pattern.hasSuffix("}")) || pattern == segment
        }
    }
}

/// A transport that records every registered route in a ``RouteTable`` and passes it on.
struct RouteRecordingTransport<Inner: ServerTransport>: ServerTransport {
    let inner: Inner
    let table: RouteTable

    func register(
        _ handler: @escaping @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?),
        method: HTTPRequest.Method, path: String
    ) throws {
        table.add(path: path, method: method)
        try inner.register(handler, method: method, path: path)
    }
}
