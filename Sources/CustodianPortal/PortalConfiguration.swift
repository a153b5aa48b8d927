import CustodianCore
import Foundation

/// Settings of the pages customers reach from the internet: one-click unsubscribe and the privacy center.
public struct PortalConfiguration: Sendable {
    /// The keys of unsubscribe links; nil: links cannot be issued and every token is unknown.
    public var unsubscribeKeys: UnsubscribeKeyring?
    /// The key verification codes are derived under (shared with the worker); nil: the privacy center cannot sign
    /// anyone in and says so.
    public var verificationKey: VerificationCodeKey?
    /// The shop as its customers know it, named on every privacy-center page.
    public var shop: PortalShop
    /// The regime the privacy center files requests under.
    public var regime: RequestRegime
    /// The controller's time zone: the day a request is received on.
    public var timeZone: TimeZone
    /// Where the internet reaches these pages (`CUSTODIAN_PUBLIC_URL`): the origin forms must come from, and https
    /// there makes cookies `Secure`. Nil: the request's own host.
    public var publicURL: URL?
    /// Reverse proxies whose `X-Forwarded-For` names the client (rate limits count per client address).
    public var trustedProxies: Set<String>
    public let limits: PortalLimits
    /// The limiters counting against ``limits``: made once here, so every listener of a process shares them.
    let limiters: PortalLimiters

    public init(
        unsubscribeKeys: UnsubscribeKeyring? = nil, verificationKey: VerificationCodeKey? = nil, shop: PortalShop = PortalShop(),
        regime: RequestRegime = .fz152, timeZone: TimeZone = TimeZone(identifier: "Europe/Moscow")!, publicURL: URL? = nil,
        trustedProxies: Set<String> = [], limits: PortalLimits = PortalLimits()
    ) {
        self.unsubscribeKeys = unsubscribeKeys
        self.verificationKey = verificationKey
        self.shop = shop
        self.regime = regime
        self.timeZone = timeZone
        self.publicURL = publicURL
        self.trustedProxies = trustedProxies
        self.limits = limits
        limiters = PortalLimiters(limits)
    }
}

/// The shop's name, its privacy policy and, if it wants the pages in its own look, its stylesheet.
public struct PortalShop: Sendable {
    public var name: String
    public var policyURL: URL?
    /// An absolute http(s) URL, allowed by the pages' Content-Security-Policy; loaded after Custodian's own.
    public var stylesheetURL: URL?

    public init(name: String = "Custodian", policyURL: URL? = nil, stylesheetURL: URL? = nil) {
        self.name = name
        self.policyURL = policyURL
        self.stylesheetURL = stylesheetURL
    }
}

/// How much one client address (or one e-mail address) may ask for, as token buckets.
public struct PortalLimits: Sendable {
    /// Invalid unsubscribe tokens per client address. Valid ones are never counted.
    public var invalidTokens: PortalRateLimit
    /// Verification codes requested per client address.
    public var codeRequestsPerClient: PortalRateLimit
    /// Verification codes requested per e-mail address, known or not.
    public var codeRequestsPerAddress: PortalRateLimit
    /// Codes tried per client address (each code also allows only ``VerificationCode/maximumAttempts`` tries).
    public var codeTriesPerClient: PortalRateLimit
    /// Consent choices and requests per signed-in subject.
    public var actionsPerSubject: PortalRateLimit

    public init(
        invalidTokens: PortalRateLimit = PortalRateLimit(perMinute: 10, burst: 20),
        codeRequestsPerClient: PortalRateLimit = PortalRateLimit(perMinute: 5, burst: 10),
        codeRequestsPerAddress: PortalRateLimit = PortalRateLimit(perMinute: 1, burst: 3),
        codeTriesPerClient: PortalRateLimit = PortalRateLimit(perMinute: 10, burst: 20),
        actionsPerSubject: PortalRateLimit = PortalRateLimit(perMinute: 2, burst: 20)
    ) {
        self.invalidTokens = invalidTokens
        self.codeRequestsPerClient = codeRequestsPerClient
        self.codeRequestsPerAddress = codeRequestsPerAddress
        self.codeTriesPerClient = codeTriesPerClient
        self.actionsPerSubject = actionsPerSubject
    }
}

/// A token bucket's refill rate and size.
public struct PortalRateLimit: Sendable {
    public var perMinute: Int
    public var burst: Int

    public init(perMinute: Int, burst: Int) {
        self.perMinute = perMinute
        self.burst = burst
    }
}
