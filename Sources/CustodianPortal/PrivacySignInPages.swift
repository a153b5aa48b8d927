import Crypto
import CustodianCore
import CustodianStore
import Foundation
import Hummingbird

/// Signing in to the privacy center with a code sent to the customer's e-mail address: `GET /privacy` (the address
/// form), `POST /privacy/code` (sends a code — the same answer whether or not the address is known), `POST
/// /privacy/verify` (a match opens a 30-minute session; every refusal reads alike), `POST /privacy/sign-out`, and the
/// language switch.
struct PrivacySignInPages: Sendable {
    let shared: PrivacyCenter

    func register<Context: RemoteAddressRequestContext>(on group: RouterGroup<Context>) {
        group.get("") { request, context in
            if let token = PortalRequest.sessionToken(of: request, secure: shared.isSecure(request, context)),
               try await shared.repository.subject(ofSession: token) != nil {
                return Response(status: .seeOther, headers: [.location: "/privacy/account"])
            }
            return shared.page("privacy-email", chrome: shared.chrome(request, context),
                               page: EmailView(configured: shared.configuration.verificationKey != nil))
        }
        group.post("code") { request, context in
            let form = try await shared.form(request, context)
            guard shared.configuration.verificationKey != nil else { throw PortalFailure.unavailable }
            guard let email = form["email"].flatMap({ try? EmailAddress.normalise($0).get() }) else {
                return shared.page("privacy-email", chrome: shared.chrome(request, context), page: EmailView(configured: true, invalid: true),
                                   status: .unprocessableContent)
            }
            try await shared.count(PortalRequest.clientKey(request, context, configuration: shared.configuration), on: shared.limiters.codeRequestsPerClient)
            try await shared.count(Self.addressKey(email), on: shared.limiters.codeRequestsPerAddress)
            // One path for every address: only a known one leaves a row and a job behind.
            try await shared.verifications.request(email: email)
            return shared.page("privacy-code", chrome: shared.chrome(request, context), page: CodeView(email: email))
        }
        group.post("verify") { request, context in
            let form = try await shared.form(request, context)
            guard let key = shared.configuration.verificationKey else { throw PortalFailure.unavailable }
            guard let email = form["email"].flatMap({ try? EmailAddress.normalise($0).get() }), let code = form.trimmed("code"), code.utf8.count <= 32
            else { throw PortalFailure.badInput(messageKey: "privacy_bad_request") }
            try await shared.count(PortalRequest.clientKey(request, context, configuration: shared.configuration), on: shared.limiters.codeTriesPerClient)
            guard case .verified(let token, _) = try await shared.verifications.verify(email: email, code: code, key: key) else {
                // Wrong, expired, tried too often, or never sent (an unknown address): one answer, so that none of
                // them tells whether the address is a customer's.
                return shared.page("privacy-code", chrome: shared.chrome(request, context), page: CodeView(email: email, refused: true),
                                   status: .unprocessableContent)
            }
            let secure = shared.isSecure(request, context)
            if let previous = PortalRequest.sessionToken(of: request, secure: secure) {
                try await shared.repository.endSession(previous, actor: shared.actor(context))
            }
            var response = Response(status: .seeOther, headers: [.location: "/privacy/account"])
            response.setCookie(PortalRequest.cookie(
                PortalRequest.sessionCookie(secure: secure), token, secure: secure, maxAge: Int(VerificationCode.sessionLifetime)))
            return response
        }
        group.post("sign-out") { request, context in
            _ = try await shared.form(request, context)
            let secure = shared.isSecure(request, context)
            if let token = PortalRequest.sessionToken(of: request, secure: secure) {
                try await shared.repository.endSession(token, actor: shared.actor(context))
            }
            var response = Response(status: .seeOther, headers: [.location: "/privacy"])
            response.setCookie(PortalRequest.cookie(PortalRequest.sessionCookie(secure: secure), "", secure: secure, maxAge: 0))
            return response
        }
        group.get("language/:language") { request, context in
            guard let language = PortalLanguage(rawValue: try context.parameters.require("language")) else { throw PortalFailure.notFound }
            var response = Response(status: .seeOther, headers: [.location: "/privacy"])
            response.setCookie(Cookie(
                name: PortalRequest.languageCookie, value: language.rawValue, maxAge: 365 * 86400, path: "/",
                secure: shared.isSecure(request, context), httpOnly: true, sameSite: .lax))
            return response
        }
    }

    /// The per-address rate limit's key: the address's SHA-256, so the limiter holds no address.
    static func addressKey(_ email: String) -> String {
        SHA256.hash(data: Data(email.lowercased().utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// The address form's view.
struct EmailView {
    /// Whether codes can be sent at all (`CUSTODIAN_PRIVACY_KEY` is set).
    let configured: Bool
    var invalid = false
}

/// The code form's view: the address it was sent to, and whether the last try was refused.
struct CodeView {
    let email: String
    var refused = false
}
