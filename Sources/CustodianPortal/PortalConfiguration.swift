import CustodianCore

/// Settings of the pages customers reach from the internet.
public struct PortalConfiguration: Sendable {
    /// The keys of unsubscribe links; nil: links cannot be issued and every token is unknown.
    public var unsubscribeKeys: UnsubscribeKeyring?
    /// Reverse proxies whose `X-Forwarded-For` names the client (rate limits count per client address).
    public var trustedProxies: Set<String>
    /// Invalid tokens one client address may send per minute, in bursts of up to ``invalidTokenBurst``.
    public var invalidTokensPerMinute: Int
    public var invalidTokenBurst: Int

    public init(
        unsubscribeKeys: UnsubscribeKeyring? = nil, trustedProxies: Set<String> = [], invalidTokensPerMinute: Int = 10, invalidTokenBurst: Int = 20
    ) {
        self.unsubscribeKeys = unsubscribeKeys
        self.trustedProxies = trustedProxies
        self.invalidTokensPerMinute = invalidTokensPerMinute
        self.invalidTokenBurst = invalidTokenBurst
    }
}
