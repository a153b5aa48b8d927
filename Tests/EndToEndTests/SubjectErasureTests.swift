import CustodianStore
import CustodianTestSupport
import Foundation
import NIOCore
import PartnerSim
import PostgresNIO
import Testing

/// Erasure requests end to end: depersonalisation, the cascade, the destruction record, and what is left anywhere.
@Suite("End to end: erasure requests")
struct SubjectErasureTests {
    /// Every way the prepared subject's name, e-mail, phones and addresses could be written.
    static let personalData = ["Пётр", "Кузнецов", "petr@example.com", "79037770000", "79037770001", "903 777", "Баумана", "Пушкина", "Казань"]

    /// Every (table, column, value) in the public schema whose text holds one of `needles`: text, varchar, json, jsonb,
    /// arrays, inet and bytea columns alike.
    static func findPersonalData(_ database: Database, _ needles: [String]) async throws -> [String] {
        let columns = try await database.query("""
            SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
            WHERE c.table_schema = 'public' AND c.data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY', 'inet', 'bytea')
            ORDER BY 1, 2
            """).decode((String, String, String).self).reduce(into: [(String, String, String)]()) { $0.append($1) }
        #expect(columns.count > 40, "the scan covers the schema")
        var found: [String] = []
        for (table, column, type) in columns {
            for needle in needles {
                let hits = try await database.query(type == "bytea"
                    ? PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table) WHERE position(convert_to($1, 'UTF8') IN \(column)) > 0", binds: try binds(needle))
                    : PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table) WHERE \(column)::text ILIKE '%' || $1 || '%'", binds: try binds(needle))
                ).collect().first?.decode(Int.self) ?? 0
                if hits > 0 { found.append("\(table).\(column) holds \(needle)") }
            }
        }
        return found
    }

    static func binds(_ text: String) throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(text, context: .default)
        return bindings
    }

    @Test("erasure depersonalises subject and orders, keeps accounting facts, tells every recipient, completes on their confirmation; nothing personal is left in any column or log")
    func erasure() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, dpo) = try await ErasureCascadeTests.prepare(stack)
            // A stored idempotent response (an order with its delivery block) carries the data until erasure removes it.
            let shopKey = try await APIKeyRepository(database: stack.database).create(name: "shop2", scope: .shop).secret.token
            let replayable = try await stack.client.execute(
                uri: "/v1/orders", method: .post,
                headers: [.authorization: "Bearer \(shopKey)", .contentType: "application/json", .init("Idempotency-Key")!: "order-79"],
                body: .init(string: """
                    {"subject_id":"\(subjectID)","external_ref":"SO-79","currency":"RUB","total_minor":990,
                     "items":[{"sku":"CUP","name":"Cup","quantity":1,"unit_price_minor":990}],
                     "delivery":{"recipient_name":"Пётр Кузнецов","phone":"+7 903 777-00-01","address_lines":["ул. Пушкина, 3"],
                                 "city":"Казань","country":"RU"}}
                    """))
            #expect(replayable.status == .created)
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM idempotency_keys WHERE response_body IS NOT NULL") >= 1)
            #expect(try await Self.findPersonalData(stack.database, ["SO-79"]).isEmpty == false, "the scan finds what is stored in clear")
            #expect(try await Self.findPersonalData(stack.database, Self.personalData).isEmpty, "personal data is stored sealed even before erasure")

            let requestID = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "erasure", identity: #""phone":"+7 (903) 777-00-00""#)
            let fulfilled = try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, requestID)
            #expect(fulfilled["status"] as? String == "in_progress", "waits for the recipients")
            try await EndToEndStack.waitFor { try await SubjectRequestWorkTests.status(stack, dpo: dpo, requestID) == "completed" }

            let request = try await stack.request(.get, "/v1/subject-requests/\(requestID)", key: dpo)
            let cascade = try #require(request["erasure_cascade"] as? [String: Any])
            #expect(cascade["status"] as? String == "completed")
            #expect(Set(ErasureCascadeTests.requests(cascade).keys) == ["sim-courier", "sim-mail"])
            let record = try #require(request["destruction_record"] as? [String: Any])
            #expect(record["grounds"] as? String == "subject_request")
            #expect(record["recipients"] as? [String] == ["sim-courier", "sim-mail"])
            #expect(Set(record["data_categories"] as? [String] ?? []) == ["full_name", "email", "phone", "registration_address", "delivery_address"])
            #expect(record["orders_depersonalised"] as? Int == 2 && record["consents_withdrawn"] as? Int == 1)
            #expect(record["api_key_id"] as? String != nil)
            #expect((request["history"] as? [[String: Any]])?.compactMap { $0["status"] as? String } == ["received", "in_progress", "completed"])

            let subject = try await stack.request(.get, "/v1/subjects/\(subjectID)", key: dpo)
            #expect(subject["status"] as? String == "erased")
            #expect(subject["full_name"] == nil && subject["email"] == nil && subject["phone"] == nil && subject["registration_address"] == nil)
            let orders = try await stack.request(.get, "/v1/subjects/\(subjectID)/orders", key: dpo)
            let order = try #require((orders["items"] as? [[String: Any]])?.first { $0["external_ref"] as? String == "SO-77" })
            #expect(order["external_ref"] as? String == "SO-77" && order["total_minor"] as? Int == 250_000 && order["currency"] as? String == "RUB")
            #expect((order["items"] as? [[String: Any]])?.first?["sku"] as? String == "KETTLE", "accounting facts stay")
            let consents = try await stack.request(.get, "/v1/subjects/\(subjectID)/consents", key: dpo)
            #expect(((consents["current"] as? [[String: Any]]) ?? []).first { $0["purpose"] as? String == "newsletter" }?["state"] as? String == "withdrawn")
            #expect(((consents["history"] as? [[String: Any]]) ?? []).count == 2, "the history stays: grant and withdrawal")

            let rewrite = try await stack.answer(.patch, "/v1/subjects/\(subjectID)", key: dpo, json: #"{"full_name":"Пётр Кузнецов"}"#)
            #expect(rewrite.status == 409, "an erased subject's data cannot be written back")

            let leftovers = try await Self.findPersonalData(stack.database, Self.personalData)
            #expect(leftovers.isEmpty, "\(leftovers)")
            #expect(stack.logs.count > 0, "the logs were captured")
            for needle in Self.personalData {
                #expect(!stack.logs.text.localizedCaseInsensitiveContains(needle), "the logs hold \(needle)")
            }

            // The same person asks again: recognised by the keyed hash of the phone, and there is nothing left to erase.
            let repeated = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "erasure", identity: #""phone":"+79037770000""#)
            let repeatedRecord = try await stack.request(.get, "/v1/subject-requests/\(repeated)", key: dpo)
            #expect(repeatedRecord["subject_id"] as? String == subjectID && repeatedRecord["status"] as? String == "received")
            #expect(try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, repeated)["status"] as? String == "completed")
            let stranger = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "erasure", identity: #""email":"someone@example.com""#)
            #expect(try await stack.request(.get, "/v1/subject-requests/\(stranger)", key: dpo)["denial_reason"] as? String == "no_match")
        }
    }

    @Test("a recipient that fails for good is listed on the request, which stays in progress until the DPO's retry succeeds")
    func failedRecipient() async throws {
        try await EndToEndStack.run { stack in
            let (_, dpo) = try await ErasureCascadeTests.prepare(stack)
            _ = try await stack.sim("/_faults", json: #"{"endpoint":"/opendsr/requests","status":410,"count":1}"#)
            let requestID = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "erasure", identity: #""external_ref":"courier-1""#)
            _ = try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, requestID)
            try await EndToEndStack.waitFor {
                let cascade = try await stack.request(.get, "/v1/subject-requests/\(requestID)", key: dpo)["erasure_cascade"] as? [String: Any]
                let statuses = ErasureCascadeTests.requests(cascade ?? [:]).values.compactMap { $0["status"] as? String }.sorted()
                return statuses == ["completed", "failed"]
            }
            let request = try await stack.request(.get, "/v1/subject-requests/\(requestID)", key: dpo)
            #expect(request["status"] as? String == "in_progress")
            let failed = try #require(ErasureCascadeTests.requests(request["erasure_cascade"] as? [String: Any] ?? [:]).values.first { $0["status"] as? String == "failed" })
            #expect((failed["failure_reason"] as? String)?.contains("410") == true)
            let jobID = try #require(failed["job_id"] as? Int)
            _ = try await stack.request(.post, "/v1/jobs/\(jobID)/retry", key: dpo)
            try await EndToEndStack.waitFor { try await SubjectRequestWorkTests.status(stack, dpo: dpo, requestID) == "completed" }
        }
    }

    @Test("a failed recipient followed up by hand: cancelling its job settles it and the request completes")
    func failedRecipientCancelled() async throws {
        try await EndToEndStack.run { stack in
            let (_, dpo) = try await ErasureCascadeTests.prepare(stack)
            _ = try await stack.sim("/_faults", json: #"{"endpoint":"/opendsr/requests","status":410,"count":1}"#)
            let requestID = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "erasure", identity: #""external_ref":"courier-1""#)
            _ = try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, requestID)
            var failedJob: Int?
            try await EndToEndStack.waitFor {
                let cascade = try await stack.request(.get, "/v1/subject-requests/\(requestID)", key: dpo)["erasure_cascade"] as? [String: Any]
                failedJob = ErasureCascadeTests.requests(cascade ?? [:]).values.first { $0["status"] as? String == "failed" }?["job_id"] as? Int
                return failedJob != nil
            }
            #expect(try await SubjectRequestWorkTests.status(stack, dpo: dpo, requestID) == "in_progress")
            _ = try await stack.request(.post, "/v1/jobs/\(try #require(failedJob))/cancel", key: dpo)
            try await EndToEndStack.waitFor { try await SubjectRequestWorkTests.status(stack, dpo: dpo, requestID) == "completed" }
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM erasure_requests WHERE identities IS NOT NULL") == 0)
        }
    }

    @Test("erasure racing an in-flight courier transfer: it does not wait for the call, tells the courier, the call's delivery is logged, and nothing starts after it commits")
    func racingCourier() async throws {
        try await EndToEndStack.run { stack in
            let (orderID, subjectID, shop, dpo) = try await CourierTransferTests.prepare(stack, country: "RU", adequate: true)
            _ = try await stack.sim("/_faults", json: #"{"endpoint":"/courier/shipments","latency_ms":3000}"#)
            _ = try await stack.request(.post, "/v1/orders/\(orderID)/shipments", key: shop, json: #"{"courier":"sim-courier"}"#)
            try await EndToEndStack.waitFor {
                try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM disclosures_in_flight") == 1
            }
            let requestID = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "erasure", identity: #""external_ref":"courier-1""#)

            let fulfilled = try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, requestID)
            let deliveredBeforeCommit = try await stack.received().received.filter { $0.endpoint == "/courier/shipments" }.count
            #expect(deliveredBeforeCommit == 0, "the erasure did not wait for the call in flight")
            #expect(fulfilled["status"] as? String == "in_progress")
            let cascade = try #require(try await stack.request(.get, "/v1/subject-requests/\(requestID)", key: dpo)["erasure_cascade"] as? [String: Any])
            #expect(ErasureCascadeTests.requests(cascade)["sim-courier"] != nil, "the courier whose call is in flight is asked to erase")

            let after = try await stack.answer(.post, "/v1/orders/\(orderID)/shipments", key: shop, json: #"{"courier":"sim-courier"}"#)
            #expect(after.status == 409, "no hand-over after erasure")
            // The call that started before the erasure completes and is logged as what it was: a disclosure.
            // (The erasure request's own delivery is logged too, under subject_rights.)
            try await EndToEndStack.waitFor {
                try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM transfers WHERE purpose_code <> 'subject_rights'") == 1
            }
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM disclosures_in_flight") == 0)
            let transfers = try #require(try await stack.request(.get, "/v1/subjects/\(subjectID)/transfers", key: dpo)["items"] as? [[String: Any]])
            #expect(transfers.first?["recipient"] as? String == "sim-courier")
            try await Task.sleep(for: .seconds(1))
            #expect(try await stack.received().received.filter { $0.endpoint == "/courier/shipments" }.count == 1, "nothing disclosed after the erasure")
        }
    }

    @Test("erasure cancels the subject's held transfer: the shipment is cancelled and the courier never receives it")
    func cancelsHeldJobs() async throws {
        try await EndToEndStack.run { stack in
            let (orderID, _, shop, dpo) = try await CourierTransferTests.prepare(stack, country: "RU", adequate: true)
            _ = try await stack.sim("/_faults", json: #"{"endpoint":"/courier/shipments","status":503}"#)
            let shipment = try await stack.request(.post, "/v1/orders/\(orderID)/shipments", key: shop, json: #"{"courier":"sim-courier"}"#)
            let restriction = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "restriction", identity: #""external_ref":"courier-1""#)
            _ = try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, restriction)
            try await EndToEndStack.waitFor { try await stack.jobState() == "held" }
            _ = try await stack.sim("/_faults", json: #"{"endpoint":"/courier/shipments"}"#)

            let erasure = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "erasure", identity: #""external_ref":"courier-1""#)
            let fulfilled = try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, erasure)
            #expect(fulfilled["status"] as? String == "completed", "no recipient held the data, nothing to wait for")
            #expect(try await stack.jobState() == "cancelled")
            let shipments = try await stack.request(.get, "/v1/orders/\(orderID)/shipments", key: shop)
            let cancelled = ((shipments["items"] as? [[String: Any]]) ?? []).first { $0["id"] as? String == shipment["id"] as? String }
            #expect(cancelled?["status"] as? String == "cancelled")
            let record = try #require(try await stack.request(.get, "/v1/subject-requests/\(erasure)", key: dpo)["destruction_record"] as? [String: Any])
            #expect(record["jobs_cancelled"] as? Int == 1)
            let lift = try await stack.answer(.post, "/v1/subject-requests/\(restriction)/lift", key: dpo)
            #expect(lift.status == 409, "an erased subject's restriction cannot be lifted")
            #expect(try await stack.received().received.filter { $0.endpoint == "/courier/shipments" }.isEmpty)
        }
    }
}
