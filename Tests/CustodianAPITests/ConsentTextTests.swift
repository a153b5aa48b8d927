import CustodianCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing

/// Consent as a document of its own (152-FZ Art. 9 as amended by 156-FZ): texts registered apart from the policy,
/// named by every grant once any exists, and named on the receipt.
@Suite("Consent texts")
struct ConsentTextTests {
    static func register(_ app: TestApp, key: String, label: String, purposes: String = #"["newsletter","analytics"]"#,
                         effective: Date = Date().addingTimeInterval(-86400), sha: String = String(repeating: "c", count: 64)) async throws -> TestResponse {
        try await app.request(.post, "/v1/consent-texts", key: key, json: """
            {"label":"\(label)","url":"https://shop.example/consent/\(label)","text_sha256":"\(sha)",
             "effective_at":"\(effective.formatted(.iso8601))","purposes":\(purposes)}
            """)
    }

    @Test("registration: dpo only, validated, purposes must be consent-based ones, labels unique, listed for the shop, never changed")
    func registration() async throws {
        try await TestApp.run { app in
            let (shop, dpo) = (try await app.key(.shop), try await app.key(.dpo))
            #expect(try await Self.register(app, key: shop, label: "c1").status == .forbidden)
            let invalid = try await Self.register(app, key: dpo, label: "", purposes: "[]", sha: "xyz")
            #expect(invalid.status == .unprocessableContent || invalid.status == .badRequest)
            let unknown = try await Self.register(app, key: dpo, label: "c1", purposes: #"["newsletter","no_such_purpose"]"#)
            #expect(unknown.status == .unprocessableContent && unknown.text.contains("purposes"))
            let contract = try await Self.register(app, key: dpo, label: "c1", purposes: #"["delivery"]"#)
            #expect(contract.status == .unprocessableContent, "a contract purpose needs no consent text")
            #expect(try await app.rowCount("consent_texts") == 0)

            let created = try await Self.register(app, key: dpo, label: "c1")
            #expect(created.status == .created)
            let body = try created.jsonObject()
            #expect(body["label"] as? String == "c1" && body["purposes"] as? [String] == ["newsletter", "analytics"])
            #expect(try await Self.register(app, key: dpo, label: "c1").status == .conflict)
            let list = try await app.request(.get, "/v1/consent-texts", key: shop).jsonObject()["items"] as? [[String: Any]]
            #expect(list?.map { $0["label"] as? String } == ["c1"])
            await #expect(throws: (any Error).self, "a registered text is proof: it never changes") {
                try await app.database.query("UPDATE consent_texts SET url = 'https://elsewhere.example' WHERE label = 'c1'")
            }
            #expect(try await app.database.query("SELECT count(*) FROM audit_log WHERE action = 'consent_text.create'").collect().first?.decode(Int.self) == 1)
        }
    }

    @Test("a registered consent text or policy version answers at its Location, for a shop key too; an unknown id is 404")
    func location() async throws {
        try await TestApp.run { app in
            let (shop, dpo) = (try await app.key(.shop), try await app.key(.dpo))
            let text = try await Self.register(app, key: dpo, label: "located")
            let textLocation = try #require(text.headers[.location])
            let textID = try #require(try text.jsonObject()["id"] as? String)
            #expect(text.status == .created && textLocation == "/v1/consent-texts/\(textID)")
            let readText = try await app.request(.get, textLocation, key: shop)
            let readLabel = try readText.jsonObject()["label"] as? String
            #expect(readText.status == .ok && readLabel == "located")

            let version = try await app.request(.post, "/v1/policy-versions", key: dpo, json: """
                {"label":"located-policy","url":"https://shop.example/privacy","text_sha256":"\(String(repeating: "d", count: 64))",
                 "effective_at":"2026-01-01T00:00:00Z"}
                """)
            let versionLocation = try #require(version.headers[.location])
            let versionID = try #require(try version.jsonObject()["id"] as? String)
            #expect(version.status == .created && versionLocation == "/v1/policy-versions/\(versionID)")
            let readVersion = try await app.request(.get, versionLocation, key: shop)
            let versionLabel = try readVersion.jsonObject()["label"] as? String
            #expect(readVersion.status == .ok && versionLabel == "located-policy")

            #expect(try await app.request(.get, "/v1/consent-texts/\(UUID())", key: shop).status == .notFound)
            #expect(try await app.request(.get, "/v1/policy-versions/\(UUID())", key: shop).status == .notFound)
        }
    }

    @Test("once a text is registered a grant names one, in effect and covering the purpose (422 otherwise, nothing stored); withdrawals need none")
    func grantsNameTheText() async throws {
        try await TestApp.run { app in
            let fixture = try await ConsentTests.Fixture(app)
            func grant(_ purpose: String, text: String?, at: Date = Date()) async throws -> TestResponse {
                let member = text.map { #","consent_text":"\#($0)""# } ?? ""
                return try await app.request(.post, "/v1/subjects/\(fixture.subjectID)/consents", key: fixture.shop, json: """
                    {"purpose":"\(purpose)","action":"grant","policy_version":"v1","channel":"web_form",
                     "occurred_at":"\(at.formatted(.iso8601))"\(member)}
                    """)
            }
            #expect(try await grant("advertising", text: nil).status == .created, "before any text is registered, grants go on as before")
            #expect(try await Self.register(app, key: fixture.dpo, label: "c1").status == .created)
            #expect(try await Self.register(app, key: fixture.dpo, label: "c-next", effective: Date().addingTimeInterval(86400)).status == .created)
            let events = try await app.rowCount("consent_events")

            for (purpose, text, field) in [("newsletter", nil, "is required"), ("newsletter", "nope", "is not a registered consent text"),
                                           ("advertising", "c1", "does not ask consent"), ("newsletter", "c-next", "was not yet in effect")] as [(String, String?, String)] {
                let refused = try await grant(purpose, text: text)
                #expect(refused.status == .unprocessableContent, "\(purpose) \(text ?? "-")")
                let errors = try refused.jsonObject()["errors"] as? [[String: Any]]
                #expect(errors?.first?["field"] as? String == "consent_text" && (errors?.first?["message"] as? String ?? "").contains(field), "\(String(describing: errors))")
            }
            #expect(try await app.rowCount("consent_events") == events, "a refused grant stores nothing")

            let granted = try await grant("newsletter", text: "c1", at: Date().addingTimeInterval(-10))
            #expect(granted.status == .created)
            #expect(try granted.jsonObject()["consent_text"] as? String == "c1")
            let withdrawn = try await fixture.event("advertising", "withdraw")
            #expect(withdrawn.status == .created, "a withdrawal needs no consent text")
            let history = try #require(try await fixture.overview()["history"] as? [[String: Any]])
            #expect(history.first { $0["purpose"] as? String == "newsletter" }?["consent_text"] as? String == "c1")
            #expect(history.first { $0["purpose"] as? String == "advertising" && $0["action"] as? String == "grant" }?["consent_text"] == nil)
        }
    }

    @Test("the receipt names the consent text each purpose was granted under")
    func receiptNamesTheText() async throws {
        try await TestApp.run(configuration: ReceiptTests.configuration) { app in
            let fixture = try await ConsentTests.Fixture(app)
            #expect(try await Self.register(app, key: fixture.dpo, label: "consent-2026-09").status == .created)
            let granted = try await app.request(.post, "/v1/subjects/\(fixture.subjectID)/consents", key: fixture.shop, json: """
                {"purpose":"analytics","action":"grant","policy_version":"v1","channel":"web_form","consent_text":"consent-2026-09"}
                """)
            #expect(granted.status == .created)
            let receipt = try #require(try await app.request(.get, "/v1/subjects/\(fixture.subjectID)/consents/receipt", key: fixture.shop)
                .jsonObject()["receipt"] as? [String: Any])
            let purposes = try #require(((receipt["services"] as? [[String: Any]])?.first?["purposes"]) as? [[String: Any]])
            let text = try #require(purposes.first?["consentText"] as? [String: Any])
            #expect(text["label"] as? String == "consent-2026-09")
            #expect(text["url"] as? String == "https://shop.example/consent/consent-2026-09")
            #expect(text["sha256"] as? String == String(repeating: "c", count: 64))
        }
    }
}
