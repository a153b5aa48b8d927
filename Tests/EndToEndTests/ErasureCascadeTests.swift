import CustodianStore
import Foundation
import PartnerSim
import Testing

/// API → one erasure job per recipient → PartnerSim as e-mail provider and courier → (signed callback →) API.
@Suite("End to end: erasure cascade")
struct ErasureCascadeTests {
    /// A subject whose order went to the courier and who once granted the newsletter, with an e-mail provider
    /// registered; returns the subject id, the dpo key and the order reference.
    static func prepare(_ stack: EndToEndStack) async throws -> (subjectID: String, dpo: String) {
        let (orderID, subjectID, shop, dpo) = try await CourierTransferTests.prepare(stack, country: "RU", adequate: true)
        try await registerMailProvider(stack, dpo: dpo)
        _ = try await stack.request(.post, "/v1/subjects/\(subjectID)/consents", key: shop, json: """
            {"purpose":"newsletter","action":"grant","policy_version":"v1","channel":"web_form"}
            """)
        _ = try await stack.request(.post, "/v1/orders/\(orderID)/shipments", key: shop, json: #"{"courier":"sim-courier"}"#)
        try await EndToEndStack.waitFor {
            try await stack.database.query("SELECT count(*) FROM transfers").collect().first?.decode(Int.self) == 1
        }
        return (subjectID, dpo)
    }

    /// PartnerSim registered as the e-mail provider `sim-mail`.
    static func registerMailProvider(_ stack: EndToEndStack, dpo: String) async throws {
        _ = try await stack.request(.post, "/v1/recipients", key: dpo, json: """
            {"code":"sim-mail","name":"PartnerSim mail","kind":"email_provider","base_url":"http://127.0.0.1:\(stack.simPort)",
             "signing_secret":"\(EndToEndStack.secret.text)","country":"RU","country_adequate":true,"data_categories":["full_name","email"]}
            """)
    }

    static func cascade(_ stack: EndToEndStack, _ subjectID: String, dpo: String) async throws -> [String: Any] {
        try await stack.request(.get, "/v1/subjects/\(subjectID)/erasure-cascade", key: dpo)
    }

    static func requests(_ cascade: [String: Any]) -> [String: [String: Any]] {
        Dictionary(uniqueKeysWithValues: ((cascade["requests"] as? [[String: Any]]) ?? []).map { ($0["recipient"] as? String ?? "", $0) })
    }

    @Test("each recipient gets an OpenDSR erasure request naming only the identities it holds; 200 completes the cascade")
    func synchronous() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, dpo) = try await Self.prepare(stack)
            let started = try await stack.request(.post, "/v1/subjects/\(subjectID)/erasure-cascade", key: dpo, json: #"{"regulation":"fz152"}"#)
            let ids = Self.requests(started).mapValues { $0["id"] as? String ?? "" }
            #expect(Set(ids.keys) == ["sim-courier", "sim-mail"])
            try await EndToEndStack.waitFor { try await Self.cascade(stack, subjectID, dpo: dpo)["status"] as? String == "completed" }

            let erasures = try await stack.received().received.filter { $0.endpoint == PartnerSim.erasureEndpoint }
            #expect(erasures.count == 2)
            let toCourier = try #require(erasures.first { $0.body["subject_request_id"] == .string(ids["sim-courier"] ?? "") })
            let toMail = try #require(erasures.first { $0.body["subject_request_id"] == .string(ids["sim-mail"] ?? "") })
            for message in [toCourier, toMail] {
                #expect(message.body["regulation"] == .string("fz152"))
                #expect(message.body["subject_request_type"] == .string("erasure"))
                #expect(message.body["api_version"] == .string("2.0"))
                guard case .string(let submitted) = message.body["submitted_time"] else { Issue.record("no submitted_time"); continue }
                #expect(try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(submitted) <= Date())
                guard case .array(let urls) = message.body["status_callback_urls"], case .string(let url) = urls.first else {
                    Issue.record("no status_callback_urls"); continue
                }
                #expect(url.hasSuffix("/v1/callbacks/erasure"))
                #expect(message.idempotencyKey == message.webhookID)
                #expect(Set(message.body.keys) == [
                    "regulation", "subject_request_id", "subject_request_type", "submitted_time", "subject_identities", "api_version",
                    "status_callback_urls",
                ])
            }
            #expect(toCourier.body["subject_identities"] == .array([
                .object(["identity_type": .string("phone_number"), "identity_value": .string("+79037770001"), "identity_format": .string("raw")]),
                .object(["identity_type": .string("order_reference"), "identity_value": .string("SO-77"), "identity_format": .string("raw")]),
            ]), "the courier is named the delivery phone and order it received, never the e-mail")
            #expect(toMail.body["subject_identities"] == .array([
                .object(["identity_type": .string("email"), "identity_value": .string("petr@example.com"), "identity_format": .string("raw")]),
            ]), "the e-mail provider is named the address only")

            let cascade = try await Self.cascade(stack, subjectID, dpo: dpo)
            for (_, request) in Self.requests(cascade) {
                #expect(request["status"] as? String == "completed")
                #expect(request["completed_at"] != nil)
            }
            let leftover = try await stack.database.query("SELECT count(*) FROM erasure_requests WHERE identities IS NOT NULL").collect().first?.decode(Int.self)
            #expect(leftover == 0, "identities are cleared once delivered")
        }
    }

    @Test("a recipient answering 202 completes the request later with a signed callback the API verifies")
    func asynchronousCallback() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, dpo) = try await Self.prepare(stack)
            _ = try await stack.sim("/_faults", json: #"{"endpoint":"/opendsr/requests","callback_after_ms":1500}"#)
            _ = try await stack.request(.post, "/v1/subjects/\(subjectID)/erasure-cascade", key: dpo, json: #"{"regulation":"gdpr"}"#)
            try await EndToEndStack.waitFor {
                Self.requests(try await Self.cascade(stack, subjectID, dpo: dpo)).values.allSatisfy { $0["status"] as? String == "awaiting_confirmation" }
            }
            let waiting = try await Self.cascade(stack, subjectID, dpo: dpo)
            #expect(waiting["status"] as? String == "in_progress")
            #expect(Self.requests(waiting).values.allSatisfy { $0["expected_completion_at"] != nil })

            try await EndToEndStack.waitFor { try await Self.cascade(stack, subjectID, dpo: dpo)["status"] as? String == "completed" }
            // The API commits a callback before PartnerSim hears its answer and records it.
            try await EndToEndStack.waitFor { try await stack.received().callbacks.count >= 2 }
            let report = try await stack.received()
            #expect(report.callbacks.count == 2)
            #expect(report.callbacks.allSatisfy { $0.httpStatus == 204 })
            let callbacks = try await stack.database.query("SELECT count(*) FROM erasure_callbacks WHERE request_status = 'completed'").collect()
            #expect(try callbacks.first?.decode(Int.self) == 2)
        }
    }

    @Test("a recipient that fails then recovers gets the request once effectively; one that refuses leaves the cascade failed")
    func faults() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, dpo) = try await Self.prepare(stack)
            // Two 500s: both requests are retried with the same webhook-id and delivered.
            _ = try await stack.sim("/_faults", json: #"{"endpoint":"/opendsr/requests","status":500,"count":2}"#)
            _ = try await stack.request(.post, "/v1/subjects/\(subjectID)/erasure-cascade", key: dpo, json: #"{"regulation":"gdpr"}"#)
            try await EndToEndStack.waitFor { try await Self.cascade(stack, subjectID, dpo: dpo)["status"] as? String == "completed" }
            let erasures = try await stack.received().received.filter { $0.endpoint == PartnerSim.erasureEndpoint }
            #expect(erasures.count == 2)
            #expect(Set(erasures.map(\.webhookID)).count == 2)

            // A permanent refusal (422) from the recipient of the next cascade: failed, with the reason, for follow-up.
            _ = try await stack.sim("/_faults", json: #"{"endpoint":"/opendsr/requests","status":422,"count":2}"#)
            _ = try await stack.request(.post, "/v1/subjects/\(subjectID)/erasure-cascade", key: dpo, json: #"{"regulation":"gdpr"}"#)
            try await EndToEndStack.waitFor { try await Self.cascade(stack, subjectID, dpo: dpo)["status"] as? String == "failed" }
            for (_, request) in Self.requests(try await Self.cascade(stack, subjectID, dpo: dpo)) {
                #expect(request["status"] as? String == "failed")
                #expect((request["failure_reason"] as? String)?.contains("HTTP 422") == true)
            }
        }
    }
}
