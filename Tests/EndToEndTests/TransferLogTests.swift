import CustodianCore
import CustodianStore
import Foundation
import PartnerSim
import Testing

/// Every delivery of personal data is a transfer (issue 22): the notices too — a suppression, an opt-out
/// confirmation, an erasure request — and a cascade reaches every recipient the log names, deactivated ones included.
@Suite("End to end: the complete transfer log")
struct TransferLogTests {
    static func transfers(_ stack: EndToEndStack, _ subjectID: String, dpo: String) async throws -> [[String: Any]] {
        try await stack.request(.get, "/v1/subjects/\(subjectID)/transfers", key: dpo)["items"] as? [[String: Any]] ?? []
    }

    @Test("the opt-out's suppression and confirmation are logged as transfers under subject_rights, with their categories and job")
    func optOutLogged() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, _, dpo) = try await NewsletterOptOutTests.withdrawNewsletter(stack)
            try await EndToEndStack.waitFor { try await stack.jobState() == "succeeded" }
            let logged = try await Self.transfers(stack, subjectID, dpo: dpo)
            #expect(logged.map { $0["recipient"] as? String } == ["sim-mail", "sim-mail"])
            #expect(logged.map { $0["data_categories"] as? [String] ?? [] } == [["email"], ["full_name", "email"]])
            #expect(logged.allSatisfy { $0["purpose"] as? String == "subject_rights" && $0["legal_basis"] as? String == "legal_obligation" })
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(DISTINCT job_id) FROM transfers WHERE job_id IS NOT NULL") == 1)
        }
    }

    @Test("a rectification after the newsletter's withdrawal is no new disclosure to the e-mail provider: no notice goes out")
    func noRectificationAfterWithdrawal() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, _, dpo) = try await NewsletterOptOutTests.withdrawNewsletter(stack)
            try await EndToEndStack.waitFor { try await stack.jobState() == "succeeded" }
            let rectification = try await SubjectRequestWorkTests.register(
                stack, dpo: dpo, kind: "rectification", identity: #""subject_id":"\#(subjectID)""#, extra: #","corrections":{"email":"maria.new@example.com"}"#)
            let fulfilled = try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, rectification)
            #expect(fulfilled["status"] as? String == "completed", "nobody to tell: the purpose ended")
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM rectification_notices") == 0)
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await stack.received().received.allSatisfy { $0.endpoint != "/rectifications" }, "the new address went nowhere")
        }
    }

    @Test("a new disclosure to an e-mail provider in a country without adequate protection needs the subject's cross-border consent: refused, saying why")
    func crossBorderRefusal() async throws {
        try await EndToEndStack.run { stack in
            let dpo = try await APIKeyRepository(database: stack.database).create(name: "dpo", scope: .dpo).secret.token
            let shop = try await APIKeyRepository(database: stack.database).create(name: "shop", scope: .shop).secret.token
            _ = try await stack.request(.post, "/v1/recipients", key: dpo, json: """
                {"code":"sim-mail-us","name":"Mail abroad","kind":"email_provider","base_url":"http://127.0.0.1:\(stack.simPort)",
                 "signing_secret":"\(EndToEndStack.secret.text)","country":"US","country_adequate":false,"data_categories":["full_name","email"]}
                """)
            _ = try await stack.request(.post, "/v1/policy-versions", key: dpo, json: """
                {"label":"v1","url":"https://shop.example/privacy","text_sha256":"\(String(repeating: "c", count: 64))","effective_at":"2020-01-01T00:00:00Z"}
                """)
            let subject = try await stack.request(.post, "/v1/subjects", key: shop, json: #"{"external_ref":"abroad-1","full_name":"Анна","email":"anna@example.com"}"#)
            let subjectID = try #require(subject["id"] as? String)
            _ = try await stack.request(.post, "/v1/subjects/\(subjectID)/consents", key: shop, json: """
                {"purpose":"newsletter","action":"grant","policy_version":"v1","channel":"web_form"}
                """)
            let rectification = try await SubjectRequestWorkTests.register(
                stack, dpo: dpo, kind: "rectification", identity: #""subject_id":"\#(subjectID)""#, extra: #","corrections":{"email":"anna.new@example.com"}"#)
            let fulfilled = try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, rectification)
            #expect(fulfilled["status"] as? String == "in_progress", "a notice is due to the provider that holds the address")
            try await EndToEndStack.waitFor {
                try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM rectification_notices WHERE status = 'failed'") == 1
            }
            let reason = try await stack.database.query("SELECT failure_reason FROM rectification_notices").collect().first?.decode(String?.self) ?? nil
            #expect(reason?.contains("not adequate") == true && reason?.contains("cross-border") == true, "\(reason ?? "-")")
            #expect(try await stack.received().received.allSatisfy { $0.endpoint != "/rectifications" }, "the new address did not cross the border")
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM transfers") == 0)
        }
    }

    @Test("an erasure reaches a deactivated e-mail provider that once held the address, and its delivery is logged")
    func cascadeReachesDeactivated() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, dpo) = try await ErasureCascadeTests.prepare(stack)
            let mail = try #require(try await stack.request(.get, "/v1/recipients", key: dpo)["items"] as? [[String: Any]])
                .first { $0["code"] as? String == "sim-mail" }
            let mailID = try #require(mail?["id"] as? String)
            let deactivated = try await stack.request(.patch, "/v1/recipients/\(mailID)", key: dpo, json: #"{"active":false}"#)
            #expect(deactivated["active"] as? Bool == false)

            let erasure = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "erasure", identity: #""subject_id":"\#(subjectID)""#)
            _ = try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, erasure)
            let cascade = try await ErasureCascadeTests.cascade(stack, subjectID, dpo: dpo)
            let codes = Set(((cascade["requests"] as? [[String: Any]]) ?? []).compactMap { $0["recipient"] as? String })
            #expect(codes == ["sim-courier", "sim-mail"], "the deactivated provider is asked too: \(codes)")
            try await EndToEndStack.waitFor {
                try await stack.received().received.filter { $0.endpoint == PartnerSim.erasureEndpoint }.count == 2
            }
            try await EndToEndStack.waitFor {
                try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM transfers WHERE purpose_code = 'subject_rights'") == 2
            }
            let logged = try await Self.transfers(stack, subjectID, dpo: dpo).filter { $0["purpose"] as? String == "subject_rights" }
            #expect(Set(logged.compactMap { $0["recipient"] as? String }) == ["sim-courier", "sim-mail"])
            let mailEntry = logged.first { $0["recipient"] as? String == "sim-mail" }
            #expect(mailEntry?["data_categories"] as? [String] == ["email"], "the e-mail provider was named the address it holds")
        }
    }
}
