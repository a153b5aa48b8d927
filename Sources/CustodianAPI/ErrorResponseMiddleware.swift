import Hummingbird
import Logging
import NIOCore

/// The outermost error boundary: every error that reaches the router (unknown routes, unrouted methods, oversized
/// bodies, anything unexpected) becomes an RFC 9457 problem response.
struct ErrorResponseMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = routes.methods(forPath: request.uri.path)
            let problem: Problem = allowed.isEmpty ? .noRoute : .methodNotAllowed(allowed: allowed)
            return try problem.response(from: request, context: context)
        } catch let error as HTTPError {
            let problem = Problem(status: error.status, detail: error.body ?? error.status.reasonPhrase, headers: error.headers)
            return try problem.response(from: request, context: context)
        } catch {
            return try ProblemMapping.problem(for: error, logger: RequestScope.logger).response(from: request, context: context)
        }
    }
}

/// Rejects bodies over the limit with 413 before anything reads them (the OpenAPI runtime itself reads bodies
/// without a bound).
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw Problem.contentTooLarge(limit: limit)
        }
        var request = request
        do {
            _ = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw Problem.contentTooLarge(limit: limit)
        }
        return try await next(request, context)
    }
}
