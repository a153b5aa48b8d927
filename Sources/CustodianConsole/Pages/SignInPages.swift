import CustodianCore
import CustodianStore
import Foundation
import Hummingbird

/// Login, logout, the language switch, and enrolment through a one-time link (password, and TOTP for the dpo role).
/// Logins and logouts are audited under the user's name.
struct SignInPages: ConsolePageGroup {
    static let loginAction = "console.login"
    static let logoutAction = "console.logout"

    let shared: ConsolePages
    let sessions: ConsoleSessionRepository
    let users: ConsoleUserRepository

    func register<Context: RemoteAddressRequestContext>(on console: RouterGroup<Context>) {
        console.get("login") { request, _ in loginPage(request, messageKey: nil, status: .ok) }
        console.post("login") { request, context in try await logIn(request, clientAddress: ConsoleRequest.clientAddress(request, context, configuration: configuration)) }
        console.post("logout") { request, _ in try await logOut(request) }
        console.get("language/:language") { request, context in
            try switchLanguage(request, to: context.parameters.require("language"))
        }
        console.get("enrol/:token") { request, context in
            try await enrolPage(request, token: ConsoleToken(text: context.parameters.require("token")))
        }
        console.post("enrol/:token") { request, context in
            try await enrol(request, token: ConsoleToken(text: context.parameters.require("token")))
        }
    }

    private func loginPage(_ request: Request, messageKey: String?, status: HTTPResponse.Status) -> Response {
        let language = ConsoleRequest.language(of: request)
        return renderer.page(
            "login", title: "login_title", chrome: .anonymous(language, path: "/console/login"),
            page: MessageView(message: messageKey.map { renderer.catalogue.text($0, language) }), status: status)
    }

    private func logIn(_ request: Request, clientAddress: String) async throws -> Response {
        guard ConsoleRequest.hasOwnOrigin(request, configuration: configuration) else { throw ConsoleFailure.forgedForm }
        let form = try await FormFields(request: request)
        let outcome = try await sessions.logIn(
            email: form["email"] ?? "", password: form["password"] ?? "", totpCode: form.trimmed("code"), clientAddress: clientAddress)
        switch outcome {
        case .loggedIn(let session, let token):
            // A new session at every login; the one this browser had before ends.
            if let previous = ConsoleRequest.sessionToken(of: request) { try await sessions.end(previous) }
            try await ConsoleActivity(database: database).audit(
                action: Self.loginAction, subjectID: nil, actor: AuditActor(userID: session.user.id, requestID: ConsoleRequest.requestID))
            var response = Response(status: .seeOther, headers: [.location: "/console/inbox"])
            response.setCookie(ConsoleRequest.sessionCookie(token.text, secure: ConsoleRequest.isSecure(request, configuration: configuration)))
            return response
        case .refused:
            return loginPage(request, messageKey: "login_refused", status: .unauthorized)
        case .throttled:
            var response = loginPage(request, messageKey: "login_throttled", status: .tooManyRequests)
            response.headers[.retryAfter] = String(Int(LoginThrottle.window))
            return response
        }
    }

    private func logOut(_ request: Request) async throws -> Response {
        let (signedIn, _) = try await guardian.form(request)
        if let token = ConsoleRequest.sessionToken(of: request) { try await sessions.end(token) }
        try await ConsoleActivity(database: database).audit(action: Self.logoutAction, subjectID: nil, actor: signedIn.actor)
        var response = Response(status: .seeOther, headers: [.location: "/console/login"])
        response.setCookie(ConsoleRequest.sessionCookie("", secure: ConsoleRequest.isSecure(request, configuration: configuration), remove: true))
        return response
    }

    private func switchLanguage(_ request: Request, to code: String) throws -> Response {
        guard let language = ConsoleLanguage(rawValue: code) else { throw ConsoleFailure.notFound }
        // Back to the console page the switch was on; never anywhere else.
        let back = request.uri.queryParameters.get("back").flatMap { ConsoleRequest.isConsolePath($0) ? $0 : nil }
        var response = Response(status: .seeOther, headers: [.location: back ?? "/console/inbox"])
        response.setCookie(Cookie(
            name: ConsoleRequest.languageCookie, value: language.rawValue, maxAge: 365 * 86400, path: "/console",
            secure: ConsoleRequest.isSecure(request, configuration: configuration), httpOnly: true, sameSite: .strict))
        return response
    }

    private func enrolPage(_ request: Request, token: ConsoleToken) async throws -> Response {
        guard let user = try await users.enrolling(token) else { throw ConsoleFailure.badInput(messageKey: "enrol_link_invalid") }
        return enrolForm(request, user: user, totp: user.role.requiresSecondFactor ? TOTP.generate() : nil, messageKey: nil, status: .ok)
    }

    private func enrolForm(_ request: Request, user: ConsoleUser, totp: TOTP?, messageKey: String?, status: HTTPResponse.Status) -> Response {
        let language = ConsoleRequest.language(of: request)
        let view = EnrolView(
            email: user.email, role: user.role.rawValue, action: request.uri.path, secret: totp?.base32Secret,
            uri: totp?.provisioningURI(issuer: configuration.issuer, account: user.email),
            message: messageKey.map { renderer.catalogue.text($0, language) }, minimumLength: ConsolePasswordRule.minimumLength)
        return renderer.page("enrol", title: "enrol_title", chrome: .anonymous(language, path: ConsoleRequest.returnPath(of: request)), page: view, status: status)
    }

    private func enrol(_ request: Request, token: ConsoleToken) async throws -> Response {
        guard ConsoleRequest.hasOwnOrigin(request, configuration: configuration) else { throw ConsoleFailure.forgedForm }
        guard let user = try await users.enrolling(token) else { throw ConsoleFailure.badInput(messageKey: "enrol_link_invalid") }
        let form = try await FormFields(request: request)
        let totp = form.trimmed("secret").flatMap(TOTP.init(base32Secret:))
        if user.role.requiresSecondFactor && totp == nil {
            return enrolForm(request, user: user, totp: TOTP.generate(), messageKey: "enrol_code_wrong", status: .badRequest)
        }
        let password = form["password"] ?? ""
        guard password == form["password_again"] else {
            return enrolForm(request, user: user, totp: totp, messageKey: "enrol_passwords_differ", status: .badRequest)
        }
        do {
            _ = try await users.enrol(token, password: password, totp: totp, code: form.trimmed("code"))
        } catch let refusal as ConsoleEnrolmentRefusal {
            switch refusal {
            case .passwordUnacceptable:
                return enrolForm(request, user: user, totp: totp, messageKey: "enrol_password_short", status: .badRequest)
            case .secondFactorRequired:
                return enrolForm(request, user: user, totp: totp, messageKey: "enrol_code_wrong", status: .badRequest)
            case .linkInvalid, .invalidEmail, .duplicate:
                throw ConsoleFailure.badInput(messageKey: "enrol_link_invalid")
            }
        }
        let language = ConsoleRequest.language(of: request)
        return renderer.page(
            "enrolled", title: "enrol_title", chrome: .anonymous(language, path: ConsoleRequest.returnPath(of: request)), page: MessageView(message: nil))
    }
}

/// A page that may show one message.
struct MessageView {
    let message: String?
}

/// The enrolment page: the user, and for the dpo role the TOTP secret to add to an authenticator app.
struct EnrolView {
    let email: String
    let role: String
    let action: String
    let secret: String?
    let uri: String?
    let message: String?
    let minimumLength: Int
}
