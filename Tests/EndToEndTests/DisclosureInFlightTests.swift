import CustodianStore
import Foundation
import PartnerSim
import PostgresNIO
import Prometheus
import Testing

/// A disclosure records itself in flight in a short transaction, makes its call holding no connection, and records the
/// outcome in another: a courier that never answers blocks neither an erasure nor anyone's pool.
@Suite("End to end: no transaction across a partner's call")
struct DisclosureInFlightTests {
    typealias Stack = EndToEndStack

    static func count(_ stack: Stack, _ sql: String) async throws -> Int {
        try await SubjectRequestWorkTests.count(stack, sql)
    }

    /// The worker pool's operations in flight (each holds a connection), from its metrics.
    static func workerOperationsInFlight(_ stack: Stack) throws -> Int {
        let line = try #require(stack.workerMetrics.emitToString().split(separator: "\n").first { $0.hasPrefix("custodian_db_operations_in_flight ") })
        return try #require(Double(line.split(separator: " ").last ?? "").map { Int($0) })
    }

    /// A subject whose order goes to a courier that keeps the call open: returns once the call is in flight.
    static func hangingTransfer(_ stack: Stack) async throws -> (subjectID: String, dpo: String) {
        let (orderID, subjectID, shop, dpo) = try await CourierTransferTests.prepare(stack, country: "RU", adequate: true)
        _ = try await stack.sim("/_faults", json: #"{"endpoint":"/courier/shipments","hang":true,"count":1}"#)
        _ = try await stack.request(.post, "/v1/orders/\(orderID)/shipments", key: shop, json: #"{"courier":"sim-courier"}"#)
        try await Stack.waitFor { try await Self.count(stack, "SELECT count(*) FROM disclosures_in_flight") == 1 }
        return (subjectID, dpo)
    }

    @Test("an erasure commits at once while the courier's call hangs, and the courier also receives the erasure request")
    func erasureDuringHangingCall() async throws {
        try await Stack.run(options: .init(outboundTimeout: .seconds(8))) { stack in
            let (subjectID, dpo) = try await Self.hangingTransfer(stack)
            let requestID = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "erasure", identity: #""email":"petr@example.com""#)
            let clock = ContinuousClock()
            let started = clock.now
            let fulfilled = try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, requestID)
            #expect(clock.now - started < .seconds(3), "the erasure did not wait for the courier's call")
            #expect(fulfilled["status"] as? String == "in_progress", "waits for the courier to confirm")
            #expect(try await Self.count(stack, "SELECT count(*) FROM disclosures_in_flight") == 1, "the call was still in flight")
            // The erasure request the worker may already have delivered is a transfer too (purpose subject_rights).
            #expect(try await Self.count(stack, "SELECT count(*) FROM transfers WHERE purpose_code = 'delivery'") == 0, "the shipment not delivered yet")

            try await Stack.waitFor { try await stack.received().received.contains { $0.endpoint == PartnerSim.erasureEndpoint } }
            let erasure = try #require(try await stack.received().received.first { $0.endpoint == PartnerSim.erasureEndpoint })
            #expect(erasure.body["subject_identities"] == .array([
                .object(["identity_type": .string("phone_number"), "identity_value": .string("+79037770001"), "identity_format": .string("raw")]),
                .object(["identity_type": .string("order_reference"), "identity_value": .string("SO-77"), "identity_format": .string("raw")]),
            ]), "the courier is named what its call in flight carried")
            let cascade = try await ErasureCascadeTests.cascade(stack, subjectID, dpo: dpo)
            #expect(Set(ErasureCascadeTests.requests(cascade).keys) == ["sim-courier"])

            // When the hanging call gives up, the retry finds the subject erased: nothing new is sent.
            try await Stack.waitFor { try await stack.database.query("SELECT state FROM jobs WHERE kind = 'courier_transfer'").collect().first?.decode(String.self) == "failed" }
            #expect(try await stack.received().received.contains { $0.endpoint == "/courier/shipments" } == false)
            let shipment = try #require(try await stack.database.query("SELECT status, failure_reason FROM shipments").collect().first)
            let (status, reason) = try shipment.decode((String, String?).self)
            #expect(status == "failed" && reason?.contains("erased") == true)
        }
    }

    @Test("while a courier's call hangs, the worker's pool has no connection leased for it and no transaction is open")
    func hangingCallHoldsNoConnection() async throws {
        try await Stack.run(options: .init(outboundTimeout: .seconds(6))) { stack in
            _ = try await Self.hangingTransfer(stack)

            // Claim loops and maintenance take a connection for a moment now and then; a call holding one would keep
            // the gauge at 1 or more, and its transaction idle, for the whole hang.
            var leased: [Int] = []
            var openTransactions: [Int] = []
            for _ in 0..<10 {
                leased.append(try Self.workerOperationsInFlight(stack))
                openTransactions.append(try await Self.count(stack, """
                    SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'
                    """))
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(try await Self.count(stack, "SELECT count(*) FROM disclosures_in_flight") == 1, "the call was in flight throughout")
            #expect(try await Self.count(stack, "SELECT count(*) FROM shipments WHERE status = 'pending'") == 1)
            #expect(leased.min() == 0, "worker operations in flight during the hang: \(leased)")
            #expect(openTransactions.min() == 0, "open transactions during the hang: \(openTransactions)")

            // The retry after the timeout delivers, and the transfer replaces the marker.
            try await Stack.waitFor { try await Self.count(stack, "SELECT count(*) FROM transfers") == 1 }
            #expect(try await Self.count(stack, "SELECT count(*) FROM disclosures_in_flight") == 0)
        }
    }

    @Test("20 hanging couriers on a worker pool of 4: every call is in flight at once, and the API and the other job kinds go on")
    func hangingCouriersStarveNothing() async throws {
        try await Stack.run(options: .init(workerConnections: 4, courierConcurrency: 20, outboundTimeout: .seconds(10))) { stack in
            let (orderID, subjectID, shop, dpo) = try await CourierTransferTests.prepare(stack, country: "RU", adequate: true)
            try await ErasureCascadeTests.registerMailProvider(stack, dpo: dpo)
            _ = try await stack.request(.post, "/v1/subjects/\(subjectID)/consents", key: shop, json: """
                {"purpose":"newsletter","action":"grant","policy_version":"v1","channel":"web_form"}
                """)
            var orders = [orderID]
            for index in 1..<20 {
                let order = try await stack.request(.post, "/v1/orders", key: shop, json: """
                    {"subject_id":"\(subjectID)","external_ref":"SO-H\(index)","currency":"RUB","total_minor":100,
                     "items":[{"sku":"CUP","name":"Cup","quantity":1,"unit_price_minor":100}],
                     "delivery":{"recipient_name":"Пётр Кузнецов","phone":"+7 903 777-00-01","address_lines":["ул. Пушкина, 3"],
                                 "city":"Казань","country":"RU"}}
                    """)
                orders.append(try #require(order["id"] as? String))
            }
            _ = try await stack.sim("/_faults", json: #"{"endpoint":"/courier/shipments","hang":true,"count":20}"#)
            for order in orders {
                _ = try await stack.request(.post, "/v1/orders/\(order)/shipments", key: shop, json: #"{"courier":"sim-courier"}"#)
            }
            try await Stack.waitFor { try await Self.count(stack, "SELECT count(*) FROM disclosures_in_flight") == 20 }
            let clock = ContinuousClock()
            let hangStarted = clock.now

            // The API answers, and the same worker runs a newsletter opt-out to the e-mail provider, during the hang.
            _ = try await stack.request(.get, "/v1/subjects/\(subjectID)", key: dpo)
            _ = try await stack.request(.post, "/v1/subjects/\(subjectID)/consents", key: shop, json: """
                {"purpose":"newsletter","action":"withdraw","policy_version":"v1","channel":"email_link"}
                """)
            try await Stack.waitFor { try await stack.received().received.contains { $0.endpoint == "/email/suppressions" } }
            #expect(clock.now - hangStarted < .seconds(8), "served while the couriers hung")
            #expect(try await Self.count(stack, "SELECT count(*) FROM transfers WHERE purpose_code = 'delivery'") == 0, "the couriers were still hanging")

            // Then every retry delivers once.
            try await Stack.waitFor { try await Self.count(stack, "SELECT count(*) FROM shipments WHERE status = 'sent'") == 20 }
            #expect(try await Self.count(stack, "SELECT count(*) FROM transfers WHERE purpose_code = 'delivery'") == 20)
            #expect(try await Self.count(stack, "SELECT count(*) FROM disclosures_in_flight") == 0)
        }
    }
}
