import Foundation
import Testing

/// Pre-trial claims (the shop's policy §8.2): registered with their text, answered within 30 calendar days, the text
/// destroyed with the subject.
@Suite("End to end: pre-trial claims")
struct ClaimTests {
    static let text = "Заказ SO-77 не доставлен, прошу вернуть 2500 рублей. Пётр Кузнецов, тел. +7 903 777-00-01"

    static func register(_ stack: EndToEndStack, dpo: String, identity: String, receivedAt: String, text: String? = ClaimTests.text) async throws -> (status: Int, body: [String: Any]) {
        let member = try text.map { #","text":"# + String(decoding: try JSONEncoder().encode($0), as: UTF8.self) } ?? ""
        return try await stack.answer(.post, "/v1/subject-requests", key: dpo, json: """
            {\(identity),"kind":"claim","regime":"fz152","channel":"post","received_at":"\(receivedAt)"\(member)}
            """)
    }

    @Test("a claim of the longest text allowed, 20,000 code points of four bytes each, is registered sealed and reads back whole")
    func longestClaim() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, dpo) = try await ErasureCascadeTests.prepare(stack)
            let text = String(repeating: "😀", count: 20_000)
            let created = try await Self.register(stack, dpo: dpo, identity: #""subject_id":"\#(subjectID)""#, receivedAt: "2026-11-03T09:00:00Z", text: text)
            #expect(created.status == 201)
            let id = try #require(created.body["id"] as? String)
            let read = try await stack.request(.get, "/v1/subject-requests/\(id)", key: dpo)
            #expect(read["text"] as? String == text)
            let tooLong = try await Self.register(stack, dpo: dpo, identity: #""subject_id":"\#(subjectID)""#, receivedAt: "2026-11-03T09:00:00Z", text: text + "a")
            #expect(tooLong.status == 422)
        }
    }

    @Test("a claim: registered with its text and a 30-day deadline, never fulfilled, answered once with a date and channel; its text is erased with the subject")
    func createAnswerErase() async throws {
        try await EndToEndStack.run { stack in
            let (subjectID, dpo) = try await ErasureCascadeTests.prepare(stack)
            let subject = #""subject_id":"\#(subjectID)""#
            let missing = try await Self.register(stack, dpo: dpo, identity: subject, receivedAt: "2026-11-03T09:00:00Z", text: nil)
            #expect(missing.status == 422 && "\(missing.body["errors"] ?? "")".contains("text"))
            let misplaced = try await stack.answer(.post, "/v1/subject-requests", key: dpo, json: """
                {\(subject),"kind":"access","regime":"fz152","channel":"post","received_at":"2026-11-03T09:00:00Z","text":"not a claim"}
                """)
            #expect(misplaced.status == 422 && "\(misplaced.body["errors"] ?? "")".contains("text"))
            let control = try await Self.register(stack, dpo: dpo, identity: subject, receivedAt: "2026-11-03T09:00:00Z", text: "bell \u{7}")
            #expect(control.status == 422)
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM subject_requests") == 0)

            let created = try await Self.register(stack, dpo: dpo, identity: subject, receivedAt: "2026-11-03T09:00:00Z")
            #expect(created.status == 201)
            let claim = created.body
            let id = try #require(claim["id"] as? String)
            #expect(claim["kind"] as? String == "claim" && claim["status"] as? String == "received" && claim["ground"] == nil)
            #expect(claim["due_on"] as? String == "2026-12-03", "30 calendar days from 3 November, holidays included")
            #expect(claim["due_rule"] as? String == "30 calendar days, the shop's privacy policy §8.2 (pre-trial claim)")
            #expect(claim["text"] as? String == Self.text)
            #expect(try await stack.request(.get, "/v1/subjects/\(subjectID)", key: dpo)["status"] as? String == "active", "a claim blocks nothing")

            let listed = try await stack.request(.get, "/v1/subject-requests?kind=claim", key: dpo)["items"] as? [[String: Any]]
            #expect(listed?.count == 1 && listed?.first?["text"] == nil, "a list, which is not audited per request, shows no claim text")

            let fulfil = try await stack.answer(.post, "/v1/subject-requests/\(id)/fulfil", key: dpo)
            #expect(fulfil.status == 409 && (fulfil.body["type"] as? String)?.hasSuffix("/problems/claim-is-answered") == true)
            let extend = try await stack.answer(.post, "/v1/subject-requests/\(id)/extend", key: dpo, json: #"{"reason":"more time"}"#)
            #expect(extend.status == 409, "the policy allows no extension")
            let future = try await stack.answer(.post, "/v1/subject-requests/\(id)/answer", key: dpo, json: #"{"answered_on":"2099-01-01","channel":"post"}"#)
            #expect(future.status == 422)
            let early = try await stack.answer(.post, "/v1/subject-requests/\(id)/answer", key: dpo, json: #"{"answered_on":"2026-11-02","channel":"post"}"#)
            #expect(early.status == 422 && "\(early.body["errors"] ?? "")".contains("answered_on"))
            let access = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "access", identity: subject)
            let notClaim = try await stack.answer(.post, "/v1/subject-requests/\(access)/answer", key: dpo, json: #"{"answered_on":"2026-11-20","channel":"email"}"#)
            #expect(notClaim.status == 409 && (notClaim.body["type"] as? String)?.hasSuffix("/problems/not-a-claim") == true)

            let answered = try await stack.request(.post, "/v1/subject-requests/\(id)/answer", key: dpo, json: #"{"answered_on":"2026-11-20","channel":"post"}"#)
            #expect(answered["status"] as? String == "answered")
            #expect(answered["answered_on"] as? String == "2026-11-20" && answered["answer_channel"] as? String == "post")
            #expect(answered["overdue"] as? Bool == false)
            let again = try await stack.answer(.post, "/v1/subject-requests/\(id)/answer", key: dpo, json: #"{"answered_on":"2026-11-21","channel":"email"}"#)
            #expect(again.status == 409)
            let history = try await stack.request(.get, "/v1/subject-requests/\(id)", key: dpo)["history"] as? [[String: Any]]
            #expect(history?.map { $0["status"] as? String } == ["received", "answered"])
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM audit_log WHERE action = 'subject_request.answer'") == 1)

            _ = try await stack.request(.post, "/v1/subject-requests/\(access)/cancel", key: dpo)
            let erasure = try await SubjectRequestWorkTests.register(stack, dpo: dpo, kind: "erasure", identity: subject)
            _ = try await SubjectRequestWorkTests.fulfil(stack, dpo: dpo, erasure)
            let after = try await stack.request(.get, "/v1/subject-requests/\(id)", key: dpo)
            #expect(after["text"] == nil && after["status"] as? String == "answered", "the text went with the subject; the answer's record stays")
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM subject_requests WHERE claim_text IS NOT NULL") == 0)
        }
    }

    @Test("a claim naming nobody is denied with no_match and its text is not kept")
    func noMatch() async throws {
        try await EndToEndStack.run { stack in
            let (_, dpo) = try await ErasureCascadeTests.prepare(stack)
            let created = try await Self.register(stack, dpo: dpo, identity: #""email":"nobody@example.com""#, receivedAt: "2026-11-03T09:00:00Z")
            #expect(created.body["status"] as? String == "denied" && created.body["text"] == nil)
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM subject_requests WHERE claim_text IS NOT NULL") == 0)
        }
    }
}
