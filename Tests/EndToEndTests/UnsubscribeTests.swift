import CustodianStore
import Foundation
import HTTPTypes
import NIOCore
import PartnerSim
import Testing

/// One-click unsubscribe as a mailbox provider does it (RFC 8058): a bare POST to the link, then the opt-out reaches the
/// e-mail provider.
@Suite("End to end: one-click unsubscribe")
struct OneClickUnsubscribeTests {
    @Test("the mailbox provider's POST withdraws the newsletter, the opt-out reaches PartnerSim once, and a replay is harmless")
    func mailboxProviderPost() async throws {
        try await EndToEndStack.run { stack in
            let dpo = try await APIKeyRepository(database: stack.database).create(name: "dpo", scope: .dpo).secret.token
            let shop = try await APIKeyRepository(database: stack.database).create(name: "shop", scope: .shop).secret.token
            try await ErasureCascadeTests.registerMailProvider(stack, dpo: dpo)
            _ = try await stack.request(.post, "/v1/policy-versions", key: dpo, json: """
                {"label":"v1","url":"https://shop.example/privacy","text_sha256":"\(String(repeating: "c", count: 64))","effective_at":"2020-01-01T00:00:00Z"}
                """)
            let subject = try await stack.request(.post, "/v1/subjects", key: shop, json: """
                {"external_ref":"click-1","full_name":"Анна Кликова","email":"anna.click@example.com"}
                """)
            let subjectID = try #require(subject["id"] as? String)
            _ = try await stack.request(.post, "/v1/subjects/\(subjectID)/consents", key: shop, json: """
                {"purpose":"newsletter","action":"grant","policy_version":"v1","channel":"web_form"}
                """)
            let link = try await stack.request(.get, "/v1/subjects/\(subjectID)/unsubscribe-link?purpose=newsletter", key: shop)
            let url = try #require(link["url"] as? String)
            let path = String(url.dropFirst("https://privacy.shop.example".count))

            func post() async throws -> HTTPResponse.Status {
                try await stack.client.execute(
                    uri: path, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "List-Unsubscribe=One-Click")).status
            }
            #expect(try await post() == .ok)
            try await EndToEndStack.waitFor {
                try await stack.received().received.filter { $0.endpoint == "/email/suppressions" }.count == 1
            }
            #expect(try await post() == .ok, "a replay answers the same")
            try await Task.sleep(for: .milliseconds(300))
            let received = try await stack.received().received
            #expect(received.filter { $0.endpoint == "/email/suppressions" }.count == 1, "suppressed once")
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM consent_events WHERE action = 'withdraw' AND channel = 'email_link'") == 1)
        }
    }
}
