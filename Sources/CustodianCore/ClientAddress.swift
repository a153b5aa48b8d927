/// The client's address, for counting per client (failed logins, invalid unsubscribe tokens): the peer's, or behind a
/// trusted reverse proxy the last address that proxy appended to `X-Forwarded-For`.
public enum ClientAddress {
    public static func resolve(peer: String?, forwardedFor: [String], trustedProxies: Set<String>) -> String {
        let peer = peer ?? "unknown"
        guard trustedProxies.contains(peer), let forwarded = forwardedFor.last?.split(separator: ",").last else { return peer }
        let address = forwarded.trimmingCharacters(in: .whitespaces)
        return address.isEmpty || address.count > 64 ? peer : address
    }
}
