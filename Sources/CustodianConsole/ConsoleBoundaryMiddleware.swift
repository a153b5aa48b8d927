import HTTPTypes
import Hummingbird
import Logging

/// The console's outermost layer: the security headers on every response, and every error as an HTML page (never
/// the API's problem+json), in the request's language.
struct ConsoleBoundaryMiddleware<Context: RequestContext>: RouterMiddleware {
    let renderer: ConsoleRenderer
    let logger: Logger

    static var securityHeaders: HTTPFields {
        [
            .contentSecurityPolicy: "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            .xFrameOptions: "DENY",
            .referrerPolicy: "no-referrer",
            .xContentTypeOptions: "nosniff",
        ]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await ConsoleRequest.$requestID.withValue(context.id) { try await next(request, context) }
        } catch let failure as ConsoleFailure {
            response = page(for: failure, request: request)
        } catch let error as HTTPError {
            response = page(status: error.status, messageKey: error.status == .notFound ? "error_not_found" : "error_bad_request", request: request)
        } catch {
            // The route, not the path: an enrolment link's path holds its one-time token.
            logger.error("console request failed", metadata: [
                "route": "\(context.endpointPath ?? "unmatched")", "error": "\(String(reflecting: type(of: error)))",
            ])
            response = page(status: .internalServerError, messageKey: "error_internal", request: request)
        }
        for field in Self.securityHeaders where response.headers[field.name] == nil {
            response.headers.append(field)
        }
        return response
    }

    private func page(for failure: ConsoleFailure, request: Request) -> Response {
        if case .loginRequired = failure {
            return Response(status: .seeOther, headers: [.location: "/console/login"])
        }
        return page(status: failure.status, messageKey: failure.messageKey, request: request)
    }

    private func page(status: HTTPResponse.Status, messageKey: String, request: Request) -> Response {
        let language = ConsoleRequest.language(of: request)
        let message = renderer.catalogue.text(messageKey, language)
        return renderer.page(
            "error", title: "error_title", chrome: .anonymous(language, path: ConsoleRequest.returnPath(of: request)),
            page: ErrorView(status: Int(status.code), message: message), status: status)
    }
}

/// The error page's view.
struct ErrorView {
    let status: Int
    let message: String
}

extension HTTPField.Name {
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
