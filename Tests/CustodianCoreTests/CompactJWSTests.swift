import Crypto
import CustodianCore
import Foundation
import Testing

@Suite("Signed receipts")
struct CompactJWSTests {
    @Test("a JWS verifies with its key and fails when any byte changes or with another key")
    func signAndVerify() throws {
        let key = try #require(ReceiptSigningKey(base64URL: ReceiptSigningKey.generate()))
        let payload = Data(#"{"version":"KI-CR-v1.1.0"}"#.utf8)
        let jws = try CompactJWS.sign(payload: payload, key: key.privateKey, keyID: key.jwk.kid)
        #expect(CompactJWS.verify(jws, publicKey: try #require(key.jwk.publicKey)) == payload)

        var bytes = Array(jws.utf8)
        for index in stride(from: 0, to: bytes.count, by: 7) where bytes[index] != UInt8(ascii: ".") {
            let original = bytes[index]
            bytes[index] = original == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            #expect(CompactJWS.verify(String(decoding: bytes, as: UTF8.self), publicKey: key.privateKey.publicKey) == nil, "byte \(index)")
            bytes[index] = original
        }
        let other = Curve25519.Signing.PrivateKey().publicKey
        #expect(CompactJWS.verify(jws, publicKey: other) == nil)
    }

    @Test("the key id is the RFC 7638 thumbprint; malformed configured keys are refused")
    func keys() throws {
        // RFC 8037 appendix A.1/A.3: the example Ed25519 key and its thumbprint.
        let key = try #require(ReceiptSigningKey(base64URL: "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"))
        #expect(key.jwk.x == "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
        #expect(key.jwk.kid == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
        #expect(ReceiptSigningKey(base64URL: "too-short") == nil)
        #expect(ReceiptSigningKey(base64URL: "") == nil)
    }
}
