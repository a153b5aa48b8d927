import CustodianAPI
import CustodianCore
import CustodianPortal
import Foundation
import HTTPTypes
import Testing

/// One-click unsubscribe (RFC 8058): the shop's link, the mailbox provider's POST, the page a GET shows.
@Suite("One-click unsubscribe")
struct UnsubscribeTests {
    static let key = UnsubscribeKey(setting: "k1:" + Data(repeating: 7, count: 32).base64EncodedString())!
    static let retired = UnsubscribeKey(setting: "k0:" + Data(repeating: 9, count: 32).base64EncodedString())!
    static let configuration = APIConfiguration(
        portal: PortalConfiguration(unsubscribeKeys: UnsubscribeKeyring(current: key), limits: PortalLimits(invalidTokens: PortalRateLimit(perMinute: 1, burst: 3))),
        publicBaseURL: "https://privacy.shop.example/")
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// A subject with the newsletter granted, and a shop key.
    static func subscriber(_ app: TestApp, _ reference: String) async throws -> (id: String, shop: String) {
        let dpo = try await app.key(.dpo)
        _ = try await app.request(.post, "/v1/policy-versions", key: dpo, json: """
            {"label":"v-\(reference)","url":"https://shop.example/privacy","text_sha256":"\(String(repeating: "a", count: 64))","effective_at":"2020-01-01T00:00:00Z"}
            """)
        let shop = try await app.key(.shop)
        let id = try #require(try await app.createSubject(key: shop, externalRef: reference, email: "\(reference)@example.com")["id"] as? String)
        let granted = try await app.request(.post, "/v1/subjects/\(id)/consents", key: shop, json: """
            {"purpose":"newsletter","action":"grant","policy_version":"v-\(reference)","channel":"web_form"}
            """)
        #expect(granted.status == .created)
        return (id, shop)
    }

    static func newsletter(_ app: TestApp, _ id: String, shop: String) async throws -> String? {
        let consents = try await app.request(.get, "/v1/subjects/\(id)/consents", key: shop).jsonObject()
        return ((consents["current"] as? [[String: Any]]) ?? []).first { $0["purpose"] as? String == "newsletter" }?["state"] as? String
    }

    @Test("the link and its headers; a GET changes nothing; the one-click POST withdraws with its evidence and answers 200; a replay is harmless")
    func oneClick() async throws {
        try await TestApp.run(configuration: Self.configuration) { app in
            let (id, shop) = try await Self.subscriber(app, "sub-1")
            let link = try await app.request(.get, "/v1/subjects/\(id)/unsubscribe-link?purpose=newsletter", key: shop)
            #expect(link.status == .ok)
            let body = try link.jsonObject()
            let url = try #require(body["url"] as? String)
            #expect(url.hasPrefix("https://privacy.shop.example/u/") && !url.contains("sub-1"), "on the public URL, no personal data")
            #expect(body["list_unsubscribe"] as? String == "<\(url)>" && body["list_unsubscribe_post"] as? String == "List-Unsubscribe=One-Click")
            let path = String(url.dropFirst("https://privacy.shop.example".count))

            let page = try await app.request(.get, path)
            #expect(page.status == .ok && page.text.contains("List-Unsubscribe") && page.text.contains("One-Click"))
            #expect(page.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'none'") == true)
            #expect(try await Self.newsletter(app, id, shop: shop) == "granted", "a GET (a scanner, a prefetch) changes nothing")

            let click = try await app.request(.post, path, json: "List-Unsubscribe=One-Click", headers: Self.form)
            #expect(click.status == .ok && click.headers[.location] == nil, "200, no redirect")
            #expect(try await Self.newsletter(app, id, shop: shop) == "withdrawn")
            let evidence = try await app.database.query("""
                SELECT channel, form_id FROM consent_events WHERE action = 'withdraw'
                """).decode((String, String?).self).reduce(into: [(String, String?)]()) { $0.append($1) }
            #expect(evidence.count == 1 && evidence.first?.0 == "email_link" && evidence.first?.1?.hasPrefix("unsubscribe-link:") == true)
            #expect(try await app.rowCount("jobs WHERE kind = 'newsletter_opt_out'") == 1, "the opt-out runs")
            #expect(try await app.rowCount("audit_log WHERE action = 'consent.record' AND actor_kind = 'subject'") == 1, "audited as the subject's act")

            let replay = try await app.request(.post, path, json: "List-Unsubscribe=One-Click", headers: Self.form)
            #expect(replay.status == .ok)
            #expect(try await app.rowCount("consent_events WHERE action = 'withdraw'") == 1, "a replay records nothing")
        }
    }

    @Test("multipart works; a wrong body changes nothing; tampered, foreign and revoked tokens are 404 pages, and only they are rate-limited")
    func refusals() async throws {
        try await TestApp.run(configuration: Self.configuration) { app in
            let (id, shop) = try await Self.subscriber(app, "sub-2")
            let token = UnsubscribeKeyring(current: Self.key).issue(subjectID: UUID(uuidString: id)!, purpose: "newsletter")
            let wrong = try await app.request(.post, "/u/\(token)", json: "List-Unsubscribe=Nope", headers: Self.form)
            #expect(wrong.status == .badRequest)
            #expect(try await Self.newsletter(app, id, shop: shop) == "granted")

            var tampered = Array(token)
            tampered[10] = tampered[10] == "A" ? "B" : "A"
            let revoked = UnsubscribeKeyring(current: Self.retired).issue(subjectID: UUID(uuidString: id)!, purpose: "newsletter")
            for bad in [String(tampered), revoked, "nonsense"] {
                let refused = try await app.request(.post, "/u/\(bad)", json: "List-Unsubscribe=One-Click", headers: Self.form)
                #expect(refused.status == .notFound && refused.text.contains("<html"), "a 404 page")
            }
            let limited = try await app.request(.get, "/u/nonsense-again")
            #expect(limited.status == .tooManyRequests && limited.headers[.retryAfter] != nil, "the fourth invalid token from one address")
            #expect(try await Self.newsletter(app, id, shop: shop) == "granted", "nothing changed")

            let boundary = "----b0undary"
            let multipart = "--\(boundary)\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--\(boundary)--\r\n"
            let click = try await app.request(
                .post, "/u/\(token)", json: multipart, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"])
            #expect(click.status == .ok, "valid tokens are never limited")
            #expect(try await Self.newsletter(app, id, shop: shop) == "withdrawn")
        }
    }

    @Test("the link needs a consent-based purpose and a subject that was not erased; a restricted subject still gets one")
    func linkRules() async throws {
        try await TestApp.run(configuration: Self.configuration) { app in
            let (id, shop) = try await Self.subscriber(app, "sub-3")
            #expect(try await app.request(.get, "/v1/subjects/\(id)/unsubscribe-link?purpose=support", key: shop).status == .unprocessableContent)
            #expect(try await app.request(.get, "/v1/subjects/\(UUID())/unsubscribe-link?purpose=newsletter", key: shop).status == .notFound)
            try await app.database.query("UPDATE subjects SET status = 'restricted' WHERE id = \(UUID(uuidString: id)!)")
            #expect(try await app.request(.get, "/v1/subjects/\(id)/unsubscribe-link?purpose=newsletter", key: shop).status == .ok)
            try await app.database.query("UPDATE subjects SET status = 'erased' WHERE id = \(UUID(uuidString: id)!)")
            #expect(try await app.request(.get, "/v1/subjects/\(id)/unsubscribe-link?purpose=newsletter", key: shop).status == .conflict)
        }
        try await TestApp.run { app in
            let (id, shop) = try await Self.subscriber(app, "sub-4")
            #expect(try await app.request(.get, "/v1/subjects/\(id)/unsubscribe-link?purpose=newsletter", key: shop).status == .serviceUnavailable,
                    "no key configured: no link")
        }
    }
}
