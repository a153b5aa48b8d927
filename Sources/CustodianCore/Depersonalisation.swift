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
public struct IdentityHasher: Sendable {
    let key: SymmetricKey

    /// The key, at least 32 bytes, base64-encoded; nil when it is not valid.
    public init?(base64Key: String) {
        guard let bytes = Data(base64Encoded: base64Key.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count >= 32 else { return nil }
        key = SymmetricKey(data: bytes)
    }

    /// The hash of an e-mail address, case-insensitive.
    public func email(_ email: String) -> Data { digest("email:" + email.lowercased()) }

    /// The hash of a phone number in E.164.
    public func phone(_ phone: String) -> Data { digest("phone:" + phone) }

    private func digest(_ text: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key))
    }
}
