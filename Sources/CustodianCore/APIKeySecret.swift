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

    /// Parses a presented key; nil when it does not have the key's shape.
    public init?(token: String) {
        guard token.utf8.count <= 128, token.hasPrefix(Self.prefix) else { return nil }
        let parts = token.dropFirst(Self.prefix.count).split(separator: "_", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2,
              parts[0].utf8.count == 16, parts[0].allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
              parts[1].utf8.count == 43, parts[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { return nil }
        self.init(lookupID: String(parts[0]), token: token)
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
