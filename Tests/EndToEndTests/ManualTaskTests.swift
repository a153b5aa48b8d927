import CustodianStore
import Foundation
import PartnerSim
import Testing

/// Recipients without an API (issue 22, part 3): each message for them becomes a DPO task, and what waits on it
/// (a rectification, an erasure) waits until the task is closed with evidence.
@Suite("End to end: manual recipients")
struct ManualTaskTests {
    /// Keys, a policy version, a manual vendor that holds the subject's e-mail for support, and the subject.
    static func prepare(_ stack: EndToEndStack) async throws -> (subjectID: String, shop: String, dpo: String) {
        let dpo = try await APIKeyRepository(database: stack.database).create(name: "dpo", scope: .dpo).secret.token
        let shop = try await APIKeyRepository(database: stack.database).create(name: "shop", scope: .shop).secret.token
        let vendor = try await stack.request(.post, "/v1/recipients", key: dpo, json: """
            {"code":"crm-vendor","name":"CRM Vendor","kind":"other","delivery_mode":"manual","contact":"privacy@crm.example",
             "language":"ru","country":"RU","country_adequate":true,"data_categories":["email","full_name"]}
            """)
        let vendorID = try #require((vendor["recipient"] as? [String: Any])?["id"] as? String)
        _ = try await stack.request(.post, "/v1/policy-versions", key: dpo, json: """
            {"label":"v1","url":"https://shop.example/privacy","text_sha256":"\(String(repeating: "c", count: 64))","effective_at":"2020-01-01T00:00:00Z"}
            """)
        let subject = try await stack.request(.post, "/v1/subjects", key: shop, json: """
            {"external_ref":"manual-1","full_name":"Ольга Петрова","email":"olga.manual@example.com"}
            """)
        let subjectID = try #require(subject["id"] as? String)
        try await stack.database.query("""
            INSERT INTO transfers (recipient_id, subject_id, data_categories, purpose_code, legal_basis)
            VALUES (\(UUID(uuidString: vendorID)!), \(UUID(uuidString: subjectID)!), '{email}', 'support', 'legitimate_interest')
            """)
        return (subjectID, shop, dpo)
    }

    static func openTasks(_ stack: EndToEndStack, dpo: String) async throws -> [[String: Any]] {
        try await stack.request(.get, "/v1/manual-tasks?status=open", key: dpo)["items"] as? [[String: Any]] ?? []
    }

    static func close(_ stack: EndToEndStack, dpo: String, _ taskID: String, at: Date = Date(), reference: String) async throws -> (status: Int, body: [String: Any]) {
        try await stack.answer(.post, "/v1/manual-tasks/\(taskID)/close", key: dpo, json: """
            {"performed_by":"Анна, DPO","performed_at":"\(ISO8601DateFormatter().string(from: at))","method":"email","reference":"\(reference)"}
            """)
    }

    @Test("a rectification, a restriction and its lift, and an erasure for a vendor without an API become DPO tasks with the text and identities; each waits until closed with evidence")
    func rectificationAndErasure() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, _, dpo) = try await Self.prepare(stack)

            let rectification = try await SubjectRequestWorkTests.register(
                stack, dpo: dpo, kind: "rectification", identity: #""subject_id":"\#(subjectID)""#, extra: #","corrections":{"email":"olga.new@example.com"}"#)
            #expect(try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, rectification)["status"] as? String == "in_progress")
            try await EndToEndStack.waitFor { try await Self.openTasks(stack, dpo: dpo).count == 1 }
            let notice = try #require(try await Self.openTasks(stack, dpo: dpo).first)
            #expect(notice["kind"] as? String == "rectification_notice" && notice["recipient"] as? String == "crm-vendor")
            #expect(notice["identities"] == nil && notice["text"] == nil, "a list carries no identities")
            let noticeID = try #require(notice["id"] as? String)
            let read = try await stack.request(.get, "/v1/manual-tasks/\(noticeID)", key: dpo)
            let text = try #require(read["text"] as? [String: Any])
            #expect(text["language"] as? String == "ru" && (text["title"] as? String)?.contains("уточнении") == true)
            let body = try #require(text["body"] as? String)
            #expect(body.contains("olga.manual@example.com") && body.contains("olga.new@example.com") && body.contains(noticeID),
                    "the old address finds the record, the new one corrects it, the task id is the reference")
            #expect(read["contact"] as? String == "privacy@crm.example")
            #expect(try await SubjectRequestWorkTests.status(stack, dpo: dpo, rectification) == "in_progress", "the request waits on the task")
            let future = try await Self.close(stack, dpo: dpo, noticeID, at: Date().addingTimeInterval(3600), reference: "MSG-1")
            #expect(future.status == 422, "evidence from the future is refused")
            let closed = try await Self.close(stack, dpo: dpo, noticeID, reference: "MSG-1")
            #expect(closed.status == 200 && closed.body["status"] as? String == "closed")
            #expect((closed.body["evidence"] as? [String: Any])?["reference"] as? String == "MSG-1")
            #expect(try await SubjectRequestWorkTests.status(stack, dpo: dpo, rectification) == "completed")
            let again = try await Self.close(stack, dpo: dpo, noticeID, reference: "MSG-2")
            #expect(again.status == 409 && again.body["type"] as? String != nil)
            let reread = try await stack.request(.get, "/v1/manual-tasks/\(noticeID)", key: dpo)
            #expect(reread["identities"] == nil && reread["text"] == nil, "a closed task keeps the evidence, not the identities")

            let restriction = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "restriction", identity: #""subject_id":"\#(subjectID)""#)
            _ = try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, restriction)
            try await EndToEndStack.waitFor { try await Self.openTasks(stack, dpo: dpo).count == 1 }
            let restricted = try #require(try await Self.openTasks(stack, dpo: dpo).first)
            #expect(restricted["kind"] as? String == "restriction_notice")
            let restrictedID = try #require(restricted["id"] as? String)
            let restrictedText = try #require((try await stack.request(.get, "/v1/manual-tasks/\(restrictedID)", key: dpo)["text"] as? [String: Any])?["body"] as? String)
            #expect(restrictedText.contains("ограничил обработку") && restrictedText.contains("olga.new@example.com"))
            #expect(try await Self.close(stack, dpo: dpo, restrictedID, reference: "MSG-R").status == 200)
            #expect(try await stack.answer(.post, "/v1/subject-requests/\(restriction)/lift", key: dpo).status == 200)
            try await EndToEndStack.waitFor { try await Self.openTasks(stack, dpo: dpo).count == 1 }
            let liftedID = try #require(try await Self.openTasks(stack, dpo: dpo).first?["id"] as? String)
            #expect(try await Self.close(stack, dpo: dpo, liftedID, reference: "MSG-L").status == 200)

            let erasure = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "erasure", identity: #""subject_id":"\#(subjectID)""#)
            #expect(try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, erasure)["status"] as? String == "in_progress")
            try await EndToEndStack.waitFor { try await Self.openTasks(stack, dpo: dpo).count == 1 }
            let task = try #require(try await Self.openTasks(stack, dpo: dpo).first)
            #expect(task["kind"] as? String == "erasure_request")
            let taskID = try #require(task["id"] as? String)
            let erasureText = try #require((try await stack.request(.get, "/v1/manual-tasks/\(taskID)", key: dpo)["text"] as? [String: Any])?["body"] as? String)
            #expect(erasureText.contains("olga.new@example.com") && erasureText.contains("GDPR"),
                    "names the address the vendor now holds, under the request's regime (gdpr)")
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await stack.received().received.allSatisfy { $0.endpoint != PartnerSim.erasureEndpoint }, "no HTTP call for a manual recipient")
            #expect(try await SubjectRequestWorkTests.status(stack, dpo: dpo, erasure) == "in_progress", "the cascade waits on the task")
            #expect(try await Self.close(stack, dpo: dpo, taskID, reference: "LETTER-7").status == 200)
            #expect(try await SubjectRequestWorkTests.status(stack, dpo: dpo, erasure) == "completed")

            let logged = try await TransferLogTests.transfers(stack, subjectID, dpo: dpo).filter { $0["recipient"] as? String == "crm-vendor" }
            #expect(logged.contains { $0["purpose"] as? String == "support" && $0["data_categories"] as? [String] == ["email"] },
                    "the rectified address, logged under the purpose the vendor holds it for")
            #expect(logged.filter { $0["purpose"] as? String == "subject_rights" && $0["data_categories"] as? [String] == ["email"] }.count == 3,
                    "the restriction, its lift and the erasure request, each logged as every notice is")
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM audit_log WHERE action = 'manual_task.close'") == 4)
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM audit_log WHERE action = 'manual_task.read'") >= 3)
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM manual_tasks WHERE identities IS NOT NULL") == 0)
        }
    }

    @Test("a consent change for an analytics vendor without an API becomes a task naming only the pseudonym; closing logs the transfer")
    func consentChange() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, shop, dpo) = try await Self.prepare(stack)
            _ = try await stack.request(.post, "/v1/recipients", key: dpo, json: """
                {"code":"offline-analytics","name":"Offline Analytics","kind":"analytics","delivery_mode":"manual","contact":"dpo@analytics.example",
                 "language":"en","country":"RU","country_adequate":true,"data_categories":["pseudonymous_id"]}
                """)
            _ = try await stack.request(.post, "/v1/subjects/\(subjectID)/consents", key: shop, json: """
                {"purpose":"analytics","action":"grant","policy_version":"v1","channel":"web_form"}
                """)
            try await EndToEndStack.waitFor { try await Self.openTasks(stack, dpo: dpo).count == 1 }
            let task = try #require(try await Self.openTasks(stack, dpo: dpo).first)
            #expect(task["kind"] as? String == "consent_change")
            let taskID = try #require(task["id"] as? String)
            let read = try await stack.request(.get, "/v1/manual-tasks/\(taskID)", key: dpo)
            let identities = try #require(read["identities"] as? [[String: Any]])
            #expect(identities.count == 1 && identities.first?["type"] as? String == "pseudonymous_id")
            let text = try #require((read["text"] as? [String: Any])?["body"] as? String)
            #expect(text.contains("granted") && text.contains("analytics") && !text.contains("olga") && !text.contains("Ольга"))
            #expect(try await Self.close(stack, dpo: dpo, taskID, reference: "TICKET-3").status == 200)
            let logged = try await TransferLogTests.transfers(stack, subjectID, dpo: dpo).filter { $0["recipient"] as? String == "offline-analytics" }
            #expect(logged.count == 1 && logged.first?["purpose"] as? String == "analytics"
                    && logged.first?["data_categories"] as? [String] == ["pseudonymous_id"])
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM consent_change_notices WHERE status = 'delivered'") == 1)
        }
    }
}
