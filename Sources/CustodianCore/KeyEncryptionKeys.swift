import Crypto
import Foundation

/// One key-encryption key (KEK): it wraps data keys and secrets, and is never stored in the database.
public struct KeyEncryptionKey: Sendable {
    public let id: String
    let key: SymmetricKey

    /// `id:base64` with an id of 1 to 32 letters, digits, `-` or `_` and a key of exactly 32 bytes; nil otherwise.
    public init?(setting: String) {
        guard let named = NamedKeySetting(setting, maxIDLength: 32), named.bytes.count == 32 else { return nil }
        id = named.id
        key = SymmetricKey(data: named.bytes)
    }

    /// A new random key named `id`, as its `id:base64` setting.
    public static func newSetting(id: String) -> String {
        id + ":" + SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
    }
}

/// A data key or a secret wrapped by a KEK (AES-256-GCM), with the id of the KEK that wrapped it.
public struct WrappedKey: Sendable, Equatable {
    public let kekID: String
    public let bytes: Data

    public init(kekID: String, bytes: Data) {
        self.kekID = kekID
        self.bytes = bytes
    }
}

/// The keys personal data is protected with: the current KEK (new data keys and secrets are wrapped by it), previous
/// KEKs (still unwrap what they wrapped, until `custodian kek rotate` has rewrapped everything), and the key of the
/// blind indexes (HMAC-SHA-256 of a normalised e-mail or phone, so lookups and uniqueness work on sealed values).
public struct PersonalDataKeys: Sendable {
    public let current: KeyEncryptionKey
    public let previous: [KeyEncryptionKey]
    let indexKey: SymmetricKey

    /// Why a wrapped key could not be unwrapped.
    public struct UnknownKEK: Error, CustomStringConvertible {
        public let kekID: String
        public var description: String { "no key-encryption key \(kekID) is configured (or the wrapped key is corrupted)" }
    }

    /// The current KEK, previous ones, and the blind-index key (at least 32 bytes).
    public init?(current: KeyEncryptionKey, previous: [KeyEncryptionKey] = [], indexKey: Data) {
        guard indexKey.count >= 32 else { return nil }
        self.current = current
        self.previous = previous.filter { $0.id != current.id }
        self.indexKey = SymmetricKey(data: indexKey)
    }

    /// `key` wrapped by the current KEK for `owner` (e.g. `subject/<id>`): a wrapped key moved to another owner does
    /// not unwrap.
    public func wrap(_ key: DataKey, owner: String) -> WrappedKey {
        wrap(secret: key.key.withUnsafeBytes { Data($0) }, owner: owner)
    }

    /// The data key `wrapped` holds for `owner`.
    public func unwrap(_ wrapped: WrappedKey, owner: String) throws -> DataKey {
        DataKey(bytes: try unwrap(secret: wrapped, owner: owner))
    }

    /// A secret (a recipient's API token or signing secret) wrapped by the current KEK for `owner`.
    public func wrap(secret: Data, owner: String) -> WrappedKey {
        WrappedKey(kekID: current.id, bytes: try! AES.GCM.seal(secret, using: current.key, authenticating: Data(("kek:" + owner).utf8)).combined!)
    }

    /// The secret `wrapped` holds for `owner`, by whichever configured KEK wrapped it.
    public func unwrap(secret wrapped: WrappedKey, owner: String) throws -> Data {
        guard let kek = ([current] + previous).first(where: { $0.id == wrapped.kekID }),
              let box = try? AES.GCM.SealedBox(combined: wrapped.bytes),
              let secret = try? AES.GCM.open(box, using: kek.key, authenticating: Data(("kek:" + owner).utf8)) else {
            throw UnknownKEK(kekID: wrapped.kekID)
        }
        return secret
    }

    /// `wrapped` rewrapped by the current KEK; nil when the current KEK already wraps it.
    public func rewrap(_ wrapped: WrappedKey, owner: String) throws -> WrappedKey? {
        guard wrapped.kekID != current.id else { return nil }
        return wrap(secret: try unwrap(secret: wrapped, owner: owner), owner: owner)
    }

    /// A secret (a recipient's API token or signing secret) as stored: the marker, the KEK's id and the wrapped bytes,
    /// bound to `owner` (e.g. `recipient/<id>/signing_secret`).
    public func seal(secret: String, owner: String) -> String {
        let wrapped = wrap(secret: Data(secret.utf8), owner: owner)
        return Self.secretMarker + wrapped.kekID + ":" + wrapped.bytes.base64EncodedString()
    }

    /// The secret `stored` holds: unwrapped when sealed (by whichever configured KEK), as it is when plain.
    public func open(secret stored: String, owner: String) throws -> String {
        guard let wrapped = Self.wrapped(secret: stored) else { return stored }
        guard let text = String(data: try unwrap(secret: wrapped, owner: owner), encoding: .utf8) else { throw UnknownKEK(kekID: wrapped.kekID) }
        return text
    }

    /// `stored` resealed by the current KEK; nil when it is plain or the current KEK already seals it.
    public func reseal(secret stored: String, owner: String) throws -> String? {
        guard let wrapped = Self.wrapped(secret: stored), wrapped.kekID != current.id else { return nil }
        return seal(secret: try open(secret: stored, owner: owner), owner: owner)
    }

    /// Starts every sealed secret; a control character, which no plain secret contains.
    public static let secretMarker = "\u{1}k1:"

    /// The wrapped key a sealed secret holds; nil for a plain one.
    static func wrapped(secret stored: String) -> WrappedKey? {
        guard stored.hasPrefix(secretMarker) else { return nil }
        let parts = stored.dropFirst(secretMarker.count).split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let bytes = Data(base64Encoded: parts[1]) else { return WrappedKey(kekID: "", bytes: Data()) }
        return WrappedKey(kekID: parts[0], bytes: bytes)
    }

    /// The blind index of an e-mail address (case-insensitive).
    public func emailIndex(_ email: String) -> Data { index("email:" + email.lowercased()) }

    /// The blind index of a phone number in E.164.
    public func phoneIndex(_ phone: String) -> Data { index("phone:" + phone) }

    private func index(_ text: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: indexKey))
    }
}
