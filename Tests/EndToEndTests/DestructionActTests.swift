import CustodianCore
import CustodianStore
import CustodianTestSupport
import Foundation
import Testing

/// Destruction acts (RKN Order No. 179 of 28 Oct 2022): one per destruction, with every field the order lists and its
/// log extract, readable by the DPO through the API.
@Suite("End to end: destruction acts")
struct DestructionActTests {
    @Test("an erasure by an API key: the act names the operator, the subject by id, categories, system, method, reason, date, the key; with its log extract")
    func byAPIKey() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, dpo) = try await ErasureCascadeTests.prepare(stack)
            let erasure = try await SubjectRequestWorkTests.register(
                stack, dpo: dpo, kind: "erasure", identity: #""subject_id":"\#(subjectID)""#, extra: #","ground":"not_necessary""#)
            let fulfilled = try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, erasure)
            #expect(fulfilled["status"] as? String == "in_progress")
            let read = try await stack.request(.get, "/v1/subject-requests/\(erasure)", key: dpo)
            let recordID = try #require((read["destruction_record"] as? [String: Any])?["id"] as? String)

            let today = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "Europe/Moscow")!, formatOptions: [.withFullDate])
            let listed = try await stack.request(.get, "/v1/destruction-records?from=\(today)&to=\(today)", key: dpo)
            #expect((listed["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [recordID])
            let yesterday = try await stack.request(.get, "/v1/destruction-records?to=2020-01-01", key: dpo)
            #expect((yesterday["items"] as? [[String: Any]])?.isEmpty == true, "filtered by date")
            #expect(try await stack.answer(.get, "/v1/destruction-records?from=\(today)&to=2020-01-01", key: dpo).status == 422)
            #expect(try await stack.answer(.get, "/v1/destruction-records/\(UUID().uuidString.lowercased())", key: dpo).status == 404)
            let shop = try await APIKeyRepository(database: stack.database).create(name: "shop-acts", scope: .shop).secret.token
            #expect(try await stack.answer(.get, "/v1/destruction-records", key: shop).status == 403)

            let record = try await stack.request(.get, "/v1/destruction-records/\(recordID)", key: dpo)
            #expect(record["subject_id"] as? String == subjectID && record["request_id"] as? String == erasure)
            #expect(record["data_categories"] as? [String] == ["full_name", "email", "phone", "registration_address", "delivery_address"])
            let act = try #require(record["act"] as? [String: Any])
            #expect((act["operator"] as? [String: Any])?["name"] as? String == TestDatabase.testOperator.name)
            #expect((act["operator"] as? [String: Any])?["address"] as? String == TestDatabase.testOperator.address)
            #expect(act["information_system"] as? String == DestructionAct.informationSystem)
            #expect((act["method"] as? String)?.hasPrefix("Depersonalisation") == true)
            #expect((act["reason"] as? String)?.contains("not_necessary") == true && (act["reason"] as? String)?.contains("Art. 12(3) GDPR") == true)
            let performer = try #require(act["performed_by"] as? [String: Any])
            #expect(performer["kind"] as? String == "api_key" && performer["name"] as? String == "dpo" && performer["position"] as? String == "dpo")
            #expect(performer["rule"] == nil)
            let extract = try #require(record["log_extract"] as? [[String: Any]])
            #expect(extract.contains { $0["action"] as? String == "subject.erase" }, "\(extract.map { $0["action"] ?? "" })")
            #expect(extract.allSatisfy { $0["subject_id"] as? String == subjectID })
            #expect(!"\(record)".contains("petr@") && !"\(record)".contains("Пётр"), "the act holds no personal data")
        }
    }

    @Test("an erasure by a console user: the act names the user and role")
    func byConsoleUser() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, dpo) = try await ErasureCascadeTests.prepare(stack)
            let (user, _) = try await ConsoleUserRepository(database: stack.database).create(email: "dpo-acts@example.com", role: .dpo)
            let erasure = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "erasure", identity: #""subject_id":"\#(subjectID)""#)
            let requestID = try #require(UUID(uuidString: erasure))
            let fulfilled = try await SubjectRequestWork(database: stack.database, hasher: nil)
                .fulfil(id: requestID, actor: AuditActor(userID: user.id, requestID: "console-test"))
            #expect(fulfilled.status == .inProgress || fulfilled.status == .completed)
            let record = try #require(try await DestructionActRepository(database: stack.database).list(from: nil, to: nil, afterID: nil, limit: 10).first)
            let act = try #require(record.act)
            #expect(act.performedByKind == "user" && act.performedByName == "dpo-acts@example.com" && act.performedByPosition == "dpo")
            #expect(act.reason.contains("consent_withdrawn") && act.reason.contains("Art. 12(3) GDPR"))
            #expect(record.userID == user.id)
        }
    }
}
