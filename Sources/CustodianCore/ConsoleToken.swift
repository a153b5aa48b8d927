import Crypto
import Foundation

/// A secret the console hands out once — a session cookie, an enrolment link — and stores only as its SHA-256: 32
/// random bytes, base64url.
public struct ConsoleToken: Sendable, Equatable {
    public let text: String

    public init(text: String) {
        self.text = text
    }

    public static func generate() -> ConsoleToken {
        ConsoleToken(text: Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64URLEncodedString())
    }

    /// What is stored and looked up.
    public var hash: [UInt8] {
        Array(SHA256.hash(data: Data(text.utf8)))
    }
}
