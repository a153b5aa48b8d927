import Crypto
import CustodianAPI
import CustodianCore
import Foundation
import PostgresNIO
import Testing

@Suite("Consent receipts")
struct ReceiptTests {
    static let configuration = APIConfiguration(receipts: ReceiptConfiguration(
        signingKey: ReceiptSigningKey(base64URL: ReceiptSigningKey.generate()),
        controller: .init(
            piiController: "Example Shop LLC", contact: "DPO", address: "Moscow", email: "dpo@shop.example",
            phone: "+74950000000", piiControllerUrl: "https://shop.example")))

    @Test("the receipt lists current grants with Kantara fields and verifies offline with the published key")
    func verifiable() async throws {
        try await TestApp.run(configuration: Self.configuration) { app in
            let fixture = try await ConsentTests.Fixture(app)
            try await fixture.event("newsletter", "grant", occurredAt: Date().addingTimeInterval(-120))
            try await fixture.event("analytics", "grant", occurredAt: Date().addingTimeInterval(-60))
            try await fixture.event("advertising", "grant", occurredAt: Date().addingTimeInterval(-90))
            try await fixture.event("advertising", "withdraw")

            let response = try await app.request(.get, "/v1/subjects/\(fixture.subjectID)/consents/receipt", key: fixture.shop)
            #expect(response.status == .ok)
            let body = try response.jsonObject()
            let receipt = try #require(body["receipt"] as? [String: Any])
            for field in ["version", "jurisdiction", "consentTimestamp", "collectionMethod", "consentReceiptID", "publicKey", "language",
                          "piiPrincipalId", "piiControllers", "policyUrl", "services", "sensitive", "spiCat"] {
                #expect(receipt[field] != nil, "\(field)")
            }
            #expect(receipt["version"] as? String == "KI-CR-v1.1.0")
            #expect(receipt["piiPrincipalId"] as? String == fixture.subjectID)
            #expect(receipt["policyUrl"] as? String == "https://shop.example/privacy/v1")
            let services = try #require(receipt["services"] as? [[String: Any]])
            let purposes = try #require(services.first?["purposes"] as? [[String: Any]])
            #expect(purposes.compactMap { ($0["purposeCategory"] as? [String])?.first } == ["analytics", "newsletter"])
            #expect(!response.text.contains("c@example.com"), "the receipt carries no e-mail")

            let keys = try #require(try await app.request(.get, "/.well-known/consent-receipt-keys").jsonObject()["keys"] as? [[String: String]])
            let jwk = try #require(keys.first)
            #expect(jwk["kid"] == body["kid"] as? String)
            #expect(jwk["kty"] == "OKP")
            let x = try #require(jwk["x"])
            let rawKey = try #require(Data(base64URLEncoded: x))
            let publicKey = try Curve25519.Signing.PublicKey(rawRepresentation: rawKey)
            let jws = try #require(body["jws"] as? String)
            let payload = try #require(CompactJWS.verify(jws, publicKey: publicKey))
            let signed = try JSONDecoder().decode(ConsentReceipt.self, from: payload)
            let shown = try JSONDecoder().decode(ConsentReceipt.self, from: JSONSerialization.data(withJSONObject: receipt))
            #expect(signed == shown, "the signed payload is the receipt shown")

            var tampered = Array(jws.utf8)
            let middle = jws.firstIndex(of: ".").map { jws.distance(from: jws.startIndex, to: $0) + 5 } ?? 5
            tampered[middle] = tampered[middle] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
            #expect(CompactJWS.verify(String(decoding: tampered, as: UTF8.self), publicKey: publicKey) == nil)

            let audited = try await app.database.query("SELECT count(*) FROM audit_log WHERE action = 'consent.receipt'").collect().first?.decode(Int.self)
            #expect(audited == 1)
        }
    }

    @Test("a restricted subject's receipt is refused to the shop (409) and not audited; the DPO still gets it")
    func restricted() async throws {
        try await TestApp.run(configuration: Self.configuration) { app in
            let fixture = try await ConsentTests.Fixture(app)
            try await fixture.event("newsletter", "grant", occurredAt: Date().addingTimeInterval(-60))
            try await app.database.query("UPDATE subjects SET status = 'restricted' WHERE id = \(UUID(uuidString: fixture.subjectID)!)")
            let refused = try await app.request(.get, "/v1/subjects/\(fixture.subjectID)/consents/receipt", key: fixture.shop)
            #expect(refused.status == .conflict && refused.text.contains("subject-restricted"))
            #expect(try await app.database.query("SELECT count(*) FROM audit_log WHERE action = 'consent.receipt'").collect().first?.decode(Int.self) == 0)
            #expect(try await app.request(.get, "/v1/subjects/\(fixture.subjectID)/consents/receipt", key: fixture.dpo).status == .ok)
        }
    }

    @Test("without a configured key receipts answer 503 and the key set is empty; unknown subjects 404")
    func unconfigured() async throws {
        try await TestApp.run { app in
            let fixture = try await ConsentTests.Fixture(app)
            let response = try await app.request(.get, "/v1/subjects/\(fixture.subjectID)/consents/receipt", key: fixture.shop)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.contentType] == "application/problem+json")
            let keys = try await app.request(.get, "/.well-known/consent-receipt-keys").jsonObject()["keys"] as? [Any]
            #expect(keys?.isEmpty == true)
        }
        try await TestApp.run(configuration: Self.configuration) { app in
            let key = try await app.key(.shop)
            #expect(try await app.request(.get, "/v1/subjects/\(UUID().uuidString)/consents/receipt", key: key).status == .notFound)
        }
    }
}

/// The receipt key can be rotated without breaking receipts already issued.
@Suite("Consent receipts: key rotation")
struct ReceiptKeyRotationTests {
    @Test("the key set lists the current key first, then every previous key; new receipts are signed with the current one")
    func previousKeysStillListed() async throws {
        let old = try #require(ReceiptSigningKey(base64URL: ReceiptSigningKey.generate()))
        let current = try #require(ReceiptSigningKey(base64URL: ReceiptSigningKey.generate()))
        var configuration = ReceiptTests.configuration
        configuration.receipts.signingKey = current
        configuration.receipts.previousKeys = [old.jwk, current.jwk]
        try await TestApp.run(configuration: configuration) { app in
            let keys = try #require(try await app.request(.get, "/.well-known/consent-receipt-keys").jsonObject()["keys"] as? [[String: String]])
            #expect(keys.map { $0["kid"] } == [current.jwk.kid, old.jwk.kid], "current first, the previous one kept, no duplicate")
            let jws = try CompactJWS.sign(payload: Data("{}".utf8), key: old.privateKey, keyID: old.jwk.kid)
            let published = try #require(keys.last?["x"].flatMap { Data(base64URLEncoded: $0) })
            #expect(CompactJWS.verify(jws, publicKey: try Curve25519.Signing.PublicKey(rawRepresentation: published)) != nil,
                    "a receipt signed before the rotation verifies with the key still published")
        }
    }
}
