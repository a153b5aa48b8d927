import Crypto
import Foundation

/// One subject's (or one erasure request's) data key: AES-256-GCM. Values sealed under it are stored as text, a
/// version marker then base64, so they fit the columns plain values used; destroying the key makes every copy of them
/// — in the database, its backups, its WAL — unreadable. Each value is bound to where it belongs (its `context`, e.g.
/// `subjects.email/<id>`), so a sealed value copied into another row or column does not open there.
public struct DataKey: Sendable {
    let key: SymmetricKey

    /// Starts every sealed value; a control character, which no validated plain value contains.
    public static let marker = "\u{1}s1:"

    /// A new random key.
    public init() {
        key = SymmetricKey(size: .bits256)
    }

    init(bytes: some ContiguousBytes) {
        key = SymmetricKey(data: bytes)
    }

    /// Why a value could not be opened.
    public struct Unreadable: Error, CustomStringConvertible {
        public var description: String { "a sealed value does not open under its key (corrupted, or moved from elsewhere)" }
    }

    /// Whether `stored` is a sealed value rather than a plain one written before encryption.
    public static func isSealed(_ stored: String) -> Bool { stored.hasPrefix(marker) }

    /// `text` sealed for `context`.
    public func seal(_ text: String, context: String) -> String {
        Self.marker + seal(bytes: Data(text.utf8), context: context).base64EncodedString()
    }

    /// The text `stored` holds: opened when sealed, as it is when plain (written before encryption).
    public func open(_ stored: String, context: String) throws -> String {
        guard Self.isSealed(stored) else { return stored }
        guard let combined = Data(base64Encoded: String(stored.dropFirst(Self.marker.count))),
              let text = String(data: try open(bytes: combined, context: context), encoding: .utf8) else { throw Unreadable() }
        return text
    }

    /// `bytes` sealed for `context` as stored in a bytea column: the marker, then nonce, ciphertext and tag.
    public func seal(data: Data, context: String) -> Data {
        Data(Self.marker.utf8) + seal(bytes: data, context: context)
    }

    /// Whether the bytes `stored` are sealed (``seal(data:context:)``) rather than plain.
    public static func isSealed(data stored: Data) -> Bool { stored.starts(with: Data(marker.utf8)) }

    /// The bytes `stored` holds: opened when sealed, as they are when plain.
    public func open(data stored: Data, context: String) throws -> Data {
        guard Self.isSealed(data: stored) else { return stored }
        return try open(bytes: stored.dropFirst(Self.marker.utf8.count), context: context)
    }

    /// `bytes` sealed for `context`: nonce, ciphertext and tag.
    public func seal(bytes: Data, context: String) -> Data {
        // A fresh random nonce each time: a key seals few values (one subject's), far below GCM's limit.
        try! AES.GCM.seal(bytes, using: key, authenticating: Data(context.utf8)).combined!
    }

    /// The bytes `combined` (nonce, ciphertext, tag) seals for `context`.
    public func open(bytes combined: Data, context: String) throws -> Data {
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: Data(combined)), using: key, authenticating: Data(context.utf8))
        } catch {
            throw Unreadable()
        }
    }
}
