import Crypto
import CryptoExtras
import Foundation

/// A console user's password as stored: PBKDF2-HMAC-SHA256 with a per-user 16-byte salt and the cost kept with each
/// hash, encoded `pbkdf2-sha256$ITERATIONS$SALT$HASH` (base64). OWASP asks for at least 600,000 iterations, the
/// default; tests may use fewer. The password itself is never stored or logged.
public struct PasswordHash: Sendable, Equatable {
    public static let defaultIterations = 600_000
    static let scheme = "pbkdf2-sha256"

    public let iterations: Int
    let salt: [UInt8]
    let hash: [UInt8]

    /// Hashes `password` with a new random salt.
    public static func make(password: String, iterations: Int = defaultIterations) throws -> PasswordHash {
        precondition(iterations >= 1, "PBKDF2 needs at least one iteration")
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255) }
        return PasswordHash(iterations: iterations, salt: salt, hash: try derive(password, salt: salt, iterations: iterations))
    }

    /// Reads a stored hash; nil when it is not one of ours.
    public init?(encoded: String) {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == Self.scheme, let iterations = Int(parts[1]), iterations >= 1,
              let salt = Data(base64Encoded: String(parts[2])), let hash = Data(base64Encoded: String(parts[3])), !salt.isEmpty, hash.count == 32
        else { return nil }
        self.init(iterations: iterations, salt: Array(salt), hash: Array(hash))
    }

    init(iterations: Int, salt: [UInt8], hash: [UInt8]) {
        self.iterations = iterations
        self.salt = salt
        self.hash = hash
    }

    /// A hash no password matches in practice (a zero salt and an all-zero result), checked at the real cost for an
    /// unknown account so that a login's timing does not tell which accounts exist.
    public static func decoy(iterations: Int) -> PasswordHash {
        PasswordHash(iterations: iterations, salt: Array(repeating: 0, count: 16), hash: Array(repeating: 0, count: 32))
    }

    public var encoded: String {
        "\(Self.scheme)$\(iterations)$\(Data(salt).base64EncodedString())$\(Data(hash).base64EncodedString())"
    }

    /// Whether `password` is the one hashed, compared in constant time.
    public func verifies(_ password: String) -> Bool {
        guard let candidate = try? Self.derive(password, salt: salt, iterations: iterations) else { return false }
        return ConstantTime.equal(candidate, hash)
    }

    private static func derive(_ password: String, salt: [UInt8], iterations: Int) throws -> [UInt8] {
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: 32, unsafeUncheckedRounds: iterations)
        return key.withUnsafeBytes { Array($0) }
    }
}
