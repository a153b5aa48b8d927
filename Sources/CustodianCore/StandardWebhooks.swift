import Crypto
import Foundation

/// Signing and verification of Standard Webhooks messages: `v1,` + base64 HMAC-SHA256 over
/// `{webhook-id}.{webhook-timestamp}.{body}`, keyed with the base64 part of a `whsec_` secret.
public struct StandardWebhooksSecret: Sendable, Equatable {
    /// The secret as configured and shown: `whsec_` + base64 of the key bytes.
    public let text: String
    let key: SymmetricKey

    public static func == (lhs: StandardWebhooksSecret, rhs: StandardWebhooksSecret) -> Bool { lhs.text == rhs.text }

    /// Parses `whsec_<base64>` with 24 to 64 key bytes; nil otherwise.
    public init?(_ text: String) {
        guard text.hasPrefix("whsec_"), let bytes = Data(base64Encoded: String(text.dropFirst(6))), (24...64).contains(bytes.count) else {
            return nil
        }
        self.text = text
        key = SymmetricKey(data: bytes)
    }

    /// A new random secret of 32 bytes.
    public static func generate() -> StandardWebhooksSecret {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return StandardWebhooksSecret("whsec_" + bytes.base64EncodedString())!
    }

    /// The `webhook-signature` header value for a message.
    public func signature(id: String, timestamp: Int64, body: Data) -> String {
        var content = Data("\(id).\(timestamp).".utf8)
        content.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: key)
        return "v1," + Data(mac).base64EncodedString()
    }

    /// Why a received message was rejected.
    public enum Rejection: Error, Equatable {
        case malformedHeaders
        case timestampOutOfTolerance
        case signatureMismatch
    }

    /// Verifies the headers of a received message: a timestamp within `tolerance` of `now` and one matching `v1`
    /// signature among the space-separated list, compared in constant time.
    public func verify(id: String, timestamp: String, signatures: String, body: Data, now: Date = Date(), tolerance: TimeInterval = 300) throws(Rejection) {
        guard !id.isEmpty, let seconds = Int64(timestamp) else { throw .malformedHeaders }
        guard abs(now.timeIntervalSince1970 - Double(seconds)) <= tolerance else { throw .timestampOutOfTolerance }
        let expected = Array(signature(id: id, timestamp: seconds, body: body).utf8)
        let matches = signatures.split(separator: " ").contains { ConstantTime.equal($0.utf8, expected) }
        guard matches else { throw .signatureMismatch }
    }
}
