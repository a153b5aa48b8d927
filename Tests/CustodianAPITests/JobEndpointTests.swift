import CustodianQueue
import CustodianStore
import Foundation
import HTTPTypes
import Testing

@Suite("Job endpoints for the DPO")
struct JobEndpointTests {
    @Test("list, read, stats, cancel and retry jobs; only valid states change")
    func administration() async throws {
        try await TestApp.run { app in
            let fixture = try await ConsentTests.Fixture(app)
            try await fixture.event("newsletter", "withdraw")
            let dpo = fixture.dpo

            let page = try await app.request(.get, "/v1/jobs?state=available&kind=newsletter_opt_out", key: dpo).jsonObject()
            let jobs = try #require(page["items"] as? [[String: Any]])
            #expect(jobs.count == 1)
            let id = try #require(jobs.first?["id"] as? Int)
            #expect((jobs.first?["payload"] as? [String: String])?["subject_id"] == fixture.subjectID)
            let failed = try await app.request(.get, "/v1/jobs?state=failed", key: dpo).jsonObject()["items"] as? [Any]
            #expect(failed?.isEmpty == true)

            let stats = try await app.request(.get, "/v1/jobs/stats", key: dpo)
            #expect(stats.status == .ok)
            let counts = try #require(try stats.jsonObject()["counts"] as? [[String: Any]])
            #expect(counts.first?["state"] as? String == "available")
            #expect(counts.first?["count"] as? Int == 1)
            #expect(try stats.jsonObject()["oldest_available_age_seconds"] is Double)

            #expect(try await app.request(.post, "/v1/jobs/\(id)/retry", key: dpo).status == .conflict, "an available job cannot be retried")
            let store = JobStore(database: app.database)
            _ = try await store.claim(kind: "newsletter_opt_out", limit: 1, owner: "test-worker", lease: .seconds(30))
            try await store.complete([JobResult(
                jobID: Int64(id), attempt: 1, outcome: .failed, retryAt: nil, error: "HTTP 404", httpStatus: 404, startedAt: Date(), durationMilliseconds: 3)],
                owner: "test-worker")
            let detail = try await app.request(.get, "/v1/jobs/\(id)", key: dpo).jsonObject()
            #expect((detail["job"] as? [String: Any])?["state"] as? String == "failed")
            #expect((detail["attempts"] as? [[String: Any]])?.first?["http_status"] as? Int == 404)

            let retried = try await app.request(.post, "/v1/jobs/\(id)/retry", key: dpo)
            #expect(retried.status == .ok)
            #expect(try retried.jsonObject()["state"] as? String == "available")
            let cancelled = try await app.request(.post, "/v1/jobs/\(id)/cancel", key: dpo)
            #expect(try cancelled.jsonObject()["state"] as? String == "cancelled")
            #expect(try await app.request(.post, "/v1/jobs/\(id)/cancel", key: dpo).status == .conflict)
            #expect(try await app.request(.get, "/v1/jobs/999999", key: dpo).status == .notFound)
            #expect(try await app.request(.post, "/v1/jobs/999999/retry", key: dpo).status == .notFound)
            #expect(try await app.request(.get, "/v1/jobs/abc", key: dpo).status == .badRequest)

            let audited = try await app.database.query("SELECT action FROM audit_log WHERE action LIKE 'job.%' ORDER BY id").collect()
                .map { try $0.decode(String.self) }
            #expect(audited == ["job.retry", "job.cancel"])
        }
    }
}
