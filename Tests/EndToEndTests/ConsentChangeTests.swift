import CustodianCore
import CustodianStore
import CustodianWorker
import Foundation
import NIOCore
import NIOFoundationCompat
import PartnerSim
import Testing

/// Consent changes propagate (issue 22, part 4): a grant or withdrawal of analytics, advertising or personalised
/// offers reaches that purpose's recipients as a signed consent.changed webhook naming the subject by a pseudonym.
@Suite("End to end: consent.changed")
struct ConsentChangeTests {
    static let endpoint = ConsentChangeNoticeHandler.path

    /// Registers analytics recipients (code, country, adequate) on PartnerSim, a policy version and a subject; returns
    /// the subject's id and the shop and DPO keys.
    static func prepare(_ stack: EndToEndStack, recipients: [(String, String, Bool)]) async throws -> (subjectID: String, shop: String, dpo: String) {
        let dpo = try await APIKeyRepository(database: stack.database).create(name: "dpo", scope: .dpo).secret.token
        let shop = try await APIKeyRepository(database: stack.database).create(name: "shop", scope: .shop).secret.token
        for (code, country, adequate) in recipients {
            _ = try await stack.request(.post, "/v1/recipients", key: dpo, json: """
                {"code":"\(code)","name":"Analytics","kind":"analytics","base_url":"http://127.0.0.1:\(stack.simPort)",
                 "signing_secret":"\(EndToEndStack.secret.text)","country":"\(country)","country_adequate":\(adequate),"data_categories":["pseudonymous_id"]}
                """)
        }
        _ = try await stack.request(.post, "/v1/policy-versions", key: dpo, json: """
            {"label":"v1","url":"https://shop.example/privacy","text_sha256":"\(String(repeating: "c", count: 64))","effective_at":"2020-01-01T00:00:00Z"}
            """)
        let subject = try await stack.request(.post, "/v1/subjects", key: shop, json: """
            {"external_ref":"cc-1","full_name":"Мария Иванова","email":"maria.cc@example.com","phone":"+79161112233"}
            """)
        return (try #require(subject["id"] as? String), shop, dpo)
    }

    static func change(_ stack: EndToEndStack, _ subjectID: String, shop: String, _ action: String) async throws {
        _ = try await stack.request(.post, "/v1/subjects/\(subjectID)/consents", key: shop, json: """
            {"purpose":"analytics","action":"\(action)","policy_version":"v1","channel":"web_form"}
            """)
    }

    static func notices(_ stack: EndToEndStack) async throws -> [ReceivedMessage] {
        try await stack.received().received.filter { $0.endpoint == endpoint }
    }

    @Test("a grant and a withdrawal of analytics reach each analytics recipient, signed, with that recipient's pseudonym and no direct identifier; each logged")
    func grantAndWithdrawal() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, shop, dpo) = try await Self.prepare(stack, recipients: [("sim-analytics", "RU", true), ("sim-metrics", "RU", true)])
            try await Self.change(stack, subjectID, shop: shop, "grant")
            try await EndToEndStack.waitFor { try await Self.notices(stack).count == 2 }
            try await Self.change(stack, subjectID, shop: shop, "withdraw")
            try await EndToEndStack.waitFor { try await Self.notices(stack).count == 4 }

            let report = try await stack.received()
            #expect(report.rejectedSignatures == 0, "every webhook verified against the recipient's secret")
            let notices = try await Self.notices(stack)
            let keys = try await stack.database.query("SELECT code, pseudonym_key FROM recipients").decode((String, ByteBuffer).self)
                .reduce(into: [String: Data]()) { $0[$1.0] = Data(buffer: $1.1) }
            let subject = try #require(UUID(uuidString: subjectID))
            let expected = Set(keys.values.map { SubjectPseudonym.make(subjectID: subject, recipientKey: $0) })
            let pseudonyms = notices.compactMap { if case .string(let value) = $0.body["subject"] { value } else { nil } }
            #expect(Set(pseudonyms) == expected && expected.count == 2, "one stable pseudonym per recipient, different between recipients")
            #expect(notices.allSatisfy { $0.body["type"] == .string("consent.changed") && $0.body["purpose"] == .string("analytics") })
            #expect(notices.map { $0.body["state"] } == [.string("granted"), .string("granted"), .string("withdrawn"), .string("withdrawn")])
            #expect(notices.allSatisfy { $0.body["occurred_at"] != nil })
            let raw = String(decoding: try JSONEncoder().encode(notices.map(\.body)), as: UTF8.self)
            for identifier in ["maria.cc@example.com", "+79161112233", "79161112233", "Мария", "Иванова", "Maria", subjectID, "cc-1"] {
                #expect(!raw.contains(identifier), "no direct identifier in a consent.changed payload")
            }

            // A delivery is logged when the worker records its answer, a moment after PartnerSim has it.
            try await EndToEndStack.waitFor { try await TransferLogTests.transfers(stack, subjectID, dpo: dpo).count == 4 }
            let logged = try await TransferLogTests.transfers(stack, subjectID, dpo: dpo)
            #expect(logged.count == 4)
            #expect(logged.allSatisfy { $0["data_categories"] as? [String] == ["pseudonymous_id"] })
            #expect(logged.filter { $0["purpose"] as? String == "analytics" && $0["legal_basis"] as? String == "consent" }.count == 2, "grants under the purpose")
            #expect(logged.filter { $0["purpose"] as? String == "subject_rights" }.count == 2, "withdrawals as notices of a right exercised")

            // The erasure names the subject to each analytics recipient by the pseudonym it knows.
            let erasure = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "erasure", identity: #""subject_id":"\#(subjectID)""#)
            _ = try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, erasure)
            try await EndToEndStack.waitFor { try await stack.received().received.filter { $0.endpoint == PartnerSim.erasureEndpoint }.count == 2 }
            let requested = try await stack.received().received.filter { $0.endpoint == PartnerSim.erasureEndpoint }
            let identities = requested.compactMap { message -> String? in
                guard case .array(let list) = message.body["subject_identities"], case .object(let identity) = list.first,
                      identity["identity_type"] == .string("pseudonymous_id"), case .string(let value) = identity["identity_value"] else { return nil }
                return value
            }
            #expect(Set(identities) == expected, "each erasure request carries that recipient's pseudonym")
        }
    }

    @Test("a grant to an analytics recipient in a country without adequate protection is refused without cross-border consent; the withdrawal still goes")
    func crossBorder() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, shop, _) = try await Self.prepare(stack, recipients: [("sim-abroad", "US", false)])
            try await Self.change(stack, subjectID, shop: shop, "grant")
            try await EndToEndStack.waitFor {
                try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM consent_change_notices WHERE status = 'failed'") == 1
            }
            let reason = try await stack.database.query("SELECT failure_reason FROM consent_change_notices").collect().first?.decode(String?.self) ?? nil
            #expect(reason?.contains("not adequate") == true && reason?.contains("cross-border") == true, "\(reason ?? "-")")
            #expect(try await Self.notices(stack).isEmpty, "nothing crossed the border")

            try await Self.change(stack, subjectID, shop: shop, "withdraw")
            try await EndToEndStack.waitFor { try await Self.notices(stack).count == 1 }
            #expect(try await Self.notices(stack).first?.body["state"] == .string("withdrawn"),
                    "a withdrawal is no new disclosure: it goes to any country")
        }
    }
}
