import CustodianCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Registering subject requests with their legal deadlines, and reading them by due date.
@Suite("Subject requests")
struct SubjectRequestTests {
    /// A registration body; a rectification carries a correction, as it must.
    static func body(identity: String, kind: String, regime: String, receivedAt: String) -> String {
        let corrections = kind == "rectification" ? #","corrections":{"full_name":"Corrected Name"}"# : ""
        return #"{\#(identity),"kind":"\#(kind)","regime":"\#(regime)","channel":"email","received_at":"\#(receivedAt)"\#(corrections)}"#
    }

    @Test("received_at is read in every RFC 3339 form; impossible dates are refused", arguments: [
        ("2026-03-02T01:00:00-18:56", "2026-03-02T19:56:00.000Z"), ("2026-03-02t10:00:00.5z", "2026-03-02T10:00:00.500Z"),
        ("2026-03-02 10:00:00+03:00", "2026-03-02T07:00:00.000Z"), ("2026-03-02T23:59:60Z", "2026-03-02T23:59:59.000Z"),
        ("2026-02-30T10:00:00Z", nil), ("2026-03-02T10:00:00+24:00", nil), ("2026-03-02T10:00Z", nil),
    ])
    func dateTimes(text: String, stored: String?) async throws {
        try await TestApp.run { app in
            let dpo = try await app.key(.dpo)
            let response = try await app.request(.post, "/v1/subject-requests", key: dpo, json: Self.body(
                identity: #""email":"nobody@example.com""#, kind: "access", regime: "gdpr", receivedAt: text))
            if let stored {
                #expect(response.status == .created)
                #expect(try response.jsonObject()["received_at"] as? String == stored)
            } else {
                #expect((400..<500).contains(response.status.code), "\(response.status)")
            }
        }
    }

    @Test("a request stores the day of receipt in Moscow time and its deadline; the response says how many days are left")
    func deadlines() async throws {
        try await TestApp.run { app in
            let dpo = try await app.key(.dpo)
            let subject = try await app.createSubject(key: dpo, externalRef: "req-1", email: "req@example.com", phone: "+79035550199")
            let id = try #require(subject["id"] as? String)
            // 21:30 UTC on Monday 2 November 2026 is already Tuesday 3 November in Moscow; 4 November is a holiday.
            let access = try await app.request(.post, "/v1/subject-requests", key: dpo, json: Self.body(
                identity: #""subject_id":"\#(id)""#, kind: "access", regime: "fz152", receivedAt: "2026-11-02T21:30:00Z"))
            #expect(access.status == .created)
            let created = try access.jsonObject()
            #expect(created["received_on"] as? String == "2026-11-03")
            #expect(created["due_on"] as? String == "2026-11-18")
            #expect(created["status"] as? String == "received")
            #expect(created["subject_id"] as? String == id)
            let requestID = try #require(created["id"] as? String)
            #expect(access.headers[.location] == "/v1/subject-requests/\(requestID)")
            let today = CalendarDate(Date(), in: TimeZone(identifier: "Europe/Moscow")!)
            #expect(created["days_left"] as? Int == CalendarDate(iso: "2026-11-18")!.dayNumber - today.dayNumber)
            #expect(created["overdue"] as? Bool == (today > CalendarDate(iso: "2026-11-18")!))

            let byPhone = try await app.request(.post, "/v1/subject-requests", key: dpo, json: Self.body(
                identity: #""phone":"8 (903) 555-01-99""#, kind: "erasure", regime: "gdpr", receivedAt: "2026-01-31T10:00:00Z"))
            #expect(try byPhone.jsonObject()["due_on"] as? String == "2026-02-28")
            #expect(try byPhone.jsonObject()["subject_id"] as? String == id)

            let read = try await app.request(.get, "/v1/subject-requests/\(requestID)", key: dpo)
            #expect(read.status == .ok)
            #expect(try read.jsonObject()["due_on"] as? String == "2026-11-18")
            let audited = try await app.database.query(
                "SELECT count(*) FROM audit_log WHERE action IN ('subject_request.create', 'subject_request.read')").collect().first?.decode(Int.self)
            #expect(audited == 3)
            let events = try await app.rowCount("subject_request_events")
            #expect(events == 2)
        }
    }

    @Test("a request names its ground, which sets the deadline and its rule; a ground the kind does not take is 422 and registers nothing")
    func grounds() async throws {
        try await TestApp.run { app in
            let dpo = try await app.key(.dpo)
            let subject = try await app.createSubject(key: dpo, externalRef: "ground-1", email: "ground@example.com", phone: "+79035550198")
            let id = try #require(subject["id"] as? String)
            // Received Wednesday 10 June 2026 in Moscow; 12 June is a holiday.
            func register(_ kind: String, ground: String?) async throws -> TestResponse {
                let named = ground.map { #","ground":"\#($0)""# } ?? ""
                return try await app.request(.post, "/v1/subject-requests", key: dpo, json: """
                    {"subject_id":"\(id)","kind":"\(kind)","regime":"fz152","channel":"email","received_at":"2026-06-10T09:00:00Z"\(named)}
                    """)
            }
            let unlawful = try await register("erasure", ground: "unlawful").jsonObject()
            #expect(unlawful["ground"] as? String == "unlawful")
            #expect(unlawful["due_on"] as? String == "2026-06-22")
            #expect(unlawful["due_rule"] as? String == "7 working days, Art. 20(3) 152-FZ")
            let assumed = try await register("erasure", ground: nil).jsonObject()
            #expect(assumed["ground"] as? String == "consent_withdrawn")
            #expect(assumed["due_rule"] as? String == "30 calendar days, Art. 21(5) 152-FZ")
            let access = try await register("access", ground: nil).jsonObject()
            #expect(access["ground"] == nil)
            #expect(access["due_rule"] as? String == "10 working days, Art. 14(3), 20(1)-(2) 152-FZ")
            #expect(access["follow_up_due_on"] == nil)
            // 152-FZ Art. 21(3): stop unlawful processing in 3 working days, destroy in 10 — two dates.
            let stop = try await register("restriction", ground: "unlawful").jsonObject()
            #expect(stop["due_on"] as? String == "2026-06-16")
            #expect(stop["due_rule"] as? String == "3 working days, Art. 21(3) 152-FZ")
            #expect(stop["follow_up_due_on"] as? String == "2026-06-25")
            #expect(stop["follow_up_rule"] as? String == "destroy the data that cannot be made lawful: 10 working days, Art. 21(3) 152-FZ")
            let before = try await app.rowCount("subject_requests")
            for (kind, ground) in [("access", "inaccurate"), ("erasure", "direct_marketing"), ("objection", "unlawful"), ("claim", "other")] {
                let refused = try await register(kind, ground: ground)
                #expect(refused.status == .unprocessableContent, "\(kind) \(ground)")
                #expect(try refused.jsonObject()["errors"].map { "\($0)".contains("ground") } == true)
            }
            #expect(try await app.rowCount("subject_requests") == before)
        }
    }

    @Test("an identity that matches nobody is registered as denied with no_match, and the identity is not kept")
    func noMatch() async throws {
        try await TestApp.run { app in
            let dpo = try await app.key(.dpo)
            let response = try await app.request(.post, "/v1/subject-requests", key: dpo, json: Self.body(
                identity: #""email":"nobody@example.com""#, kind: "access", regime: "gdpr", receivedAt: "2026-06-01T09:00:00Z"))
            #expect(response.status == .created)
            let created = try response.jsonObject()
            #expect(created["status"] as? String == "denied")
            #expect(created["denial_reason"] as? String == "no_match")
            #expect(created["subject_id"] == nil)
            #expect(created["overdue"] as? Bool == false, "a denied request is not overdue")
            let stored = try await app.database.query("SELECT row_to_json(r)::text FROM subject_requests r").collect().first?.decode(String.self)
            #expect(stored?.contains("nobody") == false)
            let events = try await app.database.query("SELECT status FROM subject_request_events ORDER BY id").collect().map { try $0.decode(String.self) }
            #expect(events == ["received", "denied"])
        }
    }

    @Test("the list is ordered by due date, filtered by status, kind and due date, and pages with a cursor")
    func list() async throws {
        try await TestApp.run { app in
            let dpo = try await app.key(.dpo)
            let subject = try await app.createSubject(key: dpo, externalRef: "req-list")
            let id = try #require(subject["id"] as? String)
            for (kind, received) in [("access", "2026-03-02T09:00:00Z"), ("rectification", "2026-03-02T09:00:00Z"), ("erasure", "2026-02-02T09:00:00Z")] {
                let response = try await app.request(.post, "/v1/subject-requests", key: dpo, json: Self.body(
                    identity: #""subject_id":"\#(id)""#, kind: kind, regime: "fz152", receivedAt: received))
                #expect(response.status == .created)
            }
            // Due: erasure 2026-03-04 (30 days), rectification 2026-03-12 (7 working days, 9 March off), access 2026-03-17.
            let all = try #require(try await app.request(.get, "/v1/subject-requests", key: dpo).jsonObject()["items"] as? [[String: Any]])
            #expect(all.compactMap { $0["due_on"] as? String } == ["2026-03-04", "2026-03-12", "2026-03-17"])
            #expect(all.allSatisfy { $0["overdue"] as? Bool == true }, "all three are past due and open")

            let firstPage = try await app.request(.get, "/v1/subject-requests?limit=2", key: dpo).jsonObject()
            let cursor = try #require(firstPage["next_cursor"] as? String)
            let secondPage = try await app.request(.get, "/v1/subject-requests?limit=2&cursor=\(cursor)", key: dpo).jsonObject()
            #expect((secondPage["items"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } == ["access"])

            let filtered = try await app.request(.get, "/v1/subject-requests?kind=rectification&status=received&due_before=2026-03-31", key: dpo)
            #expect((try filtered.jsonObject()["items"] as? [[String: Any]])?.count == 1)
            let early = try await app.request(.get, "/v1/subject-requests?due_before=2026-03-10", key: dpo)
            #expect((try early.jsonObject()["items"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } == ["erasure"])
        }
    }

    @Test("deny, cancel and extend follow the lifecycle and the law; each change is an event with its key, shown in the history")
    func commands() async throws {
        try await TestApp.run { app in
            let dpo = try await app.key(.dpo)
            let subject = try await app.createSubject(key: dpo, externalRef: "req-cmd")
            let subjectID = try #require(subject["id"] as? String)
            func register(_ kind: String, _ regime: String, daysAgo: Double) async throws -> String {
                let receivedAt = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-daysAgo * 86400))
                let response = try await app.request(.post, "/v1/subject-requests", key: dpo, json: Self.body(
                    identity: #""subject_id":"\#(subjectID)""#, kind: kind, regime: regime, receivedAt: receivedAt))
                return try #require(try response.jsonObject()["id"] as? String)
            }
            let access = try await register("access", "gdpr", daysAgo: 1)
            let extended = try await app.request(.post, "/v1/subject-requests/\(access)/extend", key: dpo, json: #"{"reason":"many systems to search"}"#)
            #expect(extended.status == .ok)
            let body = try extended.jsonObject()
            let receivedOn = try #require(body["received_on"] as? String)
            let received = try #require(CalendarDate(iso: receivedOn))
            #expect(body["due_on"] as? String == received.adding(months: 3).description)
            #expect(body["original_due_on"] as? String == received.adding(months: 1).description)
            #expect(body["extension_reason"] as? String == "many systems to search")
            let again = try await app.request(.post, "/v1/subject-requests/\(access)/extend", key: dpo, json: #"{"reason":"more"}"#)
            #expect(again.status == .conflict)
            #expect(again.text.contains("already-extended"))

            let rectification = try await register("rectification", "fz152", daysAgo: 1)
            #expect(try await app.request(.post, "/v1/subject-requests/\(rectification)/extend", key: dpo, json: #"{"reason":"r"}"#).status == .conflict)
            let late = try await register("access", "fz152", daysAgo: 40)
            let tooLate = try await app.request(.post, "/v1/subject-requests/\(late)/extend", key: dpo, json: #"{"reason":"r"}"#)
            #expect(tooLate.status == .conflict)
            #expect(tooLate.text.contains("extension-too-late"))

            let denied = try await app.request(.post, "/v1/subject-requests/\(rectification)/deny", key: dpo,
                                               json: #"{"reason":"identity_not_verified","explanation":"The signature does not match."}"#)
            #expect(denied.status == .ok)
            #expect(try denied.jsonObject()["status"] as? String == "denied")
            #expect(try denied.jsonObject()["denial_reason"] as? String == "identity_not_verified")
            #expect(try await app.request(.post, "/v1/subject-requests/\(rectification)/cancel", key: dpo).status == .conflict, "denied is final")
            #expect(try await app.request(.post, "/v1/subject-requests/\(late)/cancel", key: dpo).status == .ok)
            #expect(try await app.request(.post, "/v1/subject-requests/\(late)/deny", key: dpo,
                                          json: #"{"reason":"other","explanation":"x"}"#).status == .conflict, "cancelled is final")
            #expect(try await app.request(.post, "/v1/subject-requests/\(access)/deny", key: dpo,
                                          json: #"{"reason":"no_match","explanation":"x"}"#).status == .unprocessableContent)
            #expect(try await app.request(.post, "/v1/subject-requests/\(access)/deny", key: dpo,
                                          json: #"{"reason":"other","explanation":"  "}"#).status == .unprocessableContent)
            #expect(try await app.request(.post, "/v1/subject-requests/\(UUID().uuidString)/cancel", key: dpo).status == .notFound)

            let history = try #require(try await app.request(.get, "/v1/subject-requests/\(rectification)", key: dpo).jsonObject()["history"] as? [[String: Any]])
            #expect(history.compactMap { $0["status"] as? String } == ["received", "denied"])
            let keyIDs = Set(history.compactMap { $0["api_key_id"] as? String })
            #expect(keyIDs.count == 1, "both changes name the dpo key")
            let audited = try await app.database.query("""
                SELECT count(*) FROM audit_log WHERE action IN ('subject_request.extend', 'subject_request.deny', 'subject_request.cancel')
                """).collect().first?.decode(Int.self)
            #expect(audited == 3)
        }
    }

    @Test("bad input gets 4xx problems and stores nothing")
    func refused() async throws {
        try await TestApp.run { app in
            let dpo = try await app.key(.dpo)
            let future = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
            let cases: [(String, HTTPResponse.Status)] = [
                (#"{"kind":"access","regime":"fz152","channel":"email","received_at":"2026-06-01T09:00:00Z"}"#, .unprocessableContent),
                (#"{"email":"a@example.com","phone":"+79035550101","kind":"access","regime":"fz152","channel":"email","received_at":"2026-06-01T09:00:00Z"}"#, .unprocessableContent),
                (#"{"subject_id":"not-a-uuid","kind":"access","regime":"fz152","channel":"email","received_at":"2026-06-01T09:00:00Z"}"#, .unprocessableContent),
                (#"{"email":"a@example.com","kind":"forget","regime":"fz152","channel":"email","received_at":"2026-06-01T09:00:00Z"}"#, .unprocessableContent),
                (#"{"email":"a@example.com","kind":"access","regime":"fz152","channel":"email","received_at":"\#(future)"}"#, .unprocessableContent),
                (#"{"email":"a@example.com","kind":"access","regime":"fz152","channel":"email"}"#, .unprocessableContent),
            ]
            for (body, status) in cases {
                let response = try await app.request(.post, "/v1/subject-requests", key: dpo, json: body)
                #expect(response.status == status, "\(body)")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            #expect(try await app.request(.get, "/v1/subject-requests?due_before=soon", key: dpo).status == .unprocessableContent)
            #expect(try await app.request(.get, "/v1/subject-requests?cursor=forged", key: dpo).status == .unprocessableContent)
            for cursor in ["99999999999999999-01-01_\(UUID().uuidString.lowercased())", "0000-01-01_\(UUID().uuidString.lowercased())",
                           "2026-13-01_\(UUID().uuidString.lowercased())"] {
                #expect(try await app.request(.get, "/v1/subject-requests?cursor=\(cursor)", key: dpo).status == .unprocessableContent, "\(cursor)")
            }
            #expect(try await app.request(.get, "/v1/subject-requests?cursor=2026-02-31_\(UUID().uuidString.lowercased())", key: dpo).status == .ok,
                    "a day the form allows continues from where it would fall")
            #expect(try await app.request(.get, "/v1/subject-requests/\(UUID().uuidString)", key: dpo).status == .notFound)
            #expect(try await app.rowCount("subject_requests") == 0)
        }
    }
}
