import CustodianCore
import CustodianStore
import Foundation
import PartnerSim
import Testing

/// API → courier transfer job → PartnerSim courier, with the transfer log.
@Suite("End to end: courier transfer")
struct CourierTransferTests {
    typealias Stack = EndToEndStack

    /// A courier in `country`, a subject with an order; returns the order id, subject id and keys.
    static func prepare(_ stack: Stack, country: String, adequate: Bool) async throws -> (orderID: String, subjectID: String, shop: String, dpo: String) {
        let dpo = try await APIKeyRepository(database: stack.database).create(name: "dpo", scope: .dpo).secret.token
        let shop = try await APIKeyRepository(database: stack.database).create(name: "shop", scope: .shop).secret.token
        _ = try await stack.request(.post, "/v1/recipients", key: dpo, json: """
            {"code":"sim-courier","name":"PartnerSim courier","kind":"courier","base_url":"http://127.0.0.1:\(stack.simPort)",
             "signing_secret":"\(EndToEndStack.secret.text)","country":"\(country)","country_adequate":\(adequate),
             "data_categories":["full_name","phone","delivery_address"]}
            """)
        _ = try await stack.request(.post, "/v1/policy-versions", key: dpo, json: """
            {"label":"v1","url":"https://shop.example/privacy","text_sha256":"\(String(repeating: "d", count: 64))","effective_at":"2020-01-01T00:00:00Z"}
            """)
        let subject = try await stack.request(.post, "/v1/subjects", key: shop, json: """
            {"external_ref":"courier-1","full_name":"Пётр Кузнецов","email":"petr@example.com","phone":"+79037770000",
             "registration_address":"Казань, ул. Баумана, 5"}
            """)
        let subjectID = try #require(subject["id"] as? String)
        let order = try await stack.request(.post, "/v1/orders", key: shop, json: """
            {"subject_id":"\(subjectID)","external_ref":"SO-77","currency":"RUB","total_minor":250000,
             "items":[{"sku":"KETTLE","name":"Kettle","quantity":1,"unit_price_minor":250000}],
             "delivery":{"recipient_name":"Пётр Кузнецов","phone":"+7 903 777-00-01","address_lines":["ул. Пушкина, 3","кв. 7"],
                         "city":"Казань","postal_code":"420000","country":"RU"}}
            """)
        return (try #require(order["id"] as? String), subjectID, shop, dpo)
    }

    @Test("the courier receives only what delivery needs; the shipment gets its tracking number and the transfer is logged")
    func delivered() async throws {
        try await EndToEndStack.run { stack in
            let (orderID, subjectID, shop, dpo) = try await Self.prepare(stack, country: "RU", adequate: true)
            let shipment = try await stack.request(.post, "/v1/orders/\(orderID)/shipments", key: shop, json: #"{"courier":"sim-courier"}"#)
            #expect(shipment["status"] as? String == "pending")
            try await EndToEndStack.waitFor { try await stack.jobState() == "succeeded" }

            let message = try #require(try await stack.received().received.first { $0.endpoint == "/courier/shipments" })
            #expect(message.body == [
                "order_reference": .string("SO-77"),
                "recipient": .object(["name": .string("Пётр Кузнецов"), "phone": .string("+79037770001")]),
                "address": .object([
                    "lines": .array([.string("ул. Пушкина, 3"), .string("кв. 7")]), "city": .string("Казань"),
                    "postal_code": .string("420000"), "country": .string("RU"),
                ]),
                "parcel_lines": .array([.object(["sku": .string("KETTLE"), "name": .string("Kettle"), "quantity": .number(1)])]),
            ])
            let sent = try #require(try await stack.request(.get, "/v1/orders/\(orderID)/shipments", key: shop)["items"] as? [[String: Any]])
            #expect(sent.first?["status"] as? String == "sent")
            #expect((sent.first?["tracking_reference"] as? String)?.hasPrefix("SIM-") == true)
            let transfers = try #require(try await stack.request(.get, "/v1/subjects/\(subjectID)/transfers", key: dpo)["items"] as? [[String: Any]])
            #expect(transfers.count == 1)
            #expect(transfers.first?["recipient"] as? String == "sim-courier")
            #expect(transfers.first?["purpose"] as? String == "delivery")
            #expect(transfers.first?["legal_basis"] as? String == "contract")
            #expect(transfers.first?["data_categories"] as? [String] == ["full_name", "phone", "delivery_address"])
        }
    }

    @Test("SSRF: a courier answering with a redirect is not followed; the job fails at once and the target gets nothing")
    func redirectNotFollowed() async throws {
        try await EndToEndStack.run { stack in
            let (orderID, _, shop, _) = try await Self.prepare(stack, country: "RU", adequate: true)
            // Had the worker followed it, the same signed request would be recorded at this other PartnerSim endpoint.
            _ = try await stack.sim("/_faults", json: """
                {"endpoint":"/courier/shipments","redirect_to":"http://127.0.0.1:\(stack.simPort)/rectifications"}
                """)
            _ = try await stack.request(.post, "/v1/orders/\(orderID)/shipments", key: shop, json: #"{"courier":"sim-courier"}"#)
            try await EndToEndStack.waitFor { try await stack.jobState() == "failed" }
            let job = try #require(try await stack.database.query("SELECT attempt, last_error FROM jobs ORDER BY id DESC LIMIT 1").collect().first)
            let (attempts, reason) = try job.decode((Int, String?).self)
            #expect(attempts == 1)
            #expect(reason?.contains("redirects are not followed") == true, "\(reason ?? "")")
            #expect(try await stack.received().received.isEmpty)
        }
    }

    @Test("a courier in a non-adequate country gets nothing without cross-border consent, and the shipment says why")
    func crossBorder() async throws {
        try await EndToEndStack.run { stack in
            let (orderID, subjectID, shop, dpo) = try await Self.prepare(stack, country: "US", adequate: false)
            _ = try await stack.request(.post, "/v1/orders/\(orderID)/shipments", key: shop, json: #"{"courier":"sim-courier"}"#)
            try await EndToEndStack.waitFor { try await stack.jobState() == "failed" }
            let shipments = try #require(try await stack.request(.get, "/v1/orders/\(orderID)/shipments", key: shop)["items"] as? [[String: Any]])
            #expect(shipments.first?["status"] as? String == "failed")
            #expect((shipments.first?["failure_reason"] as? String)?.contains("cross-border") == true)
            #expect(try await stack.received().received.isEmpty)

            _ = try await stack.request(.post, "/v1/subjects/\(subjectID)/consents", key: shop, json: """
                {"purpose":"cross_border_transfer","action":"grant","policy_version":"v1","channel":"checkout"}
                """)
            _ = try await stack.request(.post, "/v1/orders/\(orderID)/shipments", key: shop, json: #"{"courier":"sim-courier"}"#)
            try await EndToEndStack.waitFor { try await stack.jobState() == "succeeded" }
            #expect(try await stack.received().received.count == 1)
            let transfers = try #require(try await stack.request(.get, "/v1/subjects/\(subjectID)/transfers", key: dpo)["items"] as? [[String: Any]])
            #expect(transfers.count == 1)
        }
    }

    /// A shipment handed to PartnerSim's courier, which first gets `courierFault`.
    static func ship(_ stack: EndToEndStack, courierFault: String) async throws -> (orderID: String, shop: String, dpo: String) {
        let (orderID, _, shop, dpo) = try await prepare(stack, country: "RU", adequate: true)
        _ = try await stack.sim("/_faults", json: courierFault)
        _ = try await stack.request(.post, "/v1/orders/\(orderID)/shipments", key: shop, json: #"{"courier":"sim-courier"}"#)
        return (orderID, shop, dpo)
    }

    @Test("a courier answering 429 with Retry-After is retried no sooner than it asked, then gets the shipment once")
    func rateLimited() async throws {
        try await EndToEndStack.run { stack in
            _ = try await Self.ship(stack, courierFault: #"{"endpoint":"/courier/shipments","status":429,"count":2,"retry_after_seconds":1}"#)
            try await EndToEndStack.waitFor { try await stack.jobState() == "succeeded" }
            let attempts = try await stack.database.query("""
                SELECT outcome, http_status, extract(epoch FROM started_at)::float8 FROM job_attempts ORDER BY attempt
                """).collect().map { try $0.decode((String, Int?, Double).self) }
            #expect(attempts.map(\.0) == ["retry", "retry", "succeeded"])
            #expect(attempts.prefix(2).map(\.1) == [429, 429])
            for (earlier, later) in zip(attempts, attempts.dropFirst()) {
                #expect(later.2 - earlier.2 >= 0.95, "the next attempt waited for Retry-After")
            }
            let report = try await stack.received()
            #expect(report.received.count == 1)
            #expect(report.duplicates == 0)
        }
    }

    @Test("a courier that never answers is given up on after the total timeout and retried; the partner sees one delivery")
    func hangingCourier() async throws {
        try await EndToEndStack.run { stack in
            _ = try await Self.ship(stack, courierFault: #"{"endpoint":"/courier/shipments","hang":true,"count":1}"#)
            try await EndToEndStack.waitFor { try await stack.jobState() == "succeeded" }
            let attempts = try await stack.database.query("SELECT outcome, error FROM job_attempts ORDER BY attempt").collect()
                .map { try $0.decode((String, String?).self) }
            #expect(attempts.map(\.0) == ["retry", "succeeded"])
            #expect(attempts.first?.1?.contains("did not answer within") == true)
            #expect(try await stack.received().received.count == 1)
        }
    }

    @Test("a courier that keeps failing exhausts the job's attempts; the shipment shows it, and a DPO retry delivers it")
    func exhaustedThenRetried() async throws {
        try await EndToEndStack.run { stack in
            let (orderID, shop, dpo) = try await Self.ship(stack, courierFault: #"{"endpoint":"/courier/shipments","status":503,"count":1000}"#)
            try await EndToEndStack.waitFor { try await stack.jobState() == "failed" }
            let job = try #require(try await stack.database.query("SELECT id, attempt, max_attempts FROM jobs").collect().first?.decode((Int64, Int, Int).self))
            #expect(job.1 == CourierTransferJob.maximumAttempts && job.2 == CourierTransferJob.maximumAttempts)
            var shipment = try #require((try await stack.request(.get, "/v1/orders/\(orderID)/shipments", key: shop)["items"] as? [[String: Any]])?.first)
            #expect(shipment["status"] as? String == "failed")
            #expect((shipment["failure_reason"] as? String)?.contains("no attempts left") == true)

            _ = try await stack.sim("/_faults", json: #"{"endpoint":"/courier/shipments"}"#)
            _ = try await stack.request(.post, "/v1/jobs/\(job.0)/retry", key: dpo)
            try await EndToEndStack.waitFor { try await stack.jobState() == "succeeded" }
            shipment = try #require((try await stack.request(.get, "/v1/orders/\(orderID)/shipments", key: shop)["items"] as? [[String: Any]])?.first)
            #expect(shipment["status"] as? String == "sent")
            #expect(shipment["failure_reason"] == nil)
            #expect(try await stack.received().received.count == 1)
        }
    }

    @Test("cancelling a pending transfer job cancels the shipment and nothing is sent")
    func cancelled() async throws {
        try await EndToEndStack.run { stack in
            let (orderID, shop, dpo) = try await Self.ship(stack, courierFault: #"{"endpoint":"/courier/shipments","status":503,"count":1000,"retry_after_seconds":30}"#)
            try await EndToEndStack.waitFor {
                try await stack.database.query("SELECT count(*) FROM job_attempts").collect().first?.decode(Int.self) == 1
            }
            let jobID = try #require(try await stack.database.query("SELECT id FROM jobs").collect().first?.decode(Int64.self))
            _ = try await stack.request(.post, "/v1/jobs/\(jobID)/cancel", key: dpo)
            let shipment = try #require((try await stack.request(.get, "/v1/orders/\(orderID)/shipments", key: shop)["items"] as? [[String: Any]])?.first)
            #expect(shipment["status"] as? String == "cancelled")
            #expect(try await stack.received().received.isEmpty)
        }
    }
}
