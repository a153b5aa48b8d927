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
            let customer = try await NewsletterSubscriber(stack, externalRef: "click-1", fullName: "Анна Кликова", email: "anna.click@example.com")
            let (subjectID, shop) = (customer.subjectID, customer.shop)
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
