import AsyncHTTPClient
import CustodianAPI
import CustodianCore
import CustodianStore
import CustodianTestSupport
import CustodianWorker
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PartnerSim
import Prometheus
import ServiceLifecycle
import Testing

/// API → job → worker → PartnerSim, all real: PostgreSQL, HTTP on 127.0.0.1, signed requests.
@Suite("End to end: newsletter opt-out")
struct NewsletterOptOutTests {
    typealias Stack = EndToEndStack

    /// A subject who granted then withdrew the newsletter, with PartnerSim registered as the e-mail provider unless
    /// `registersProvider` is false; returns the subject's id.
    static func withdrawNewsletter(_ stack: Stack, registersProvider: Bool = true) async throws -> (subjectID: String, shop: String, dpo: String) {
        let dpo = try await APIKeyRepository(database: stack.database).create(name: "dpo", scope: .dpo).secret.token
        let shop = try await APIKeyRepository(database: stack.database).create(name: "shop", scope: .shop).secret.token
        if registersProvider {
            _ = try await stack.request(.post, "/v1/recipients", key: dpo, json: """
                {"code":"sim-mail","name":"PartnerSim mail","kind":"email_provider","base_url":"http://127.0.0.1:\(stack.simPort)",
                 "api_token":"provider-token","signing_secret":"\(EndToEndStack.secret.text)","country":"RU","country_adequate":true,"data_categories":["full_name","email"]}
                """)
        }
        _ = try await stack.request(.post, "/v1/policy-versions", key: dpo, json: """
            {"label":"v1","url":"https://shop.example/privacy","text_sha256":"\(String(repeating: "c", count: 64))","effective_at":"2020-01-01T00:00:00Z"}
            """)
        let subject = try await stack.request(.post, "/v1/subjects", key: shop, json: """
            {"external_ref":"e2e-1","full_name":"Мария Смирнова","email":"maria@example.com","phone":"+79035550101",
             "registration_address":"Москва, ул. Арбат, 10","locale":"ru-RU"}
            """)
        let subjectID = try #require(subject["id"] as? String)
        for (action, offset) in [("grant", -60), ("withdraw", -1)] {
            _ = try await stack.request(.post, "/v1/subjects/\(subjectID)/consents", key: shop, json: """
                {"purpose":"newsletter","action":"\(action)","policy_version":"v1","channel":"email_link",
                 "occurred_at":"\(Date().addingTimeInterval(Double(offset)).formatted(.iso8601))"}
                """)
        }
        return (subjectID, shop, dpo)
    }

    @Test("withdrawing the newsletter suppresses the address, then confirms in the subject's locale; each step signed and sent once")
    func optOut() async throws {
        try await EndToEndStack.run { stack in
            _ = try await Self.withdrawNewsletter(stack)
            try await EndToEndStack.waitFor { try await stack.jobState() == "succeeded" }
            let report = try await stack.received()
            #expect(report.rejectedSignatures == 0)
            #expect(report.duplicates == 0)
            #expect(report.received.map(\.endpoint) == ["/email/suppressions", "/email/messages"])
            let suppression = try #require(report.received.first)
            #expect(suppression.body == ["email": .string("maria@example.com"), "list": .string("newsletter"), "reason": .string("consent_withdrawn")])
            #expect(suppression.webhookID.hasSuffix("_suppress"))
            #expect(suppression.idempotencyKey == suppression.webhookID)
            #expect(suppression.authorization == "Bearer provider-token")
            let confirmation = try #require(report.received.last)
            #expect(confirmation.body["to"] == .string("maria@example.com"))
            #expect(confirmation.body["locale"] == .string("ru-RU"))
            #expect(confirmation.body["template"] == .string("newsletter_opt_out_confirmation"))
            #expect(confirmation.body["variables"] == .object(["name": .string("Мария Смирнова")]))
            for message in report.received {
                let text = String(decoding: try JSONEncoder().encode(message.body), as: UTF8.self)
                #expect(!text.contains("+79035550101"), "the phone is not sent")
                #expect(!text.contains("Арбат"), "the address is not sent")
            }
            let payload = try await stack.database.query("SELECT payload::text FROM jobs").collect().first?.decode(String.self) ?? ""
            #expect(!payload.contains("maria"), "the payload holds ids only")
        }
    }

    @Test("without an active e-mail provider the opt-out fails, saying why, and nothing is sent")
    func noProvider() async throws {
        try await EndToEndStack.run { stack in
            _ = try await Self.withdrawNewsletter(stack, registersProvider: false)
            try await EndToEndStack.waitFor { try await stack.jobState() == "failed" }
            let (kind, error) = try #require(try await stack.database.query("SELECT kind, last_error FROM jobs ORDER BY id DESC LIMIT 1")
                .collect().first?.decode((String, String?).self))
            #expect(kind == "newsletter_opt_out")
            #expect(error?.contains("no active e-mail provider is registered") == true)
            #expect(try await stack.received().received.isEmpty)
        }
    }

    @Test("a provider that answers 503 with Retry-After is retried; the delivered step is not sent again")
    func retryAfterFailure() async throws {
        try await EndToEndStack.run { stack in
            _ = try await stack.sim("/_faults", json: #"{"endpoint":"/email/messages","status":503,"count":1,"retry_after_seconds":1}"#)
            let started = ContinuousClock.now
            _ = try await Self.withdrawNewsletter(stack)
            try await EndToEndStack.waitFor { try await stack.jobState() == "succeeded" }
            #expect(ContinuousClock.now - started >= .seconds(1), "Retry-After was honoured")
            let report = try await stack.received()
            #expect(report.received.map(\.endpoint) == ["/email/suppressions", "/email/messages"])
            #expect(report.duplicates == 0, "the suppression was not repeated")
            let outcomes = try await stack.database.query("SELECT outcome, http_status FROM job_attempts ORDER BY attempt").collect()
                .map { try $0.decode((String, Int?).self) }
            #expect(outcomes.map(\.0) == ["retry", "succeeded"])
            #expect(outcomes.first?.1 == 503)
        }
    }

    @Test("a provider failing half of its requests at random still gets each step once effectively")
    func randomErrors() async throws {
        try await EndToEndStack.run { stack in
            for endpoint in ["/email/suppressions", "/email/messages"] {
                _ = try await stack.sim("/_faults", json: #"{"endpoint":"\#(endpoint)","error_rate":0.5,"latency_ms":20}"#)
            }
            _ = try await Self.withdrawNewsletter(stack)
            try await EndToEndStack.waitFor { try await stack.jobState() == "succeeded" }
            let report = try await stack.received()
            #expect(report.received.map(\.endpoint) == ["/email/suppressions", "/email/messages"])
            #expect(report.duplicates == 0)
            let outcomes = try await stack.database.query("SELECT outcome, http_status FROM job_attempts ORDER BY attempt").collect()
                .map { try $0.decode((String, Int?).self) }
            #expect(outcomes.last?.0 == "succeeded")
            #expect(outcomes.dropLast().allSatisfy { $0.0 == "retry" && ($0.1 == 500 || $0.1 == 503) })
        }
    }
}
