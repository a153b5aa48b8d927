import CustodianCore
import Foundation

/// Settings of the DPO console, read from the environment by the executable.
public struct ConsoleConfiguration: Sendable {
    /// The controller's time zone: every date and time the console shows is in it.
    public var timeZone: TimeZone
    /// Keys the hashes an erased subject's e-mail and phone are kept under (passed on to the request work).
    public var identityHasher: IdentityHasher?
    /// PBKDF2 iterations of new password hashes (tests use fewer than the default).
    public var passwordIterations: Int
    /// The public base URL (`CUSTODIAN_PUBLIC_URL`): when it is https, cookies are `Secure` and it is the origin forms
    /// must come from. Without it the origin is the request's own `Host`.
    public var publicURL: URL?
    /// The issuer name authenticator apps show beside the TOTP code.
    public var issuer: String
    /// Which recipient base URLs are acceptable: the API's rule, for the recipient edit form.
    public var outboundPolicy: OutboundAddressPolicy
    /// Addresses of reverse proxies in front of the server: for a request from one of them, the client is the last
    /// address of `X-Forwarded-For` (failed logins are counted per client address).
    public var trustedProxies: Set<String>

    public init(
        timeZone: TimeZone = TimeZone(identifier: "Europe/Moscow")!, identityHasher: IdentityHasher? = nil,
        passwordIterations: Int = PasswordHash.defaultIterations, publicURL: URL? = nil, issuer: String = "Custodian",
        trustedProxies: Set<String> = [], outboundPolicy: OutboundAddressPolicy = OutboundAddressPolicy()
    ) {
        self.timeZone = timeZone
        self.identityHasher = identityHasher
        self.passwordIterations = passwordIterations
        self.publicURL = publicURL
        self.issuer = issuer
        self.trustedProxies = trustedProxies
        self.outboundPolicy = outboundPolicy
    }
}
