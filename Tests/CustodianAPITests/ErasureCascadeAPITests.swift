import CustodianCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Starting and reading erasure cascades, and verifying recipients' signed callbacks (no worker runs here).
@Suite("Erasure cascade API")
struct ErasureCascadeAPITests {
    static let secret = StandardWebhooksSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")!

    /// An e-mail provider and a subject who granted the newsletter; returns the dpo key and the subject id.
    static func prepare(_ app: TestApp) async throws -> (dpo: String, subjectID: String) {
        let dpo = try await app.key(.dpo)
        let recipient = try await app.request(.post, "/v1/recipients", key: dpo, json: """
            {"code":"mail","name":"Mail","kind":"email_provider","base_url":"https://mail.example","signing_secret":"\(secret.text)",
             "country":"RU","country_adequate":true,"data_categories":["full_name","email"]}
            """)
        #expect(recipient.status == .created)
        let policy = try await app.request(.post, "/v1/policy-versions", key: dpo, json: """
            {"label":"v1","url":"https://shop.example/privacy","text_sha256":"\(String(repeating: "a", count: 64))","effective_at":"2020-01-01T00:00:00Z"}
            """)
        #expect(policy.status == .created)
        let subject = try await app.createSubject(key: dpo, externalRef: "erase-1", email: "erase@example.com", phone: "+79030000001")
        let subjectID = try #require(subject["id"] as? String)
        let consent = try await app.request(.post, "/v1/subjects/\(subjectID)/consents", key: dpo, json: """
            {"purpose":"newsletter","action":"grant","policy_version":"v1","channel":"web_form"}
            """)
        #expect(consent.status == .created)
        return (dpo, subjectID)
    }

    /// Sends a callback signed with `secret` at `timestamp`.
    static func callback(
        _ app: TestApp, requestID: String, status: String, webhookID: String, secret: StandardWebhooksSecret = secret,
        timestamp: Int64 = Int64(Date().timeIntervalSince1970)
    ) async throws -> TestResponse {
        let body = #"{"subject_request_id":"\#(requestID)","request_status":"\#(status)","controller_id":"custodian"}"#
        return try await app.request(.post, "/v1/callbacks/erasure", json: body, headers: [
            HTTPField.Name("webhook-id")!: webhookID,
            HTTPField.Name("webhook-timestamp")!: String(timestamp),
            HTTPField.Name("webhook-signature")!: secret.signature(id: webhookID, timestamp: timestamp, body: Data(body.utf8)),
        ])
    }

    static func cascade(_ app: TestApp, subjectID: String, key: String) async throws -> [String: Any] {
        let response = try await app.request(.get, "/v1/subjects/\(subjectID)/erasure-cascade", key: key)
        #expect(response.status == .ok)
        return try response.jsonObject()
    }

    @Test("starting a cascade creates one pending request and job per holder, in one transaction; a second start is 409")
    func start() async throws {
        try await TestApp.run { app in
            let (dpo, subjectID) = try await Self.prepare(app)
            #expect(try await app.request(.get, "/v1/subjects/\(subjectID)/erasure-cascade", key: dpo).status == .notFound)

            let started = try await app.request(.post, "/v1/subjects/\(subjectID)/erasure-cascade", key: dpo, json: #"{"regulation":"fz152"}"#)
            #expect(started.status == .accepted)
            let body = try started.jsonObject()
            #expect(body["status"] as? String == "in_progress")
            #expect(body["regulation"] as? String == "fz152")
            let requests = try #require(body["requests"] as? [[String: Any]])
            #expect(requests.map { $0["recipient"] as? String } == ["mail"])
            #expect(requests.first?["status"] as? String == "pending")
            let jobID = try #require(requests.first?["job_id"] as? Int)
            let job = try await app.database.query("SELECT kind, state, payload::text FROM jobs WHERE id = \(Int64(jobID))").collect().first
            let (kind, state, payload) = try #require(job).decode((String, String, String).self)
            #expect(kind == "erasure_request" && state == "available")
            #expect(!payload.contains("erase@example.com"), "the job payload holds ids only")

            let again = try await app.request(.post, "/v1/subjects/\(subjectID)/erasure-cascade", key: dpo, json: #"{"regulation":"gdpr"}"#)
            #expect(again.status == .conflict)
            #expect(try await app.rowCount("erasure_cascades") == 1)
        }
    }

    @Test("bad input gets 4xx and starts nothing")
    func badInput() async throws {
        try await TestApp.run { app in
            let (dpo, subjectID) = try await Self.prepare(app)
            let badRegulation = try await app.request(.post, "/v1/subjects/\(subjectID)/erasure-cascade", key: dpo, json: #"{"regulation":"ccpa"}"#)
            #expect(badRegulation.status == .badRequest || badRegulation.status == .unprocessableContent)
            let unknown = try await app.request(.post, "/v1/subjects/\(UUID().uuidString)/erasure-cascade", key: dpo, json: #"{"regulation":"gdpr"}"#)
            #expect(unknown.status == .notFound)
            let extra = try await app.request(.post, "/v1/subjects/\(subjectID)/erasure-cascade", key: dpo, json: #"{"regulation":"gdpr","x":1}"#)
            #expect(extra.status == .badRequest || extra.status == .unprocessableContent)
            #expect(try await app.rowCount("erasure_cascades") == 0)
            #expect(try await app.rowCount("jobs WHERE kind = 'erasure_request'") == 0)
        }
    }

    @Test("a callback is verified against the recipient's secret: wrong signature, stale timestamp and unknown request are refused")
    func verification() async throws {
        try await TestApp.run { app in
            let (dpo, subjectID) = try await Self.prepare(app)
            _ = try await app.request(.post, "/v1/subjects/\(subjectID)/erasure-cascade", key: dpo, json: #"{"regulation":"gdpr"}"#)
            let requestID = try #require((try await Self.cascade(app, subjectID: subjectID, key: dpo)["requests"] as? [[String: Any]])?.first?["id"] as? String)

            let forged = try await Self.callback(app, requestID: requestID, status: "completed", webhookID: "msg_1", secret: .generate())
            #expect(forged.status == .unauthorized)
            #expect(forged.headers[.contentType] == "application/problem+json")
            let stale = try await Self.callback(
                app, requestID: requestID, status: "completed", webhookID: "msg_2", timestamp: Int64(Date().timeIntervalSince1970) - 301)
            #expect(stale.status == .unauthorized)
            let unknown = try await Self.callback(app, requestID: UUID().uuidString.lowercased(), status: "completed", webhookID: "msg_3")
            #expect(unknown.status == .notFound)
            let unsigned = try await app.request(.post, "/v1/callbacks/erasure", json: #"{"subject_request_id":"\#(requestID)","request_status":"completed"}"#)
            #expect(unsigned.status == .badRequest)
            #expect(try await app.rowCount("erasure_callbacks") == 0)
            let requests = try #require(try await Self.cascade(app, subjectID: subjectID, key: dpo)["requests"] as? [[String: Any]])
            #expect(requests.first?["status"] as? String == "pending")
        }
    }

    @Test("verified callbacks move the request forward once per webhook id; a replay changes nothing")
    func recording() async throws {
        try await TestApp.run { app in
            let (dpo, subjectID) = try await Self.prepare(app)
            _ = try await app.request(.post, "/v1/subjects/\(subjectID)/erasure-cascade", key: dpo, json: #"{"regulation":"gdpr"}"#)
            let requestID = try #require((try await Self.cascade(app, subjectID: subjectID, key: dpo)["requests"] as? [[String: Any]])?.first?["id"] as? String)

            #expect(try await Self.callback(app, requestID: requestID, status: "in_progress", webhookID: "msg_a").status == .noContent)
            var cascade = try await Self.cascade(app, subjectID: subjectID, key: dpo)
            #expect((cascade["requests"] as? [[String: Any]])?.first?["status"] as? String == "awaiting_confirmation")
            #expect(cascade["status"] as? String == "in_progress")

            #expect(try await Self.callback(app, requestID: requestID, status: "completed", webhookID: "msg_b").status == .noContent)
            cascade = try await Self.cascade(app, subjectID: subjectID, key: dpo)
            #expect((cascade["requests"] as? [[String: Any]])?.first?["status"] as? String == "completed")
            #expect(cascade["status"] as? String == "completed")

            // A replayed message, and a later contradicting one, leave the confirmed erasure as it is.
            #expect(try await Self.callback(app, requestID: requestID, status: "in_progress", webhookID: "msg_a").status == .noContent)
            #expect(try await Self.callback(app, requestID: requestID, status: "cancelled", webhookID: "msg_c").status == .noContent)
            cascade = try await Self.cascade(app, subjectID: subjectID, key: dpo)
            #expect((cascade["requests"] as? [[String: Any]])?.first?["status"] as? String == "completed")
            #expect(try await app.rowCount("erasure_callbacks") == 3)
            #expect(try await app.rowCount("audit_log WHERE action = 'erasure_cascade.callback'") == 2)
            let identities = try await app.database.query("SELECT count(*) FROM erasure_requests WHERE identities IS NOT NULL").collect().first?.decode(Int.self)
            #expect(identities == 0, "identities are cleared once the recipient has the request")
        }
    }
}
