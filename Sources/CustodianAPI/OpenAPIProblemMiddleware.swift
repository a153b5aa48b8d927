import HTTPTypes
import OpenAPIRuntime

/// The error boundary of the generated server: errors of handlers, of the other middlewares and of request decoding
/// become problem responses here (RFC 9457), with 4xx statuses for what the client got wrong.
struct OpenAPIProblemMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        do {
            return try await next(request, body, metadata)
        } catch {
            let problem = ProblemMapping.problem(for: error, logger: RequestScope.logger)
            return (HTTPResponse(status: problem.status, headerFields: problem.responseHeaders), HTTPBody(problem.body))
        }
    }
}
