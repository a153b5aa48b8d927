import Crypto
import Foundation

/// What erasure and expired retention do to a subject's records: the identifying data is destroyed, the accounting
/// facts that tax law requires keeping stay (order numbers, amounts, currency, dates, status, items, delivery country).
public enum Depersonalisation {
    /// Removed from the subject's own record.
    public static let subjectCategories: [DataCategory] = [.fullName, .email, .phone, .registrationAddress]
    /// Removed from the delivery block of every order (name, phone, address lines, city, postal code).
    public static let orderCategories: [DataCategory] = [.fullName, .phone, .deliveryAddress]
    /// Every category destroyed.
    public static var categories: [DataCategory] {
        DataCategory.allCases.filter { subjectCategories.contains($0) || orderCategories.contains($0) }
    }
    /// The tables personal data is removed from: the subject, the orders' delivery blocks, the consent evidence
    /// (address and user agent), stored responses of idempotent requests, pending corrections, and undelivered notices.
    public static let tables = ["subjects", "orders", "consent_events", "idempotency_keys", "subject_requests", "rectification_notices"]
}

/// Keyed hashes (HMAC-SHA-256) of a depersonalised subject's e-mail and phone, so a repeat request by the same
/// person is recognised without keeping the identifiers. Without the key the hashes cannot be recomputed from a
/// list of likely e-mails or phones.
/// The key can be rotated: new hashes are made under the current key, and a repeat request is recognised under it or
/// any previous key still listed.
public struct IdentityHasher: Sendable {
    let key: SymmetricKey
    let previous: [SymmetricKey]

    /// The current key and the previous ones, each at least 32 bytes, base64-encoded; nil when one is not valid.
    public init?(base64Key: String, previousBase64Keys: [String] = []) {
        func parse(_ text: String) -> SymmetricKey? {
            guard let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count >= 32 else { return nil }
            return SymmetricKey(data: bytes)
        }
        guard let key = parse(base64Key) else { return nil }
        let previous = previousBase64Keys.compactMap(parse)
        guard previous.count == previousBase64Keys.count else { return nil }
        self.key = key
        self.previous = previous
    }

    /// The hash of an e-mail address, case-insensitive, under the current key.
    public func email(_ email: String) -> Data { digest("email:" + email.lowercased(), key) }

    /// The hash of a phone number in E.164, under the current key.
    public func phone(_ phone: String) -> Data { digest("phone:" + phone, key) }

    /// The hashes an e-mail address may have been kept under: the current key's, then each previous key's.
    public func emailCandidates(_ email: String) -> [Data] { ([key] + previous).map { digest("email:" + email.lowercased(), $0) } }

    /// The hashes a phone number may have been kept under.
    public func phoneCandidates(_ phone: String) -> [Data] { ([key] + previous).map { digest("phone:" + phone, $0) } }

    private func digest(_ text: String, _ key: SymmetricKey) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key))
    }
}
