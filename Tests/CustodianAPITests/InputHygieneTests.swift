import Foundation
import Testing

@Suite("Explicit nulls and NUL characters")
struct InputHygieneTests {
    @Test("a NUL character in a body, or a body that is null, is 422 naming it, and nothing is stored")
    func bodies() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            for (body, field) in [
                (#"{"external_ref":"n-1","full_name":"An\u0000na"}"#, "body"),
                (#"{"external_ref":"n-1","full_name":"An\u0000na","full_name":"Anna"}"#, "body"),
                ("null", "body"),
            ] {
                let response = try await app.request(.post, "/v1/subjects", key: key, json: body)
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect(response.errorFields.first == field)
            }
            let listed = try await app.request(.get, "/v1/subjects?external_ref=n-1", key: key)
            #expect(try #require(try listed.jsonObject()["items"] as? [Any]).isEmpty, "nothing stored")
        }
    }

    @Test("null on an optional member means absent, as generated clients send it, nested members too")
    func nullIsAbsent() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            let created = try await app.request(.post, "/v1/subjects", key: key, json: """
                {"external_ref":"n-2","full_name":"Anna","email":null,"phone":null,"registration_address":null,"locale":null,"has_account":null}
                """)
            #expect(created.status == .created)
            let subject = try created.jsonObject()
            #expect(subject["email"] == nil && subject["phone"] == nil && subject["registration_address"] == nil)
            #expect(subject["locale"] as? String == "ru-RU" && subject["has_account"] as? Bool == true, "the defaults of absent members")
            let dpo = try await app.key(.dpo)
            let ground = try await app.request(.post, "/v1/subject-requests", key: dpo, json: """
                {"subject_id":"\(try #require(subject["id"] as? String))","kind":"access","regime":"gdpr","channel":"email",
                 "received_at":"2026-11-03T09:00:00Z","ground":null}
                """)
            #expect(ground.status == .unprocessableContent && ground.errorFields == ["ground"], "a member whose enum the spec names by reference takes no null")
        }
    }

    @Test("on a PATCH, null clears a clearable member and is 422 on any other, changing nothing")
    func patchNull() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            let id = try #require(try await app.createSubject(key: key, externalRef: "n-3", email: "clear.me@example.com", phone: "+79161234567")["id"] as? String)
            let refused = try await app.request(.patch, "/v1/subjects/\(id)", key: key, json: #"{"email":null,"full_name":null}"#)
            #expect(refused.status == .unprocessableContent && refused.errorFields == ["full_name"])
            let unchanged = try await app.request(.get, "/v1/subjects/\(id)", key: key).jsonObject()
            #expect(unchanged["email"] as? String == "clear.me@example.com" && unchanged["full_name"] as? String == "Test Person")

            let cleared = try await app.request(.patch, "/v1/subjects/\(id)", key: key, json: #"{"email":null,"phone":null}"#)
            #expect(cleared.status == .ok)
            let after = try cleared.jsonObject()
            #expect(after["email"] == nil && after["phone"] == nil && after["full_name"] as? String == "Test Person")
            let found = try await app.request(.get, "/v1/subjects?email=clear.me%40example.com", key: key).jsonObject()
            #expect(try #require(found["items"] as? [Any]).isEmpty, "the cleared e-mail no longer finds the subject")
            let reused = try await app.createSubject(key: key, externalRef: "n-4", email: "clear.me@example.com")
            #expect(reused["email"] as? String == "clear.me@example.com", "and is free for another subject")
        }
    }

    @Test("a NUL character in the path or query is 400")
    func uris() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.dpo)
            #expect(try await app.request(.get, "/v1/subjects?external_ref=a%00b", key: key).status == .badRequest)
            #expect(try await app.request(.get, "/v1/purposes/news%00letter", key: key).status == .badRequest)
            #expect(try await app.request(.get, "/v1/subjects?external_ref=a%2500", key: key).status == .ok, "%25 is a percent sign, not a NUL")
            #expect(try await app.request(.get, "/v1/subjects?external_ref=%30%300", key: key).status == .ok)
        }
    }
}
