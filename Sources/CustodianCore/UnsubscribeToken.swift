import Crypto
import Foundation

/// One key that signs unsubscribe links, named by a short id carried in every token it signs.
public struct UnsubscribeKey: Sendable {
    public let id: String
    let key: SymmetricKey

    /// `id:base64` with an id of 1 to 16 letters, digits, `-` or `_` and a key of at least 32 bytes; nil otherwise.
    public init?(setting: String) {
        guard let named = NamedKeySetting(setting, maxIDLength: 16), named.bytes.count >= 32 else { return nil }
        id = named.id
        key = SymmetricKey(data: named.bytes)
    }
}

/// What a valid unsubscribe token says: whose consent, for which purpose, and the token's own id (the evidence a
/// withdrawal by link records). No personal data: the subject is its internal id.
public struct UnsubscribeClaim: Sendable, Equatable {
    public let subjectID: UUID
    public let purpose: String
    public let tokenID: String

    public init(subjectID: UUID, purpose: String, tokenID: String) {
        self.subjectID = subjectID
        self.purpose = purpose
        self.tokenID = tokenID
    }
}

/// Signs and verifies the tokens of one-click unsubscribe links (RFC 8058). A token is base64url of: version 1, the
/// key id, the subject id, 12 random bytes of token id, the purpose code, and an HMAC-SHA-256 of all that under the
/// key. Links already sent keep working while their key is `current` or listed in `previous`; dropping a key revokes
/// every link it signed.
public struct UnsubscribeKeyring: Sendable {
    public let current: UnsubscribeKey
    public let previous: [UnsubscribeKey]

    static let version: UInt8 = 1

    public init(current: UnsubscribeKey, previous: [UnsubscribeKey] = []) {
        self.current = current
        self.previous = previous.filter { $0.id != current.id }
    }

    /// A new token for the subject's consent to `purpose`, signed with the current key.
    public func issue(subjectID: UUID, purpose: String, tokenID: Data = Data((0..<12).map { _ in UInt8.random(in: 0...255) })) -> String {
        var bytes = Data([Self.version, UInt8(current.id.utf8.count)]) + Data(current.id.utf8)
        bytes += withUnsafeBytes(of: subjectID.uuid) { Data($0) }
        bytes += tokenID.prefix(12)
        bytes += Data(purpose.utf8)
        bytes += Data(HMAC<SHA256>.authenticationCode(for: bytes, using: current.key))
        return Self.base64URL(bytes)
    }

    /// The claim of a token signed by a key of this ring and intact; nil for anything else (malformed, tampered, or
    /// signed by a key no longer listed).
    public func verify(_ token: String) -> UnsubscribeClaim? {
        guard token.utf8.count <= 400, let bytes = Self.data(base64URL: token), bytes.count > 2 + 16 + 12 + 32,
              bytes[bytes.startIndex] == Self.version else { return nil }
        let data = Data(bytes)
        let idLength = Int(data[1])
        let bodyEnd = data.count - 32
        guard idLength >= 1, 2 + idLength + 16 + 12 < bodyEnd,
              let keyID = String(data: data[2..<(2 + idLength)], encoding: .utf8),
              let key = ([current] + previous).first(where: { $0.id == keyID }),
              HMAC<SHA256>.isValidAuthenticationCode(data[bodyEnd...], authenticating: data[..<bodyEnd], using: key.key)
        else { return nil }
        let subjectStart = 2 + idLength
        let subject = data[subjectStart..<(subjectStart + 16)]
        let tokenID = data[(subjectStart + 16)..<(subjectStart + 28)]
        guard let purpose = String(data: data[(subjectStart + 28)..<bodyEnd], encoding: .utf8), !purpose.isEmpty else { return nil }
        let b = Array(subject)
        let uuid = UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
        return UnsubscribeClaim(subjectID: uuid, purpose: purpose, tokenID: tokenID.map { String(format: "%02x", $0) }.joined())
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func data(base64URL text: String) -> Data? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}

/// The headers a newsletter carries for one-click unsubscribe (RFC 2369, RFC 8058).
public enum ListUnsubscribeHeaders {
    public static let postValue = "List-Unsubscribe=One-Click"

    /// The `List-Unsubscribe` value for a link.
    public static func value(for url: String) -> String { "<\(url)>" }
}
