import CustodianStore
import CustodianWorker
import Foundation
import PartnerSim
import Testing

/// Restriction notices (GDPR Art. 19): a restriction carried out, and its lift, reach every recipient holding the data.
@Suite("End to end: restriction notices")
struct RestrictionNoticeTests {
    static func notices(_ stack: EndToEndStack) async throws -> [ReceivedMessage] {
        try await stack.received().received.filter { $0.endpoint == RestrictionNoticeHandler.path }
    }

    @Test("fulfilling a restriction and lifting it tell each recipient, in any country, by the identities it holds; each delivery logged")
    func restrictedAndLifted() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, dpo) = try await ErasureCascadeTests.prepare(stack)
            // The e-mail provider moves abroad without adequate protection: a notice is no new disclosure and still goes.
            let mail = try #require(try await stack.request(.get, "/v1/recipients", key: dpo)["items"] as? [[String: Any]])
                .first { $0["code"] as? String == "sim-mail" }
            _ = try await stack.request(.patch, "/v1/recipients/\(try #require(mail?["id"] as? String))", key: dpo,
                                        json: #"{"country":"US","country_adequate":false}"#)
            let restriction = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "restriction", identity: #""subject_id":"\#(subjectID)""#)
            #expect(try await Self.notices(stack).isEmpty, "registration blocks; recipients hear when the restriction is carried out")
            #expect(try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, restriction)["status"] as? String == "completed")
            try await EndToEndStack.waitFor { try await Self.notices(stack).count == 2 }
            let restricted = try await Self.notices(stack)
            #expect(restricted.allSatisfy { $0.body["type"] == .string("subject.restricted") })
            let raw = String(decoding: try JSONEncoder().encode(restricted.map(\.body)), as: UTF8.self)
            #expect(raw.contains("petr@example.com") && raw.contains("order_reference"), "each named by what it holds")
            #expect(!raw.contains("Кузнецов"), "no name: no recipient needs it to find its copy")

            let lifted = try await stack.answer(.post, "/v1/subject-requests/\(restriction)/lift", key: dpo)
            #expect(lifted.status == 200)
            try await EndToEndStack.waitFor { try await Self.notices(stack).count == 4 }
            #expect(try await Self.notices(stack).suffix(2).allSatisfy { $0.body["type"] == .string("subject.restriction_lifted") })

            try await EndToEndStack.waitFor {
                try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM restriction_notices WHERE status = 'delivered'") == 4
            }
            let logged = try await TransferLogTests.transfers(stack, subjectID, dpo: dpo).filter { $0["purpose"] as? String == "subject_rights" }
            #expect(logged.count == 4 && Set(logged.compactMap { $0["recipient"] as? String }) == ["sim-courier", "sim-mail"])
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM restriction_notices WHERE identities IS NOT NULL") == 0,
                    "the identities go once delivered")
        }
    }
}
