import Foundation

/// A secret only its holder knows: 32 random bytes (the system's cryptographic generator), base64url without padding.
/// The privacy center's session and CSRF tokens are made of it.
public enum RandomToken {
    public static func make() -> String {
        Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64URLEncodedString()
    }
}
