import Foundation

/// The address at which the internet reaches Custodian (`CUSTODIAN_PUBLIC_URL`), as the worker needs it: partners
/// call back there about erasures. It must be set, http(s), and — unless this is a development run — not a loopback
/// address, which no partner can reach.
public enum PublicBaseURL {
    /// Why a value cannot be used.
    public struct Refusal: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// The base without trailing slashes.
    public static func parse(_ raw: String?, allowLoopback: Bool) throws(Refusal) -> String {
        guard let raw, !raw.isEmpty else {
            throw Refusal(description: "CUSTODIAN_PUBLIC_URL is not set: partners call back about erasures at the address the internet reaches the API at")
        }
        guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty
        else { throw Refusal(description: "CUSTODIAN_PUBLIC_URL must be an http or https URL") }
        if !allowLoopback, isLoopback(host) {
            throw Refusal(description: "CUSTODIAN_PUBLIC_URL names a loopback address, which no partner can reach; set CUSTODIAN_DEVELOPMENT=1 for a local run")
        }
        var base = raw
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    /// `localhost` and its subdomains, 127.0.0.0/8, `::1` (bracketed or not), `0.0.0.0`.
    static func isLoopback(_ host: String) -> Bool {
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if name == "localhost" || name.hasSuffix(".localhost") || name == "::1" || name == "0:0:0:0:0:0:0:1" || name == "0.0.0.0" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.first == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
