/// The client's address, for counting per client (failed logins, invalid unsubscribe tokens): the peer's, or behind a
/// trusted reverse proxy the last address that proxy appended to `X-Forwarded-For`.
public enum ClientAddress {
    public static func resolve(peer: String?, forwardedFor: [String], trustedProxies: Set<String>) -> String {
        let peer = peer ?? "unknown"
        guard trustedProxies.contains(peer), let forwarded = forwardedFor.last?.split(separator: ",").last else { return peer }
        let address = forwarded.trimmingCharacters(in: .whitespaces)
        return address.isEmpty || address.count > 64 ? peer : address
    }

    /// The key a rate limit counts `address` under: an IPv6 client by its /64 (one customer's network holds a whole
    /// /64 and could rotate through it), anything else as it is.
    public static func limitKey(_ address: String) -> String {
        guard let groups = IPAddressTruncation.ipv6(address) else { return address }
        if groups[0..<5].allSatisfy({ $0 == 0 }), groups[5] == 0xFFFF { return address }
        return groups[0..<4].map { String($0, radix: 16) }.joined(separator: ":") + "::/64"
    }
}
