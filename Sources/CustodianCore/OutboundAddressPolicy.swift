import Foundation

/// Where Custodian may send personal data: https base URLs only, and never to private, loopback, link-local or
/// metadata addresses, except hosts on an explicit allow-list (127.0.0.1 in tests and the demo). Guards against SSRF.
public struct OutboundAddressPolicy: Sendable, Equatable {
    /// Lowercased host names or IP literals that may be called over plain http and at any address.
    public let allowedHosts: Set<String>
    /// Addresses a resolved name may point at although their range is forbidden (tests stand 127.0.0.1 in for a public
    /// address with them).
    public let allowedAddresses: Set<String>

    public init(allowedHosts: Set<String> = [], allowedAddresses: Set<String> = []) {
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
        self.allowedAddresses = allowedAddresses
    }

    /// Whether a name may be connected to at the resolved `address`.
    public func permits(address: String) -> Bool {
        allowedAddresses.contains(address) || !Self.isForbiddenAddress(address)
    }

    /// Checks a recipient's base URL; returns it normalised (no trailing slash) or a field error.
    public func validateBaseURL(_ raw: String, field: String = "base_url") -> Result<String, FieldError> {
        let text = raw.trimmingWhitespace()
        guard text.utf8.count <= 2000, let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              let host = components.host?.lowercased(), !host.isEmpty,
              components.user == nil, components.password == nil, components.query == nil, components.fragment == nil
        else { return .failure(FieldError(field: field, message: "must be an absolute http(s) URL without credentials, query or fragment")) }
        let allowed = allowedHosts.contains(host)
        guard scheme == "https" || (scheme == "http" && allowed) else {
            return .failure(FieldError(field: field, message: "must use https"))
        }
        if !allowed, Self.isForbiddenAddress(host) || host == "localhost" || host.hasSuffix(".localhost") || host.hasSuffix(".internal") {
            return .failure(FieldError(field: field, message: "must not point at a private, loopback, link-local or metadata address"))
        }
        var normalised = text
        while normalised.hasSuffix("/") { normalised.removeLast() }
        return .success(normalised)
    }

    /// Whether `host` (an IP literal, possibly in brackets) lies in a range personal data must never be sent to:
    /// unspecified, loopback, private (RFC 1918, ULA), shared (100.64/10), link-local (including 169.254.169.254
    /// metadata), benchmarking (198.18/15), multicast, reserved (240/4, broadcast), or an IPv4-mapped form of these.
    public static func isForbiddenAddress(_ host: String) -> Bool {
        let literal = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if let octets = IPAddressTruncation.ipv4(literal) {
            return isForbiddenIPv4(octets)
        }
        guard let groups = IPAddressTruncation.ipv6(literal) else { return false }
        if groups[0..<5].allSatisfy({ $0 == 0 }), groups[5] == 0xFFFF {
            return isForbiddenIPv4([UInt8(groups[6] >> 8), UInt8(groups[6] & 0xFF), UInt8(groups[7] >> 8), UInt8(groups[7] & 0xFF)])
        }
        let unspecifiedOrLoopback = groups[0..<7].allSatisfy { $0 == 0 } && groups[7] <= 1
        let uniqueLocal = groups[0] & 0xFE00 == 0xFC00
        let linkLocal = groups[0] & 0xFFC0 == 0xFE80
        let multicast = groups[0] & 0xFF00 == 0xFF00
        return unspecifiedOrLoopback || uniqueLocal || linkLocal || multicast
    }

    private static func isForbiddenIPv4(_ octets: [UInt8]) -> Bool {
        switch (octets[0], octets[1]) {
        case (0, _), (10, _), (127, _): true
        case (100, 64...127): true
        case (169, 254): true
        case (172, 16...31): true
        case (192, 168): true
        case (198, 18...19): true
        case (224...255, _): true
        default: false
        }
    }
}
