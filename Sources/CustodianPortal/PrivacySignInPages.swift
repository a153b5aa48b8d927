import Crypto
import CustodianCore
import CustodianStore
import Foundation
import Hummingbird

/// Signing in to the privacy center with a code sent to the customer's e-mail address: `GET /privacy` (the address
/// form), `POST /privacy/code` (sends a code — the same answer whether or not the address is known), `POST
/// /privacy/verify` (a match opens a 30-minute session), `POST /privacy/sign-out`, and the language switch.
struct PrivacySignInPages: Sendable {
    let shared: PrivacyCenter

    func register<Context: RemoteAddressRequestContext>(on group: RouterGroup<Context>) {
        group.get("") { request, _ in
            if let token = PortalRequest.sessionToken(of: request, configuration: shared.configuration),
               try await shared.center.subject(ofSession: token) != nil {
                return Response(status: .seeOther, headers: [.location: "/privacy/account"])
            }
            return shared.page("privacy-email", chrome: shared.chrome(request), page: EmailView(configured: shared.configuration.verificationKey != nil))
        }
        group.post("code") { request, context in
            let form = try await shared.form(request)
            guard shared.configuration.verificationKey != nil else { throw PortalFailure.unavailable }
            guard let email = form["email"].flatMap(PrivacyCenterRules.typedEmail) else {
                return shared.page("privacy-email", chrome: shared.chrome(request), page: EmailView(configured: true, invalid: true),
                                   status: .unprocessableContent)
            }
            try await shared.count(PortalRequest.clientAddress(request, context, configuration: shared.configuration), on: shared.codeRequestsPerClient)
            try await shared.count(Self.addressKey(email), on: shared.codeRequestsPerAddress)
            // One path for every address: only a known one leaves a row and a job behind.
            try await shared.verifications.request(email: email)
            return shared.page("privacy-code", chrome: shared.chrome(request), page: CodeView(email: email))
        }
        group.post("verify") { request, context in
            let form = try await shared.form(request)
            guard let key = shared.configuration.verificationKey else { throw PortalFailure.unavailable }
            guard let email = form["email"].flatMap(PrivacyCenterRules.typedEmail), let code = form.trimmed("code"), code.utf8.count <= 32 else {
                throw PortalFailure.badInput(messageKey: "privacy_bad_request")
            }
            try await shared.count(PortalRequest.clientAddress(request, context, configuration: shared.configuration), on: shared.codeTriesPerClient)
            switch try await shared.verifications.verify(email: email, code: code, key: key) {
            case .verified(let token, _):
                let secure = PortalRequest.isSecure(request, configuration: shared.configuration)
                var response = Response(status: .seeOther, headers: [.location: "/privacy/account"])
                response.setCookie(PortalRequest.cookie(
                    PortalRequest.sessionCookie(secure: secure), token, secure: secure, maxAge: Int(VerificationCode.sessionLifetime)))
                return response
            case .refused(let outcome):
                return shared.page("privacy-code", chrome: shared.chrome(request), page: CodeView(
                    email: email, refusal: shared.renderer.text(Self.messageKey(outcome), PortalRequest.language(of: request))),
                                   status: .unprocessableContent)
            }
        }
        group.post("sign-out") { request, context in
            _ = try await shared.form(request)
            let secure = PortalRequest.isSecure(request, configuration: shared.configuration)
            if let token = PortalRequest.sessionToken(of: request, configuration: shared.configuration) {
                try await shared.center.endSession(token, actor: shared.actor(context))
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
                secure: PortalRequest.isSecure(request, configuration: shared.configuration), httpOnly: true, sameSite: .lax))
            return response
        }
    }

    /// The per-address rate limit's key: the address's SHA-256, so the limiter holds no address.
    static func addressKey(_ email: String) -> String {
        SHA256.hash(data: Data(email.lowercased().utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// What a refused code tells the customer. No code requested for the address reads as a wrong code.
    static func messageKey(_ outcome: VerificationOutcome?) -> String {
        switch outcome {
        case .expired: "privacy_code_expired"
        case .exhausted: "privacy_code_exhausted"
        case .wrong, .accepted, nil: "privacy_code_wrong"
        }
    }
}

/// The address form's view.
struct EmailView {
    /// Whether codes can be sent at all (`CUSTODIAN_PRIVACY_KEY` is set).
    let configured: Bool
    var invalid = false
}

/// The code form's view: the address it was sent to, and why the last try failed.
struct CodeView {
    let email: String
    /// The message of the last refused try.
    var refusal: String?
}
