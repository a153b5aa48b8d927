import CustodianCore
import CustodianStore
import Foundation
import HTTPTypes
import Hummingbird

/// One-click unsubscribe (RFC 8058, RFC 2369): `POST /u/{token}` with `List-Unsubscribe=One-Click` (form-encoded or
/// multipart, no cookie, no authentication) withdraws the consent the token names and answers 200 without a redirect;
/// `GET /u/{token}` changes nothing and shows a button that makes the same POST. A replay changes nothing; a tampered,
/// unknown or revoked token is a 404 page, and only such tokens count against the client address's limit.
struct UnsubscribePages: Sendable {
    let renderer: PortalRenderer
    let consents: ConsentRepository
    let configuration: PortalConfiguration

    /// The largest body a one-click POST may have.
    static let maximumBodySize = 16 * 1024

    func register<Context: RemoteAddressRequestContext>(on router: Router<Context>) {
        router.get("u/:token") { request, context in
            let chrome = PortalChrome(language: PortalRequest.language(of: request))
            guard let claim = try verify(context) else { return try await unknown(request, context, chrome: chrome) }
            let token = try context.parameters.require("token")
            return renderer.page("unsubscribe", title: "unsubscribe_title", chrome: chrome,
                                 page: UnsubscribeView(token: token, purpose: claim.purpose))
        }
        router.post("u/:token") { request, context in
            let chrome = PortalChrome(language: PortalRequest.language(of: request))
            guard let claim = try verify(context) else { return try await unknown(request, context, chrome: chrome) }
            var request = request
            let body = try await request.collectBody(upTo: Self.maximumBodySize)
            guard Self.isOneClick(String(buffer: body), contentType: request.headers[.contentType]) else {
                return renderer.page("unsubscribe-bad", title: "unsubscribe_title", chrome: chrome, page: UnsubscribeView(token: "", purpose: ""),
                                     status: .badRequest)
            }
            let actor = AuditActor.subject(requestID: "unsubscribe-link-\(claim.tokenID)")
            switch try await consents.withdraw(by: claim, actor: actor) {
            case .withdrawn, .alreadyWithdrawn:
                return renderer.page("unsubscribed", title: "unsubscribe_title", chrome: chrome,
                                     page: UnsubscribeView(token: "", purpose: claim.purpose))
            case .unknownSubject:
                return try await unknown(request, context, chrome: chrome)
            }
        }
    }

    private func verify(_ context: some RemoteAddressRequestContext) throws -> UnsubscribeClaim? {
        guard let keys = configuration.unsubscribeKeys else { return nil }
        return keys.verify(try context.parameters.require("token"))
    }

    /// A token that is not ours: a 404 page, counted against the client; 429 once the client has sent too many.
    private func unknown(_ request: Request, _ context: some RemoteAddressRequestContext, chrome: PortalChrome) async throws -> Response {
        if let wait = await configuration.limiters.invalidTokens.count(PortalRequest.clientKey(request, context, configuration: configuration)) {
            var response = renderer.page("too-many", title: "unsubscribe_title", chrome: chrome, page: UnsubscribeView(token: "", purpose: ""),
                                         status: .tooManyRequests)
            response.headers[.retryAfter] = String(wait)
            return response
        }
        return renderer.page("not-found", title: "not_found_title", chrome: chrome, page: UnsubscribeView(token: "", purpose: ""), status: .notFound)
    }

    /// Whether the body is RFC 8058's `List-Unsubscribe=One-Click`, form-encoded or as a multipart field.
    static func isOneClick(_ body: String, contentType: String?) -> Bool {
        let type = contentType?.lowercased() ?? ""
        if type.hasPrefix("multipart/form-data") {
            return body.range(of: #"name="List-Unsubscribe"\r?\n\r?\nOne-Click\r?\n"#, options: .regularExpression) != nil
        }
        return body.split(separator: "&").contains { $0.trimmingCharacters(in: .whitespacesAndNewlines) == ListUnsubscribeHeaders.postValue }
    }
}

/// The unsubscribe pages' view.
struct UnsubscribeView {
    let token: String
    let purpose: String
}
