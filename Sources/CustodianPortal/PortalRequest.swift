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

    /// Whether the page was reached over https: the public URL says so, or a trusted proxy in front does
    /// (`X-Forwarded-Proto`, believed only from ``PortalConfiguration/trustedProxies``).
    static func isSecure(_ request: Request, _ context: some RemoteAddressRequestContext, configuration: PortalConfiguration) -> Bool {
        if configuration.publicURL?.scheme == "https" { return true }
        guard let peer = context.remoteAddress?.ipAddress, configuration.trustedProxies.contains(peer) else { return false }
        return request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    static func sessionToken(of request: Request, secure: Bool) -> String? {
        token(request.cookies[sessionCookie(secure: secure)]?.value)
    }

    static func csrfToken(of request: Request, secure: Bool) -> String? {
        token(request.cookies[csrfCookie(secure: secure)]?.value)
    }

    /// A cookie: `HttpOnly; SameSite=Strict; Path=/`, `Secure` behind https; `maxAge` 0 removes it.
    static func cookie(_ name: String, _ value: String, secure: Bool, maxAge: Int? = nil) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// Whether a form may be trusted: it comes from the site's own origin (``SameOrigin``) and carries the CSRF cookie's
    /// value in its `csrf` field.
    static func isGenuineForm(_ request: Request, fields: [String: String], secure: Bool, configuration: PortalConfiguration) -> Bool {
        guard SameOrigin.allows(
            origin: request.headers[.origin], fetchSite: request.headers[HTTPField.Name("Sec-Fetch-Site")!],
            publicURL: configuration.publicURL, authority: request.head.authority),
            let cookie = csrfToken(of: request, secure: secure), let field = fields["csrf"]
        else { return false }
        return ConstantTime.equal(cookie.utf8, field.utf8)
    }

    /// The key the client's requests are counted under: its address (its /64 for IPv6), behind a trusted proxy the
    /// address the proxy names.
    static func clientKey(_ request: Request, _ context: some RemoteAddressRequestContext, configuration: PortalConfiguration) -> String {
        ClientAddress.limitKey(clientAddress(request, context, configuration: configuration))
    }

    static func clientAddress(_ request: Request, _ context: some RemoteAddressRequestContext, configuration: PortalConfiguration) -> String {
        ClientAddress.resolve(
            peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[values: HTTPField.Name("X-Forwarded-For")!],
            trustedProxies: configuration.trustedProxies)
    }

    /// A cookie value that can be one of ours: 16 to 128 URL-safe characters.
    private static func token(_ value: String?) -> String? {
        guard let value, (16...128).contains(value.utf8.count),
              value.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") })
        else { return nil }
        return value
    }
}
