import CustodianCore
import Foundation
import HTTPTypes
import Hummingbird

/// What the customers' pages read off a request and set on a response: the language, the privacy center's session and
/// CSRF cookies, whether a form comes from the site itself, the client's address.
enum PortalRequest {
    static let languageCookie = "privacy_lang"

    /// The session cookie's name: with the `__Host-` prefix behind https, so no sibling host can plant one.
    static func sessionCookie(secure: Bool) -> String { secure ? "__Host-privacy_session" : "privacy_session" }
    static func csrfCookie(secure: Bool) -> String { secure ? "__Host-privacy_csrf" : "privacy_csrf" }

    /// The language chosen with the switch (a cookie), else Russian unless the browser prefers English.
    static func language(of request: Request) -> PortalLanguage {
        if let chosen = request.cookies[languageCookie].flatMap({ PortalLanguage(rawValue: $0.value) }) { return chosen }
        return PortalLanguage.of(request)
    }

    static func isSecure(_ request: Request, configuration: PortalConfiguration) -> Bool {
        configuration.publicURL?.scheme == "https" || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    static func sessionToken(of request: Request, configuration: PortalConfiguration) -> String? {
        token(request.cookies[sessionCookie(secure: isSecure(request, configuration: configuration))]?.value)
    }

    static func csrfToken(of request: Request, configuration: PortalConfiguration) -> String? {
        token(request.cookies[csrfCookie(secure: isSecure(request, configuration: configuration))]?.value)
    }

    /// A cookie: `HttpOnly; SameSite=Strict; Path=/`, `Secure` behind https; `maxAge` 0 removes it.
    static func cookie(_ name: String, _ value: String, secure: Bool, maxAge: Int? = nil) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// 32 random bytes, base64url.
    static func newToken() -> String {
        Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Whether a form may be trusted: it comes from the site's own origin (``SameOrigin``) and carries the CSRF cookie's
    /// value in its `csrf` field.
    static func isGenuineForm(_ request: Request, fields: [String: String], configuration: PortalConfiguration) -> Bool {
        guard SameOrigin.allows(
            origin: request.headers[.origin], fetchSite: request.headers[HTTPField.Name("Sec-Fetch-Site")!],
            publicURL: configuration.publicURL, authority: request.head.authority),
            let cookie = csrfToken(of: request, configuration: configuration), let field = fields["csrf"]
        else { return false }
        let x = Array(cookie.utf8), y = Array(field.utf8)
        return x.count == y.count && zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func clientAddress(_ request: Request, _ context: some RemoteAddressRequestContext, configuration: PortalConfiguration) -> String {
        ClientAddress.resolve(
            peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[values: HTTPField.Name("X-Forwarded-For")!],
            trustedProxies: configuration.trustedProxies)
    }

    /// A cookie value that can be one of ours: 16 to 128 URL-safe characters.
    private static func token(_ value: String?) -> String? {
        guard let value, (16...128).contains(value.utf8.count),
              value.utf8.allSatisfy({ $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
        else { return nil }
        return value
    }
}

extension UInt8 {
    fileprivate var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
    }
}
