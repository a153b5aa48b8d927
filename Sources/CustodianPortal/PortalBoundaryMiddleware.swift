import CustodianDatabase
import CustodianStore
import Hummingbird
import Logging

/// The privacy center's outermost layer: every failure as a message page in the request's language (never the API's
/// problem+json), a missing session as a redirect to the sign-in page, and an unexpected error logged by route only —
/// the path and the form may hold personal data.
struct PortalBoundaryMiddleware<Context: RequestContext>: RouterMiddleware {
    let renderer: PortalRenderer
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let chrome = PortalChrome(language: PortalRequest.language(of: request))
        do {
            return try await next(request, context)
        } catch let failure as PortalFailure {
            if case .signInRequired = failure { return Response(status: .seeOther, headers: [.location: "/privacy"]) }
            var response = message(failure.messageKey, chrome: chrome, status: failure.status)
            if case .tooMany(let wait) = failure { response.headers[.retryAfter] = String(wait) }
            return response
        } catch is SubjectBusy, is DatabaseBusy, is DatabaseUnavailable {
            // The customer's data are being sent somewhere, or the database is overloaded: a moment later will do.
            var response = message("privacy_busy", chrome: chrome, status: .serviceUnavailable)
            response.headers[.retryAfter] = "5"
            return response
        } catch let error as HTTPError {
            return message(error.status == .notFound ? "privacy_not_found" : "privacy_bad_request", chrome: chrome, status: error.status)
        } catch {
            logger.error("privacy center request failed", metadata: [
                "route": "\(context.endpointPath ?? "unmatched")", "error": "\(String(reflecting: type(of: error)))",
            ])
            return message("privacy_internal", chrome: chrome, status: .internalServerError)
        }
    }

    private func message(_ key: String, chrome: PortalChrome, status: HTTPResponse.Status) -> Response {
        renderer.page("privacy-message", title: "privacy_title", chrome: chrome, page: MessageView(message: renderer.text(key, chrome.language)),
                      status: status)
    }
}
