import Crypto
import Foundation

/// A bearer API key `cus_<lookup id>_<secret>`: the lookup id finds the stored row, and only the SHA-256 of the whole
/// key is stored, so a leaked database does not leak usable keys.
public struct APIKeySecret: Sendable, Equatable {
    /// The public part that indexes the stored key (16 lowercase hex characters).
    public let lookupID: String
    /// The whole key as the client sends it.
    public let token: String

    static let prefix = "cus_"

    /// Makes a new random key.
    public static func generate() -> APIKeySecret {
        let lookup = SymmetricKey(size: SymmetricKeySize(bitCount: 64)).withUnsafeBytes { Data($0) }
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let lookupID = lookup.map { String(format: "%02x", $0) }.joined()
        return APIKeySecret(lookupID: lookupID, token: "\(prefix)\(lookupID)_\(secret.base64URLEncodedString())")
    }

    /// Parses a presented key; nil when it does not have the key's shape: `cus_`, 16 lowercase hex digits, `_`, and 43
    /// base64url characters (checked byte by byte: this runs on every request).
    public init?(token: String) {
        let bytes = token.utf8
        guard bytes.count == Self.prefix.utf8.count + 16 + 1 + 43, bytes.starts(with: Self.prefix.utf8) else { return nil }
        let lookup = bytes.dropFirst(Self.prefix.utf8.count).prefix(16)
        let secret = bytes.suffix(43)
        guard lookup.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }),
              bytes[lookup.endIndex] == UInt8(ascii: "_"),
              secret.allSatisfy(Self.isBase64URL)
        else { return nil }
        self.init(lookupID: String(decoding: lookup, as: UTF8.self), token: token)
    }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"): true
        default: false
        }
    }

    private init(lookupID: String, token: String) {
        self.lookupID = lookupID
        self.token = token
    }

    /// SHA-256 of the whole key: what is stored.
    public var hash: [UInt8] { Array(SHA256.hash(data: Data(token.utf8))) }

    /// Compares this key's hash with a stored hash in constant time.
    public func matches(storedHash: [UInt8]) -> Bool {
        let mine = hash
        guard mine.count == storedHash.count else { return false }
        var difference: UInt8 = 0
        for index in mine.indices { difference |= mine[index] ^ storedHash[index] }
        return difference == 0
    }
}

extension Data {
    /// Base64url without padding (RFC 4648 §5).
    public func base64URLEncodedString() -> String {
        base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes base64url with or without padding.
    public init?(base64URLEncoded string: String) {
        var base64 = string.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") else { return nil }
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}
