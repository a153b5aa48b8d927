import CustodianCore
import CustodianStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// What the console reads off a request: its language, its session cookie, whether its form may be trusted.
enum ConsoleRequest {
    static let sessionCookie = "console_session"
    static let languageCookie = "console_lang"

    /// The language chosen with the switch (a cookie), else the best of `Accept-Language`.
    static func language(of request: Request) -> ConsoleLanguage {
        if let chosen = request.cookies[languageCookie].flatMap({ ConsoleLanguage(rawValue: $0.value) }) { return chosen }
        return ConsoleLanguage.negotiate(acceptLanguage: request.headers[.acceptLanguage])
    }

    /// The id of the request being answered (Hummingbird's, echoed in `X-Request-Id`), set by
    /// ``ConsoleBoundaryMiddleware``: audit rows name the request by it.
    @TaskLocal static var requestID = ""

    static func sessionToken(of request: Request) -> ConsoleToken? {
        guard let value = request.cookies[sessionCookie]?.value, !value.isEmpty, value.count <= 128 else { return nil }
        return ConsoleToken(text: value)
    }

    /// Whether the page was reached over https: the public URL says so, or the proxy in front of the server does.
    static func isSecure(_ request: Request, configuration: ConsoleConfiguration) -> Bool {
        configuration.publicURL?.scheme == "https" || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    /// Whether a state-changing request comes from the console's own origin: `Origin` names the public URL's origin,
    /// or (without one) this request's `Host`. Under `Referrer-Policy: no-referrer` browsers send `Origin: null` with
    /// form POSTs (Fetch, "append a request Origin header"); then the browser's `Sec-Fetch-Site: same-origin`, which
    /// no page can forge, must say so instead.
    static func hasOwnOrigin(_ request: Request, configuration: ConsoleConfiguration) -> Bool {
        let origin = request.headers[.origin]?.lowercased()
        if origin == nil || origin == "null" {
            return request.headers[HTTPField.Name("Sec-Fetch-Site")!]?.lowercased() == "same-origin"
        }
        guard let origin else { return false }
        if let publicURL = configuration.publicURL, let scheme = publicURL.scheme, let host = publicURL.host {
            let port = publicURL.port.map { ":\($0)" } ?? ""
            return origin == "\(scheme)://\(host)\(port)".lowercased()
        }
        guard let host = request.head.authority else { return false }
        return origin == "http://\(host)".lowercased() || origin == "https://\(host)".lowercased()
    }

    /// The session cookie: `HttpOnly; SameSite=Strict; Path=/`, `Secure` behind https; an empty value with max-age 0
    /// removes it.
    static func sessionCookie(_ value: String, secure: Bool, remove: Bool = false) -> Cookie {
        Cookie(name: sessionCookie, value: value, maxAge: remove ? 0 : nil, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// The client's address, for counting failed logins per address.
    static func clientAddress(_ context: some RemoteAddressRequestContext) -> String {
        context.remoteAddress?.ipAddress ?? "unknown"
    }
}
