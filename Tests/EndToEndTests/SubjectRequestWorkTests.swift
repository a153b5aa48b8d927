import CustodianStore
import Foundation
import PartnerSim
import PostgresNIO
import Testing

/// Each kind of subject request from registration to completion, through the API, the worker and PartnerSim.
@Suite("End to end: subject requests")
struct SubjectRequestWorkTests {
    /// Registers a request for `identity` (a JSON member such as `"email":"…"`) received an hour ago; returns its id.
    static func register(_ stack: EndToEndStack, dpo: String, kind: String, identity: String, extra: String = "") async throws -> String {
        let receivedAt = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-3600))
        let created = try await stack.request(.post, "/v1/subject-requests", key: dpo, json: """
            {\(identity),"kind":"\(kind)","regime":"gdpr","channel":"email","received_at":"\(receivedAt)"\(extra)}
            """)
        return try #require(created["id"] as? String)
    }

    static func fulfil(_ stack: EndToEndStack, dpo: String, _ requestID: String) async throws -> [String: Any] {
        try await stack.request(.post, "/v1/subject-requests/\(requestID)/fulfil", key: dpo)
    }

    static func status(_ stack: EndToEndStack, dpo: String, _ requestID: String) async throws -> String? {
        try await stack.request(.get, "/v1/subject-requests/\(requestID)", key: dpo)["status"] as? String
    }

    static func count(_ stack: EndToEndStack, _ sql: String) async throws -> Int {
        try await stack.database.query(PostgresQuery(unsafeSQL: sql)).collect().first?.decode(Int.self) ?? -1
    }

    @Test("access: fulfilled at once; the export holds the profile, orders, consent history with policies, transfers, requests and purposes; reads audited")
    func access() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, dpo) = try await ErasureCascadeTests.prepare(stack)
            let requestID = try await Self.register(stack, dpo: dpo, kind: "access", identity: #""email":"PETR@example.com""#)
            let early = try await stack.answer(.get, "/v1/subject-requests/\(requestID)/export", key: dpo)
            #expect(early.status == 409 && (early.body["type"] as? String)?.hasSuffix("/problems/export-not-ready") == true)

            let fulfilled = try await Self.fulfil(stack, dpo: dpo, requestID)
            #expect(fulfilled["status"] as? String == "completed")
            #expect(fulfilled["subject_id"] as? String == subjectID)
            let digest = try #require(fulfilled["export_sha256"] as? String)
            #expect(digest.count == 64)
            #expect(fulfilled["completed_at"] != nil && fulfilled["fulfilled_at"] != nil)

            let export = try await stack.request(.get, "/v1/subject-requests/\(requestID)/export", key: dpo)
            #expect(export["format"] as? String == "custodian-subject-export/1")
            let subject = try #require(export["subject"] as? [String: Any])
            #expect(subject["email"] as? String == "petr@example.com")
            #expect(subject["full_name"] as? String == "Пётр Кузнецов")
            #expect(subject["registration_address"] as? String == "Казань, ул. Баумана, 5")
            let orders = try #require(export["orders"] as? [[String: Any]])
            #expect(orders.map { $0["external_ref"] as? String } == ["SO-77"])
            #expect((orders.first?["delivery"] as? [String: Any])?["phone"] as? String == "+79037770001")
            #expect(((orders.first?["items"] as? [[String: Any]])?.first)?["sku"] as? String == "KETTLE")
            let history = try #require(export["consent_history"] as? [[String: Any]])
            #expect(history.map { "\($0["purpose"] ?? "") \($0["action"] ?? "") \($0["policy_version"] ?? "")" } == ["newsletter grant v1"])
            #expect(history.first?["policy_url"] as? String == "https://shop.example/privacy")
            let transfers = try #require(export["transfers"] as? [[String: Any]])
            #expect(transfers.count == 1)
            #expect(transfers.first?["recipient"] as? String == "sim-courier")
            #expect(transfers.first?["purpose"] as? String == "delivery")
            #expect(transfers.first?["legal_basis"] as? String == "contract")
            #expect(Set(transfers.first?["data_categories"] as? [String] ?? []) == ["full_name", "phone", "delivery_address"])
            #expect(transfers.first?["transferred_at"] != nil)
            #expect((export["subject_requests"] as? [[String: Any]])?.map { $0["id"] as? String } == [requestID])
            let purposes = try #require(export["purposes"] as? [[String: Any]])
            let newsletter = try #require(purposes.first { $0["code"] as? String == "newsletter" })
            #expect(newsletter["legal_basis"] as? String == "consent" && newsletter["retention_days"] as? Int == 30)

            let audited = try await Self.count(stack, "SELECT count(*) FROM audit_log WHERE action = 'subject_request.export'")
            #expect(audited == 1)
            let again = try await stack.answer(.post, "/v1/subject-requests/\(requestID)/fulfil", key: dpo)
            #expect(again.status == 409, "a request is fulfilled once")

            let objection = try await Self.register(stack, dpo: dpo, kind: "objection", identity: #""subject_id":"\#(subjectID)""#)
            let notAccess = try await stack.answer(.get, "/v1/subject-requests/\(objection)/export", key: dpo)
            #expect(notAccess.status == 409)
            let unknown = try await stack.answer(.get, "/v1/subject-requests/\(UUID().uuidString)/export", key: dpo)
            #expect(unknown.status == 404)
        }
    }

    @Test("objection: withdraws every consent-based purpose by default, the newsletter with its opt-out sent to the e-mail provider")
    func objection() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, dpo) = try await ErasureCascadeTests.prepare(stack)
            let refused = try await stack.answer(.post, "/v1/subject-requests", key: dpo, json: """
                {"subject_id":"\(subjectID)","kind":"objection","regime":"gdpr","channel":"email","received_at":"2026-01-05T10:00:00Z",
                 "purposes":["delivery"]}
                """)
            #expect(refused.status == 422, "delivery is a contract purpose, not consent-based")
            let misplaced = try await stack.answer(.post, "/v1/subject-requests", key: dpo, json: """
                {"subject_id":"\(subjectID)","kind":"access","regime":"gdpr","channel":"email","received_at":"2026-01-05T10:00:00Z",
                 "purposes":["newsletter"]}
                """)
            #expect(misplaced.status == 422, "purposes belong to objections only")
            #expect(try await Self.count(stack, "SELECT count(*) FROM subject_requests") == 0, "refused registrations store nothing")

            let requestID = try await Self.register(stack, dpo: dpo, kind: "objection", identity: #""subject_id":"\#(subjectID)""#)
            let fulfilled = try await Self.fulfil(stack, dpo: dpo, requestID)
            #expect(fulfilled["status"] as? String == "completed")
            #expect(fulfilled["purposes"] == nil, "all consent-based purposes")
            let states = try await stack.request(.get, "/v1/subjects/\(subjectID)/consents", key: dpo)
            let newsletter = ((states["current"] as? [[String: Any]]) ?? []).first { $0["purpose"] as? String == "newsletter" }
            #expect(newsletter?["state"] as? String == "withdrawn")
            try await EndToEndStack.waitFor { try await stack.received().received.contains { $0.endpoint == "/email/suppressions" } }
        }
    }

    @Test("an objection to direct marketing takes effect at registration: the newsletter is withdrawn, its opt-out enqueued with it, the request completed, due that day")
    func directMarketingObjection() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, dpo) = try await ErasureCascadeTests.prepare(stack)
            let registered = try await stack.request(.post, "/v1/subject-requests", key: dpo, json: """
                {"subject_id":"\(subjectID)","kind":"objection","ground":"direct_marketing","regime":"fz152","channel":"email",
                 "received_at":"2026-06-10T09:00:00Z","purposes":["newsletter"]}
                """)
            #expect(registered["status"] as? String == "completed", "no DPO step")
            #expect(registered["due_on"] as? String == "2026-06-10")
            #expect(registered["due_rule"] as? String == "immediately, Art. 15(2) 152-FZ, Art. 18(1) 38-FZ")
            // In the registration's own transaction: the withdrawal and the opt-out job exist as soon as it answered.
            #expect(try await Self.count(stack, """
                SELECT count(*) FROM consent_states WHERE subject_id = '\(subjectID)' AND purpose_code = 'newsletter' AND action = 'withdraw'
                """) == 1)
            #expect(try await Self.count(stack, "SELECT count(*) FROM jobs WHERE kind = 'newsletter_opt_out'") == 1)
            try await EndToEndStack.waitFor { try await stack.received().received.contains { $0.endpoint == "/email/suppressions" } }
        }
    }

    @Test("restriction: the subject is blocked, its pending transfer held (not failed) and new orders refused; lift resumes the transfer")
    func restriction() async throws {
        try await EndToEndStack.run { stack in
            let (orderID, subjectID, shop, dpo) = try await CourierTransferTests.prepare(stack, country: "RU", adequate: true)
            try await stack.sim("/_faults", json: #"{"endpoint":"/courier/shipments","status":503}"#)
            let shipment = try await stack.request(.post, "/v1/orders/\(orderID)/shipments", key: shop, json: #"{"courier":"sim-courier"}"#)
            let shipmentID = try #require(shipment["id"] as? String)
            try await EndToEndStack.waitFor { try await Self.count(stack, "SELECT max(attempt) FROM jobs WHERE kind = 'courier_transfer'") >= 1 }

            let requestID = try await Self.register(stack, dpo: dpo, kind: "restriction", identity: #""external_ref":"courier-1""#)
            let fulfilled = try await Self.fulfil(stack, dpo: dpo, requestID)
            #expect(fulfilled["status"] as? String == "completed")
            #expect(try await stack.request(.get, "/v1/subjects/\(subjectID)", key: dpo)["status"] as? String == "restricted")
            try await stack.sim("/_faults", json: #"{"endpoint":"/courier/shipments"}"#)
            try await EndToEndStack.waitFor { try await stack.jobState() == "held" }
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await stack.jobState() == "held", "a held job stays held")
            let held = try await stack.request(.get, "/v1/jobs?state=held", key: dpo)
            #expect(((held["items"] as? [[String: Any]]) ?? []).map { $0["kind"] as? String } == ["courier_transfer"], "the DPO sees it held")
            #expect(try await stack.received().received.filter { $0.endpoint == "/courier/shipments" }.isEmpty, "nothing reaches the courier")
            let pending = try await stack.request(.get, "/v1/orders/\(orderID)/shipments", key: dpo)
            #expect(((pending["items"] as? [[String: Any]]) ?? []).first?["status"] as? String == "pending", "held, not failed")

            let order = try await stack.answer(.post, "/v1/orders", key: shop, json: """
                {"subject_id":"\(subjectID)","external_ref":"SO-78","currency":"RUB","total_minor":100,
                 "items":[{"sku":"CUP","name":"Cup","quantity":1,"unit_price_minor":100}],
                 "delivery":{"recipient_name":"Пётр","phone":"+79037770001","address_lines":["ул. Пушкина, 3"],"city":"Казань","country":"RU"}}
                """)
            #expect(order.status == 409, "a restricted subject places no orders: \(order.body)")

            let lifted = try await stack.request(.post, "/v1/subject-requests/\(requestID)/lift", key: dpo)
            #expect(lifted["lifted_at"] != nil)
            #expect(try await stack.request(.get, "/v1/subjects/\(subjectID)", key: dpo)["status"] as? String == "active")
            try await EndToEndStack.waitFor { try await stack.jobState() == "succeeded" }
            #expect(try await stack.received().received.filter { $0.endpoint == "/courier/shipments" }.count == 1)
            let sent = try await stack.request(.get, "/v1/orders/\(orderID)/shipments", key: shop)
            #expect(((sent["items"] as? [[String: Any]]) ?? []).first { $0["id"] as? String == shipmentID }?["status"] as? String == "sent")
            let twice = try await stack.answer(.post, "/v1/subject-requests/\(requestID)/lift", key: dpo)
            #expect(twice.status == 409)
        }
    }

    @Test("rectification: corrections applied, a signed notice with the new values sent to the recipient that held them; completed on delivery")
    func rectification() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, dpo) = try await ErasureCascadeTests.prepare(stack)
            let missing = try await stack.answer(.post, "/v1/subject-requests", key: dpo, json: """
                {"subject_id":"\(subjectID)","kind":"rectification","regime":"gdpr","channel":"email","received_at":"2026-01-05T10:00:00Z"}
                """)
            #expect(missing.status == 422, "a rectification names its corrections")
            let shop = try await APIKeyRepository(database: stack.database).create(name: "shop-r", scope: .shop).secret.token
            _ = try await stack.request(.post, "/v1/subjects", key: shop, json: #"{"external_ref":"other-1","full_name":"Other","email":"taken@example.com"}"#)
            let clash = try await Self.register(
                stack, dpo: dpo, kind: "rectification", identity: #""subject_id":"\#(subjectID)""#, extra: #","corrections":{"email":"Taken@example.com"}"#)
            let refused = try await stack.answer(.post, "/v1/subject-requests/\(clash)/fulfil", key: dpo)
            #expect(refused.status == 409 && (refused.body["type"] as? String)?.hasSuffix("/problems/duplicate") == true)
            #expect(try await Self.status(stack, dpo: dpo, clash) == "received", "a refused fulfilment changes nothing")
            _ = try await stack.request(.post, "/v1/subject-requests/\(clash)/deny", key: dpo, json: #"{"reason":"other","explanation":"The address belongs to another customer."}"#)
            #expect(try await Self.count(stack, "SELECT count(*) FROM subject_requests WHERE corrections IS NOT NULL") == 0, "a denied request keeps no values")
            let requestID = try await Self.register(
                stack, dpo: dpo, kind: "rectification", identity: #""subject_id":"\#(subjectID)""#,
                extra: #","corrections":{"email":"Petr.K@Example.com","full_name":"Пётр Кузнецов-Иванов"}"#)
            #expect(try await Self.count(stack, "SELECT count(*) FROM subject_requests WHERE corrections IS NOT NULL") == 1)
            let fulfilled = try await Self.fulfil(stack, dpo: dpo, requestID)
            #expect(fulfilled["status"] as? String == "in_progress", "waits for the notice")
            #expect(fulfilled["corrected_fields"] as? [String] == ["full_name", "email"])
            let subject = try await stack.request(.get, "/v1/subjects/\(subjectID)", key: dpo)
            #expect(subject["email"] as? String == "Petr.K@Example.com")
            #expect(subject["full_name"] as? String == "Пётр Кузнецов-Иванов")
            #expect(try await Self.count(stack, "SELECT count(*) FROM subject_requests WHERE corrections IS NOT NULL") == 0, "values not kept on the request")

            try await EndToEndStack.waitFor { try await Self.status(stack, dpo: dpo, requestID) == "completed" }
            let notices = try await stack.received().received.filter { $0.endpoint == "/rectifications" }
            #expect(notices.count == 1, "only the e-mail provider held a corrected field; the courier got the order's delivery block")
            let notice = try #require(notices.first)
            #expect(notice.body["type"] == .string("subject.rectified"))
            #expect(notice.body["subject_request_id"] == .string(requestID))
            #expect(notice.body["identities"] == .array([
                .object(["identity_type": .string("email"), "identity_value": .string("petr@example.com"), "identity_format": .string("raw")]),
            ]), "named as the recipient knows the subject")
            #expect(notice.body["corrected"] == .object(["email": .string("Petr.K@Example.com"), "full_name": .string("Пётр Кузнецов-Иванов")]))
            let request = try await stack.request(.get, "/v1/subject-requests/\(requestID)", key: dpo)
            let listed = try #require((request["notices"] as? [[String: Any]])?.first)
            #expect(listed["recipient"] as? String == "sim-mail" && listed["status"] as? String == "delivered")
            #expect(Set(listed["fields"] as? [String] ?? []) == ["email", "full_name"])
            #expect(try await Self.count(stack, "SELECT count(*) FROM rectification_notices WHERE identities IS NOT NULL") == 0)
            let logged = try await stack.request(.get, "/v1/subjects/\(subjectID)/transfers", key: dpo)
            #expect(((logged["items"] as? [[String: Any]]) ?? []).contains { $0["recipient"] as? String == "sim-mail" && $0["purpose"] as? String == "newsletter" })
            #expect((request["history"] as? [[String: Any]])?.compactMap { $0["status"] as? String } == ["received", "in_progress", "completed"])
        }
    }
}
