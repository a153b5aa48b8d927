import Foundation

/// A key setting written `id:base64`: the id names the key (it travels with what the key made, so the right key is
/// found again), the base64 its bytes. Shared by the settings of every key that can be rotated.
public struct NamedKeySetting: Sendable {
    public let id: String
    public let bytes: Data

    /// nil unless the id is 1 to `maxIDLength` letters, digits, `-` or `_` and the bytes decode; surrounding white space
    /// (a trailing newline in a key file) is ignored.
    public init?(_ setting: String, maxIDLength: Int) {
        let parts = setting.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, (1...maxIDLength).contains(parts[0].utf8.count),
              parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }),
              let bytes = Data(base64Encoded: parts[1]) else { return nil }
        id = parts[0]
        self.bytes = bytes
    }
}
