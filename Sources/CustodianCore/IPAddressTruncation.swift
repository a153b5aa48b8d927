/// Truncates an IP address kept as consent evidence: IPv4 loses its last octet (/24), IPv6 its last 80 bits (/48),
/// so the address shows the network the choice came from without identifying the device. IPv4-mapped IPv6 addresses
/// are truncated as IPv4.
public enum IPAddressTruncation {
    /// The truncated address in canonical text form, or nil when `raw` is not an IPv4 or IPv6 address.
    public static func truncate(_ raw: String) -> String? {
        let text = raw.trimmingWhitespace()
        if let octets = ipv4(text) {
            return "\(octets[0]).\(octets[1]).\(octets[2]).0"
        }
        if var groups = ipv6(text) {
            if groups[0..<5].allSatisfy({ $0 == 0 }), groups[5] == 0xFFFF {
                // An IPv4-mapped address is an IPv4 address: truncate it as one.
                return "::ffff:\(groups[6] >> 8).\(groups[6] & 0xFF).\(groups[7] >> 8).0"
            }
            for index in 3..<8 { groups[index] = 0 }
            return "\(String(groups[0], radix: 16)):\(String(groups[1], radix: 16)):\(String(groups[2], radix: 16))::"
        }
        return nil
    }

    static func ipv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  part.count == 1 || part.first != "0",
                  let value = UInt8(part)
            else { return nil }
            octets.append(value)
        }
        return octets
    }

    /// Eight 16-bit groups; accepts `::` compression and an embedded IPv4 tail (`::ffff:192.0.2.1`).
    static func ipv6(_ text: String) -> [UInt16]? {
        guard text.contains(":"), text.utf8.count <= 45 else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            guard !part.isEmpty else { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains("."), let v4 = ipv4(String(piece)) {
                    result.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                    result.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                    continue
                }
                guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 {
            return head.count == 8 ? head : nil
        }
        guard let tail = groups(halves[1]), head.count + tail.count <= 7 else { return nil }
        return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }
}
