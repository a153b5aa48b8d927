import Crypto
import Foundation

/// JSON Web Signatures in compact serialisation (RFC 7515) with EdDSA over Ed25519 (RFC 8037).
public enum CompactJWS {
    /// Signs `payload`: `base64url(header).base64url(payload).base64url(signature)`.
    public static func sign(payload: Data, key: Curve25519.Signing.PrivateKey, keyID: String) throws -> String {
        let header = try JSONEncoder.canonical.encode(Header(alg: "EdDSA", kid: keyID, typ: "JWT"))
        let signingInput = header.base64URLEncodedString() + "." + payload.base64URLEncodedString()
        let signature = try key.signature(for: Data(signingInput.utf8))
        return signingInput + "." + signature.base64URLEncodedString()
    }

    /// The payload when `jws` is an EdDSA signature by `publicKey`; nil otherwise.
    public static func verify(_ jws: String, publicKey: Curve25519.Signing.PublicKey) -> Data? {
        let parts = jws.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerData = Data(base64URLEncoded: String(parts[0])),
              let header = try? JSONDecoder().decode(Header.self, from: headerData), header.alg == "EdDSA",
              let payload = Data(base64URLEncoded: String(parts[1])),
              let signature = Data(base64URLEncoded: String(parts[2])),
              publicKey.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8))
        else { return nil }
        return payload
    }

    struct Header: Codable {
        let alg: String
        let kid: String?
        let typ: String?
    }
}

/// An Ed25519 public key as a JSON Web Key (RFC 8037), identified by its RFC 7638 thumbprint.
public struct Ed25519JWK: Codable, Sendable, Equatable {
    public let kty: String
    public let crv: String
    public let x: String
    public let kid: String
    public let use: String
    public let alg: String

    public init(publicKey: Curve25519.Signing.PublicKey) {
        kty = "OKP"
        crv = "Ed25519"
        x = publicKey.rawRepresentation.base64URLEncodedString()
        // RFC 7638: SHA-256 over the required members in lexicographic order, without white space.
        let thumbprintInput = #"{"crv":"Ed25519","kty":"OKP","x":"\#(x)"}"#
        kid = Data(SHA256.hash(data: Data(thumbprintInput.utf8))).base64URLEncodedString()
        use = "sig"
        alg = "EdDSA"
    }

    /// The key itself, for verification.
    public var publicKey: Curve25519.Signing.PublicKey? {
        Data(base64URLEncoded: x).flatMap { try? Curve25519.Signing.PublicKey(rawRepresentation: $0) }
    }
}

/// The receipt signing key from configuration: base64url of the 32-byte Ed25519 private key.
public struct ReceiptSigningKey: Sendable {
    public let privateKey: Curve25519.Signing.PrivateKey
    public let jwk: Ed25519JWK

    public init?(base64URL: String) {
        guard let data = Data(base64URLEncoded: base64URL.trimmingWhitespace()), data.count == 32,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: data)
        else { return nil }
        privateKey = key
        jwk = Ed25519JWK(publicKey: key.publicKey)
    }

    /// A new random key in its configuration form.
    public static func generate() -> String {
        Curve25519.Signing.PrivateKey().rawRepresentation.base64URLEncodedString()
    }
}

extension JSONEncoder {
    /// Sorted keys, no escaped slashes: stable bytes for signing and hashing.
    public static var canonical: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
