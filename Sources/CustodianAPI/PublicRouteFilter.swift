import Hummingbird

/// On the public listener (`CUSTODIAN_PUBLIC_PORT`), only what must face the internet answers: the customers' pages
/// (`/u/…`, `/privacy…`, their stylesheet), the partners' signed `POST /v1/callbacks/erasure`, the consent-receipt keys,
/// the problem-type pages and liveness. Everything else — the shop's `/v1` API, the DPO console — is a 404 there, before any handler.
struct PublicRouteFilter<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isPublic(method: request.method, path: request.uri.path) else { throw Problem.notFound("resource") }
        return try await next(request, context)
    }

    static func isPublic(method: HTTPRequest.Method, path: String) -> Bool {
        switch (method, path) {
        case (.post, "/v1/callbacks/erasure"), (.get, "/.well-known/consent-receipt-keys"), (.get, "/health/live"), (.get, "/portal.css"):
            return true
        case (.get, _), (.post, _):
            return path.hasPrefix("/u/") || path == "/privacy" || path.hasPrefix("/privacy/")
                || (method == .get && (path == ProblemPages.path || path.hasPrefix(ProblemPages.path + "/")))
        default:
            return false
        }
    }
}
