import Foundation
import Testing

@Suite("Audit trail over the API")
struct AuditTrailTests {
    @Test("every write and read of a subject leaves a row with key and request id, listed oldest first")
    func recorded() async throws {
        try await TestApp.run { app in
            let shop = try await app.key(.shop)
            let dpo = try await app.key(.dpo)
            let subject = try await app.createSubject(key: shop, externalRef: "a-1", email: "audit@example.com")
            let id = try #require(subject["id"] as? String)
            _ = try await app.request(.get, "/v1/subjects/\(id)", key: shop)
            _ = try await app.request(.patch, "/v1/subjects/\(id)", key: shop, json: #"{"locale":"en"}"#)
            _ = try await app.request(.get, "/v1/subjects?email=AUDIT%40example.com", key: shop)

            let response = try await app.request(.get, "/v1/audit?subject_id=\(id)", key: dpo)
            #expect(response.status == .ok)
            let items = try #require(try response.jsonObject()["items"] as? [[String: Any]])
            #expect(items.compactMap { $0["action"] as? String } == ["subject.create", "subject.read", "subject.update", "subject.read"])
            let requestIDs = items.compactMap { $0["request_id"] as? String }
            #expect(Set(requestIDs).count == 4)
            let keyIDs = Set(items.compactMap { $0["api_key_id"] as? String })
            #expect(keyIDs.count == 1)
            #expect(items.allSatisfy { $0["actor_kind"] as? String == "api_key" && $0["user_id"] == nil }, "an API key acted")

            let page = try await app.request(.get, "/v1/audit?subject_id=\(id)&limit=3", key: dpo).jsonObject()
            let cursor = try #require(page["next_cursor"] as? String)
            let rest = try await app.request(.get, "/v1/audit?subject_id=\(id)&limit=3&cursor=\(cursor)", key: dpo).jsonObject()
            #expect((rest["items"] as? [Any])?.count == 1)
        }
    }

    @Test("a request that changes nothing records nothing")
    func failedWritesAreNotAudited() async throws {
        try await TestApp.run { app in
            let shop = try await app.key(.shop)
            _ = try await app.request(.post, "/v1/subjects", key: shop, json: #"{"external_ref":"","full_name":"x"}"#)
            _ = try await app.request(.get, "/v1/subjects/\(UUID().uuidString)", key: shop)
            let count = try await app.rowCount("audit_log")
            #expect(count == 0)
        }
    }

    @Test("subject_id is required and must be a UUID")
    func parameters() async throws {
        try await TestApp.run { app in
            let dpo = try await app.key(.dpo)
            #expect(try await app.request(.get, "/v1/audit", key: dpo).status == .badRequest)
            #expect(try await app.request(.get, "/v1/audit?subject_id=nope", key: dpo).status.code / 100 == 4)
        }
    }
}
