import Crypto
import Foundation

/// The privacy center's e-mail verification codes (issue 23): six digits, valid ``lifetime``, at most
/// ``maximumAttempts`` tries. A code is never stored: it is derived from the verification's id under a key that serve
/// and work share (`CUSTODIAN_PRIVACY_KEY`), so the API checks what the worker sent without either keeping it, and the
/// database holds no code, plain or hashed, that could be tried offline.
public struct VerificationCodeKey: Sendable {
    let key: SymmetricKey

    /// The key, at least 32 bytes, base64-encoded; nil when it is not valid.
    public init?(base64Key: String) {
        guard let bytes = Data(base64Encoded: base64Key.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count >= 32 else { return nil }
        key = SymmetricKey(data: bytes)
    }

    /// The code of verification `id`: six decimal digits from HMAC-SHA-256 (bias below 10⁻⁹ at 2⁶⁴ / 10⁶).
    public func code(for id: UUID) -> String {
        let mac = Array(HMAC<SHA256>.authenticationCode(for: Data(("verification:" + id.uuidString.lowercased()).utf8), using: key))
        let number = mac.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return String(format: "%06llu", number % 1_000_000)
    }
}

/// How one try of a code ended.
public enum VerificationOutcome: Sendable, Equatable {
    case accepted
    /// Wrong; `attemptsLeft` more tries are allowed.
    case wrong(attemptsLeft: Int)
    /// Older than ``VerificationCode/lifetime``: ask for a new code.
    case expired
    /// Tried ``VerificationCode/maximumAttempts`` times: ask for a new code.
    case exhausted
}

/// The rules of a code's validity.
public enum VerificationCode {
    public static let lifetime: TimeInterval = 10 * 60
    public static let maximumAttempts = 5
    /// How long a verified session lasts.
    public static let sessionLifetime: TimeInterval = 30 * 60

    /// Judges one try: `attemptsBefore` tries were made before this one.
    public static func check(
        entered: String, expected: String, createdAt: Date, attemptsBefore: Int, now: Date
    ) -> VerificationOutcome {
        if now.timeIntervalSince(createdAt) > lifetime { return .expired }
        if attemptsBefore >= maximumAttempts { return .exhausted }
        let digits = entered.trimmingCharacters(in: .whitespaces)
        return ConstantTime.equal(digits.utf8, expected.utf8) ? .accepted : .wrong(attemptsLeft: maximumAttempts - attemptsBefore - 1)
    }
}
