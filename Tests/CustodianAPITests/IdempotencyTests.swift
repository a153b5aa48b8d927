import CustodianStore
import CustodianTestSupport
import Foundation
import HTTPTypes
import PostgresNIO
import Testing

@Suite("Idempotency-Key")
struct IdempotencyTests {
    let body = #"{"external_ref":"idem-1","full_name":"Idem Potent"}"#

    @Test("the same key and body replays the first response")
    func replay() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            let first = try await app.request(.post, "/v1/subjects", key: key, json: body, headers: [.idempotencyKey: "k-1"])
            let second = try await app.request(.post, "/v1/subjects", key: key, json: body, headers: [.idempotencyKey: "k-1"])
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(second.headers[.idempotentReplayed] == "true")
            #expect(first.headers[.idempotentReplayed] == nil)
            #expect(second.headers[.location] == first.headers[.location])
            #expect(try second.jsonObject()["id"] as? String == first.jsonObject()["id"] as? String)
            let count = try await app.rowCount("subjects")
            #expect(count == 1)
        }
    }

    @Test("the same key with a different body is 422, as the IETF draft says")
    func mismatch() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            _ = try await app.request(.post, "/v1/subjects", key: key, json: body, headers: [.idempotencyKey: "k-2"])
            let other = try await app.request(.post, "/v1/subjects", key: key, json: #"{"external_ref":"idem-2","full_name":"Other"}"#, headers: [.idempotencyKey: "k-2"])
            #expect(other.status == .unprocessableContent)
            #expect(other.headers[.contentType] == "application/problem+json")
            #expect(other.text.contains("idempotency-key-reused"))
            let count = try await app.rowCount("subjects")
            #expect(count == 1)
        }
    }

    @Test("a PATCH with a key replays its first response, changing nothing; the key with another body is 422")
    func patch() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            let id = try #require(try await app.createSubject(key: key, externalRef: "idem-patch")["id"] as? String)
            let first = try await app.request(.patch, "/v1/subjects/\(id)", key: key, json: #"{"full_name":"First Name"}"#, headers: [.idempotencyKey: "p-1"])
            _ = try await app.request(.patch, "/v1/subjects/\(id)", key: key, json: #"{"full_name":"Second Name"}"#)
            let replayed = try await app.request(.patch, "/v1/subjects/\(id)", key: key, json: #"{"full_name":"First Name"}"#, headers: [.idempotencyKey: "p-1"])
            #expect(first.status == .ok && replayed.status == .ok)
            #expect(replayed.headers[.idempotentReplayed] == "true")
            #expect(try replayed.jsonObject()["full_name"] as? String == "First Name")
            let current = try await app.request(.get, "/v1/subjects/\(id)", key: key)
            #expect(try current.jsonObject()["full_name"] as? String == "Second Name", "the replay wrote nothing")
            let other = try await app.request(.patch, "/v1/subjects/\(id)", key: key, json: #"{"full_name":"Third Name"}"#, headers: [.idempotencyKey: "p-1"])
            #expect(other.status == .unprocessableContent)
        }
    }

    @Test("a second request while the first still runs is 409")
    func concurrent() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            let body = self.body
            try await app.database.withConnection { blocker in
                // Hold a lock that makes the first request's INSERT wait.
                try await blocker.query("BEGIN", logger: TestDatabase.logger)
                try await blocker.query("LOCK TABLE subjects IN EXCLUSIVE MODE", logger: TestDatabase.logger)
                async let first = app.request(.post, "/v1/subjects", key: key, json: body, headers: [.idempotencyKey: "k-3"])
                try await waitForClaim(app, "k-3")
                let second = try await app.request(.post, "/v1/subjects", key: key, json: body, headers: [.idempotencyKey: "k-3"])
                #expect(second.status == .conflict)
                #expect(second.headers[.contentType] == "application/problem+json")
                try await blocker.query("COMMIT", logger: TestDatabase.logger)
                #expect(try await first.status == .created)
            }
            let third = try await app.request(.post, "/v1/subjects", key: key, json: body, headers: [.idempotencyKey: "k-3"])
            #expect(third.status == .created)
            #expect(third.headers[.idempotentReplayed] == "true")
        }
    }

    @Test("keys are scoped to the API key")
    func scopedToAPIKey() async throws {
        try await TestApp.run { app in
            let one = try await app.key(.shop)
            let two = try await app.key(.shop)
            let first = try await app.request(.post, "/v1/subjects", key: one, json: body, headers: [.idempotencyKey: "shared"])
            let second = try await app.request(.post, "/v1/subjects", key: two, json: #"{"external_ref":"idem-9","full_name":"Nine"}"#, headers: [.idempotencyKey: "shared"])
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(second.headers[.idempotentReplayed] == nil)
        }
    }

    @Test("a failed request does not hold its key: a corrected retry runs")
    func failureReleasesKey() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            let invalid = try await app.request(.post, "/v1/subjects", key: key, json: #"{"external_ref":"","full_name":"x"}"#, headers: [.idempotencyKey: "k-5"])
            #expect(invalid.status == .unprocessableContent)
            let fixed = try await app.request(.post, "/v1/subjects", key: key, json: body, headers: [.idempotencyKey: "k-5"])
            #expect(fixed.status == .created)
        }
    }

    @Test("an invalid key is 422", arguments: [String(repeating: "k", count: 256), "with space"])
    func invalidKey(idempotencyKey: String) async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            let response = try await app.request(.post, "/v1/subjects", key: key, json: body, headers: [.idempotencyKey: idempotencyKey])
            #expect(response.status == .unprocessableContent)
        }
    }

    /// Waits until the first request has claimed its key (its row exists, unfinished).
    func waitForClaim(_ app: TestApp, _ key: String) async throws {
        for _ in 0..<3000 {
            let rows = try await app.database.query("SELECT 1 FROM idempotency_keys WHERE key = \(key) AND response_status IS NULL").collect()
            if !rows.isEmpty { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("the first request never claimed its key")
    }
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
}
