import CustodianConsole
import CustodianCore
import CustodianDatabase
import CustodianStore
import Foundation
import Hummingbird

/// What every privacy-center page shares: the renderer, the settings, the stores, the rate limits, and the checks a
/// request passes — a genuine form, a live session.
struct PrivacyCenter: Sendable {
    let renderer: PortalRenderer
    let configuration: PortalConfiguration
    let verifications: PrivacyVerificationRepository
    let repository: PrivacyCenterRepository
    let database: Database

    var limiters: PortalLimiters { configuration.limiters }

    init(renderer: PortalRenderer, configuration: PortalConfiguration, database: Database) {
        self.renderer = renderer
        self.configuration = configuration
        self.database = database
        verifications = PrivacyVerificationRepository(database: database)
        repository = PrivacyCenterRepository(database: database)
    }

    func isSecure(_ request: Request, _ context: some RemoteAddressRequestContext) -> Bool {
        PortalRequest.isSecure(request, context, configuration: configuration)
    }

    /// The page's chrome with the CSRF token of its forms: the browser's cookie, or a new one (`cookie`, to be set).
    func chrome(_ request: Request, _ context: some RemoteAddressRequestContext, signedIn: Bool = false) -> (chrome: PortalChrome, cookie: Cookie?) {
        let language = PortalRequest.language(of: request)
        let secure = isSecure(request, context)
        if let token = PortalRequest.csrfToken(of: request, secure: secure) {
            return (PortalChrome(language: language, csrf: token, signedIn: signedIn), nil)
        }
        let token = RandomToken.make()
        return (PortalChrome(language: language, csrf: token, signedIn: signedIn),
                PortalRequest.cookie(PortalRequest.csrfCookie(secure: secure), token, secure: secure))
    }

    /// A page with its CSRF cookie set when it is new.
    func page(_ template: String, chrome: (chrome: PortalChrome, cookie: Cookie?), page: Any, status: HTTPResponse.Status = .ok) -> Response {
        var response = renderer.page(template, title: "privacy_title", chrome: chrome.chrome, page: page, status: status)
        if let cookie = chrome.cookie { response.setCookie(cookie) }
        return response
    }

    /// The fields of a form that came from this site with its CSRF token; ``PortalFailure/forgedForm`` otherwise.
    func form(_ request: Request, _ context: some RemoteAddressRequestContext) async throws -> FormFields {
        let fields: FormFields
        do {
            fields = try await FormFields(request: request)
        } catch {
            throw PortalFailure.badInput(messageKey: "privacy_bad_request")
        }
        guard PortalRequest.isGenuineForm(request, fields: fields.values, secure: isSecure(request, context), configuration: configuration) else {
            throw PortalFailure.forgedForm
        }
        return fields
    }

    /// The subject of the request's live session; ``PortalFailure/signInRequired`` without one.
    func subject(of request: Request, _ context: some RemoteAddressRequestContext) async throws -> UUID {
        guard let token = PortalRequest.sessionToken(of: request, secure: isSecure(request, context)),
              let subjectID = try await repository.subject(ofSession: token)
        else { throw PortalFailure.signInRequired }
        return subjectID
    }

    /// The subject acting in the privacy center, named by the request's id.
    func actor(_ context: some RequestContext) -> AuditActor {
        .subject(requestID: "privacy-center-\(context.id)")
    }

    /// Counts one request against `limiter`; ``PortalFailure/tooMany(retryAfter:)`` past its limit.
    func count(_ key: String, on limiter: KeyedRateLimiter) async throws {
        if let wait = await limiter.count(key) { throw PortalFailure.tooMany(retryAfter: wait) }
    }
}
