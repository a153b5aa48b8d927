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

    /// The page a language switch on this request's page comes back to: its own path for a GET, the page a form was
    /// posted from for a POST (a search, a reveal, a command, a settings change).
    static func returnPath(of request: Request) -> String {
        let path = request.uri.path
        guard request.method == .post else { return isConsolePath(path) ? path : "/console/inbox" }
        if path.hasPrefix("/console/settings") { return "/console/settings" }
        if path.hasPrefix("/console/jobs/") { return "/console/queue" }
        if path == "/console/login" || path.hasPrefix("/console/enrol/") { return isConsolePath(path) ? path : "/console/login" }
        let parent = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
        return isConsolePath(parent) ? parent : "/console/inbox"
    }

    /// Whether `path` is a plain console path (letters, digits, `_` and `-` between slashes): nothing that could leave
    /// the console or need escaping in a URL.
    static func isConsolePath(_ path: String) -> Bool {
        guard path == "/console" || path.hasPrefix("/console/") else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().allSatisfy { segment in
            !segment.isEmpty && segment.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        }
    }

    static func sessionToken(of request: Request) -> ConsoleToken? {
        guard let value = request.cookies[sessionCookie]?.value, !value.isEmpty, value.count <= 128 else { return nil }
        return ConsoleToken(text: value)
    }

    /// Whether the page was reached over https: the public URL says so, or the proxy in front of the server does.
    static func isSecure(_ request: Request, configuration: ConsoleConfiguration) -> Bool {
        configuration.publicURL?.scheme == "https" || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    /// Whether a state-changing request comes from the console's own origin (``SameOrigin``).
    static func hasOwnOrigin(_ request: Request, configuration: ConsoleConfiguration) -> Bool {
        SameOrigin.allows(
            origin: request.headers[.origin], fetchSite: request.headers[HTTPField.Name("Sec-Fetch-Site")!],
            publicURL: configuration.publicURL, authority: request.head.authority)
    }

    /// The session cookie: `HttpOnly; SameSite=Strict; Path=/`, `Secure` behind https; an empty value with max-age 0
    /// removes it.
    static func sessionCookie(_ value: String, secure: Bool, remove: Bool = false) -> Cookie {
        Cookie(name: sessionCookie, value: value, maxAge: remove ? 0 : nil, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// The client's address, for counting failed logins per address: the peer's, or behind a trusted reverse proxy
    /// (``ConsoleConfiguration/trustedProxies``) the last address that proxy appended to `X-Forwarded-For`.
    static func clientAddress(_ request: Request, _ context: some RemoteAddressRequestContext, configuration: ConsoleConfiguration) -> String {
        ClientAddress.resolve(
            peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[values: HTTPField.Name("X-Forwarded-For")!],
            trustedProxies: configuration.trustedProxies)
    }
}
