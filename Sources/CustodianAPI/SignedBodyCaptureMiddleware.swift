import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Keeps the exact bytes of a signed request's body for its handler: a Standard Webhooks signature covers the raw
/// body, which the generated handler otherwise sees only decoded. Applies to ``signedOperations`` only.
struct SignedBodyCaptureMiddleware: ServerMiddleware {
    /// Operations whose bodies are signed by the caller.
    static let signedOperations: Set<String> = ["receiveErasureCallback"]

    let maximumBodySize: Int

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard Self.signedOperations.contains(operationID), let body else { return try await next(request, body, metadata) }
        let bytes = try await [UInt8](collecting: body, upTo: maximumBodySize)
        return try await RequestScope.$signedBody.withValue(Data(bytes)) {
            try await next(request, HTTPBody(bytes), metadata)
        }
    }
}
