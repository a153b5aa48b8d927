import CustodianStore
import Foundation
import Testing

/// Blocking from the moment a request is received (152-FZ Art. 21(1)-(2)): what the shop can no longer do, what the
/// subject can always do, and when the block ends.
@Suite("End to end: blocking at registration")
struct SubjectBlockTests {
    static let restricted = "/problems/subject-restricted"

    static func transferState(_ stack: EndToEndStack) async throws -> String? {
        try await stack.database.query("SELECT state FROM jobs WHERE kind = 'courier_transfer'").collect().first?.decode(String.self)
    }

    @Test("a restriction blocks at registration: every shop read and write is 409, withdrawals pass, the DPO still reads; a transfer stays held until lift")
    func restrictionBlocksAtOnce() async throws {
        try await EndToEndStack.run { stack in
            let (orderID, subjectID, shop, dpo) = try await CourierTransferTests.prepare(stack, country: "RU", adequate: true)
            _ = try await stack.request(.post, "/v1/subjects/\(subjectID)/consents", key: shop, json: """
                {"purpose":"newsletter","action":"grant","policy_version":"v1","channel":"checkout"}
                """)
            _ = try await stack.sim("/_faults", json: #"{"endpoint":"/courier/shipments","status":503}"#)
            _ = try await stack.request(.post, "/v1/orders/\(orderID)/shipments", key: shop, json: #"{"courier":"sim-courier"}"#)
            try await EndToEndStack.waitFor { try await SubjectRequestWorkTests.count(stack, "SELECT max(attempt) FROM jobs WHERE kind = 'courier_transfer'") >= 1 }

            let requestID = try await SubjectRequestWorkTests.register(
                stack, dpo: dpo, kind: "restriction", identity: #""external_ref":"courier-1""#, extra: #","ground":"unlawful""#)
            #expect(try await SubjectRequestWorkTests.status(stack, dpo: dpo, requestID) == "received", "not fulfilled, yet already blocking")
            // Held by the registering transaction while it waits for its retry, or by the worker if it was running then.
            try await EndToEndStack.waitFor { try await Self.transferState(stack) == "held" }

            let refused: [(String, String, String?)] = [
                ("GET", "/v1/subjects/\(subjectID)", nil),
                ("PATCH", "/v1/subjects/\(subjectID)", #"{"full_name":"Пётр К."}"#),
                ("GET", "/v1/subjects/\(subjectID)/consents", nil),
                ("POST", "/v1/subjects/\(subjectID)/consents", #"{"purpose":"newsletter","action":"grant","policy_version":"v1","channel":"checkout"}"#),
                ("GET", "/v1/subjects/\(subjectID)/orders", nil),
                ("GET", "/v1/orders/\(orderID)", nil),
                ("PATCH", "/v1/orders/\(orderID)", #"{"status":"paid"}"#),
                ("GET", "/v1/orders/\(orderID)/shipments", nil),
                ("POST", "/v1/orders/\(orderID)/shipments", #"{"courier":"sim-courier"}"#),
                ("POST", "/v1/orders", """
                    {"subject_id":"\(subjectID)","external_ref":"SO-78","currency":"RUB","total_minor":100,
                     "items":[{"sku":"CUP","name":"Cup","quantity":1,"unit_price_minor":100}],
                     "delivery":{"recipient_name":"Пётр","phone":"+79037770001","address_lines":["ул. Пушкина, 3"],"city":"Казань","country":"RU"}}
                    """),
            ]
            let auditBefore = try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM audit_log")
            for (method, uri, body) in refused {
                let answer = try await stack.answer(.init(rawValue: method)!, uri, key: shop, json: body)
                #expect(answer.status == 409 && answer.body["type"] as? String == Self.restricted, "\(method) \(uri): \(answer.status) \(answer.body)")
                #expect(!"\(answer.body)".contains("Пётр") && !"\(answer.body)".contains("petr@"), "no personal data in the refusal")
            }
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM audit_log") == auditBefore, "refused reads are not recorded as reads")
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM orders") == 1)
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM shipments") == 1)
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM subjects WHERE full_name IS NOT NULL AND email_index IS NOT NULL") == 1,
                    "the refused writes changed nothing")

            let lookup = try await stack.request(.get, "/v1/subjects?external_ref=courier-1", key: shop)
            let found = try #require((lookup["items"] as? [[String: Any]])?.first)
            #expect(found["id"] as? String == subjectID && found["status"] as? String == "restricted")
            #expect(found["full_name"] == nil && found["email"] == nil && found["phone"] == nil && found["registration_address"] == nil)

            let withdrawal = try await stack.answer(.post, "/v1/subjects/\(subjectID)/consents", key: shop, json: """
                {"purpose":"newsletter","action":"withdraw","policy_version":"v1","channel":"email_link"}
                """)
            #expect(withdrawal.status == 201, "the subject's withdrawal is never blocked: \(withdrawal.body)")
            let consents = try await stack.request(.get, "/v1/subjects/\(subjectID)/consents", key: dpo)
            let newsletter = (consents["current"] as? [[String: Any]])?.first { $0["purpose"] as? String == "newsletter" }
            #expect(newsletter?["state"] as? String == "withdrawn", "\(consents)")

            let asDPO = try await stack.request(.get, "/v1/subjects/\(subjectID)", key: dpo)
            #expect(asDPO["full_name"] as? String == "Пётр Кузнецов" && asDPO["status"] as? String == "restricted")
            #expect(try await SubjectRequestWorkTests.count(stack, """
                SELECT count(*) FROM audit_log WHERE action = 'subject.read' AND subject_id = '\(subjectID)' AND api_key_id IS NOT NULL
                  AND api_key_id = (SELECT id FROM api_keys WHERE scope = 'dpo' LIMIT 1)
                """) == 1, "the DPO's read is audited")

            _ = try await stack.sim("/_faults", json: #"{"endpoint":"/courier/shipments"}"#)
            _ = try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, requestID)
            try await Task.sleep(for: .milliseconds(700))
            #expect(try await Self.transferState(stack) == "held", "fulfilling a restriction keeps the block")
            #expect(try await stack.received().received.filter { $0.endpoint == "/courier/shipments" }.isEmpty, "nothing reached the courier")

            _ = try await stack.request(.post, "/v1/subject-requests/\(requestID)/lift", key: dpo)
            try await EndToEndStack.waitFor { try await Self.transferState(stack) == "succeeded" }
            #expect(try await stack.answer(.get, "/v1/subjects/\(subjectID)", key: shop).status == 200, "the shop reads it again")
        }
    }

    @Test("a rectification of inaccurate data blocks until fulfilled; an erasure on unlawful processing until denied; a cancelled restriction ends its block but not another's")
    func blockEnds() async throws {
        try await EndToEndStack.run { stack in
            let (_, subjectID, shop, dpo) = try await CourierTransferTests.prepare(stack, country: "RU", adequate: true)
            let subject = #""subject_id":"\#(subjectID)""#
            func status() async throws -> String? { try await stack.request(.get, "/v1/subjects/\(subjectID)", key: dpo)["status"] as? String }

            let access = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "access", identity: subject)
            let erasureOnWithdrawal = try await SubjectRequestWorkTests.register(
                stack, dpo: dpo, kind: "erasure", identity: subject, extra: #","ground":"consent_withdrawn""#)
            #expect(try await status() == "active", "access and an erasure on withdrawn consent do not block")
            _ = try await stack.request(.post, "/v1/subject-requests/\(access)/cancel", key: dpo)
            _ = try await stack.request(.post, "/v1/subject-requests/\(erasureOnWithdrawal)/cancel", key: dpo)

            let rectification = try await SubjectRequestWorkTests.register(
                stack, dpo: dpo, kind: "rectification", identity: subject, extra: #","corrections":{"full_name":"Пётр Кузнецов-Иванов"}"#)
            #expect(try await status() == "restricted", "a rectification of inaccurate data blocks at registration")
            #expect(try await stack.answer(.get, "/v1/subjects/\(subjectID)", key: shop).status == 409)
            _ = try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, rectification)
            #expect(try await status() == "active", "corrected: active again")
            #expect(try await stack.request(.get, "/v1/subjects/\(subjectID)", key: shop)["full_name"] as? String == "Пётр Кузнецов-Иванов")

            let unlawful = try await SubjectRequestWorkTests.register(
                stack, dpo: dpo, kind: "erasure", identity: subject, extra: #","ground":"unlawful""#)
            let restriction = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "restriction", identity: subject)
            #expect(try await status() == "restricted")
            _ = try await stack.request(.post, "/v1/subject-requests/\(restriction)/cancel", key: dpo)
            #expect(try await status() == "restricted", "the erasure still blocks")
            _ = try await stack.request(.post, "/v1/subject-requests/\(unlawful)/deny", key: dpo,
                                        json: #"{"reason":"manifestly_unfounded","explanation":"The processing rests on a contract."}"#)
            #expect(try await status() == "active", "denied: the block ends")
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM audit_log WHERE action LIKE 'subject_request.%'") >= 8)
        }
    }
}
