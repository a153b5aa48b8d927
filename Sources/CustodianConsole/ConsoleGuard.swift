import CustodianCore
import CustodianStore
import Foundation
import HTTPTypes
import Hummingbird

/// A request made in a live console session.
struct SignedInRequest: Sendable {
    let session: ConsoleSession
    let chrome: PageChrome
    /// The audit actor of whatever the request does: the user, and an id for the request.
    let actor: AuditActor

    var language: ConsoleLanguage { chrome.language }
}

/// Lets a request in only with a live session; a form only with its session's CSRF token from the console's own
/// origin; an action only for a role that may act.
struct ConsoleGuard: Sendable {
    let sessions: ConsoleSessionRepository
    let configuration: ConsoleConfiguration

    /// A page view: any role.
    func signedIn(_ request: Request) async throws -> SignedInRequest {
        guard let token = ConsoleRequest.sessionToken(of: request), let session = try await sessions.session(token) else {
            throw ConsoleFailure.loginRequired
        }
        let language = ConsoleRequest.language(of: request)
        let chrome = PageChrome(
            language: language, user: session.user.email, role: session.user.role.rawValue, canAct: session.user.role.mayAct,
            csrf: session.csrfToken, path: ConsoleRequest.returnPath(of: request))
        return SignedInRequest(
            session: session, chrome: chrome, actor: AuditActor(userID: session.user.id, requestID: ConsoleRequest.requestID))
    }

    /// A form that reads (a search, a reveal): any role, with the session's CSRF token, from the console's origin.
    func form(_ request: Request) async throws -> (SignedInRequest, FormFields) {
        guard ConsoleRequest.hasOwnOrigin(request, configuration: configuration) else { throw ConsoleFailure.forgedForm }
        let signedIn = try await signedIn(request)
        let form = try await FormFields(request: request)
        guard let token = form["csrf"], ConstantTime.equal(token.utf8, signedIn.session.csrfToken.utf8) else { throw ConsoleFailure.forgedForm }
        return (signedIn, form)
    }

    /// A form that changes something: as ``form(_:)``, and only for a role that may act.
    func action(_ request: Request) async throws -> (SignedInRequest, FormFields) {
        let (signedIn, form) = try await form(request)
        guard signedIn.session.user.role.mayAct else { throw ConsoleFailure.forbidden }
        return (signedIn, form)
    }
}

extension ConsoleRole {
    /// Whether the role changes anything (a viewer sees and never acts).
    var mayAct: Bool {
        switch self {
        case .dpo: true
        case .viewer: false
        }
    }
}
