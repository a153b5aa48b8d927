import Foundation
import HTTPTypes
import Testing

@Suite("Data subjects")
struct SubjectTests {
    @Test("create, read and correct a subject")
    func lifecycle() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            let created = try await app.request(.post, "/v1/subjects", key: key, json: """
                {"external_ref":"c-42","full_name":"Иван Петров","email":"Ivan@Example.com","phone":"8 (916) 123-45-67",
                 "registration_address":"Москва, ул. Тверская, 1","locale":"ru-RU"}
                """)
            #expect(created.status == .created)
            let subject = try created.jsonObject()
            let id = try #require(subject["id"] as? String)
            #expect(id == id.lowercased(), "ids are written in canonical lowercase")
            #expect(created.headers[.location] == "/v1/subjects/\(id)")
            #expect(subject["phone"] as? String == "+79161234567")
            #expect(subject["email"] as? String == "Ivan@Example.com")
            #expect(subject["status"] as? String == "active")

            let read = try await app.request(.get, "/v1/subjects/\(id.uppercased())", key: key)
            #expect(read.status == .ok)
            #expect(try read.jsonObject()["full_name"] as? String == "Иван Петров")

            let corrected = try await app.request(.patch, "/v1/subjects/\(id)", key: key, json: #"{"full_name":"Иван Сидоров","phone":"+7 916 000-00-00"}"#)
            #expect(corrected.status == .ok)
            let after = try corrected.jsonObject()
            #expect(after["full_name"] as? String == "Иван Сидоров")
            #expect(after["phone"] as? String == "+79160000000")
            #expect(after["email"] as? String == "Ivan@Example.com")
        }
    }

    @Test("a subject holds an account unless the shop says it is a newsletter-only subscriber; the shop can change that")
    func account() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            let customer = try await app.createSubject(key: key, externalRef: "c-acc")
            #expect(customer["has_account"] as? Bool == true)
            let subscriber = try await app.request(.post, "/v1/subjects", key: key, json: #"{"external_ref":"c-sub","full_name":"Ann","has_account":false}"#)
            #expect(subscriber.status == .created)
            let id = try #require(try subscriber.jsonObject()["id"] as? String)
            #expect(try subscriber.jsonObject()["has_account"] as? Bool == false)
            let opened = try await app.request(.patch, "/v1/subjects/\(id)", key: key, json: #"{"has_account":true}"#)
            #expect(opened.status == .ok)
            #expect(try opened.jsonObject()["has_account"] as? Bool == true)
            let wrong = try await app.request(.patch, "/v1/subjects/\(id)", key: key, json: #"{"has_account":"yes"}"#)
            #expect(wrong.status.code / 100 == 4)
        }
    }

    @Test("e-mails are unique case-insensitively and external_ref is unique: 409")
    func duplicates() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            _ = try await app.createSubject(key: key, externalRef: "c-1", email: "Anna@Example.com")
            let sameEmail = try await app.request(.post, "/v1/subjects", key: key, json: #"{"external_ref":"c-2","full_name":"X","email":"anna@EXAMPLE.com"}"#)
            #expect(sameEmail.status == .conflict)
            #expect(sameEmail.headers[.contentType] == "application/problem+json")
            #expect(!sameEmail.text.contains("anna"))
            let sameRef = try await app.request(.post, "/v1/subjects", key: key, json: #"{"external_ref":"c-1","full_name":"X"}"#)
            #expect(sameRef.status == .conflict)
            let other = try await app.createSubject(key: key, externalRef: "c-3", email: "other@example.com")
            let id = try #require(other["id"] as? String)
            let patch = try await app.request(.patch, "/v1/subjects/\(id)", key: key, json: #"{"email":"ANNA@example.com"}"#)
            #expect(patch.status == .conflict)
        }
    }

    @Test("find by email (any case), phone (any notation) and external_ref, every one given matching; none lists all")
    func lookups() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            let subject = try await app.createSubject(key: key, externalRef: "c-7", email: "Maria@Example.com", phone: "+79031112233")
            let id = try #require(subject["id"] as? String)
            for query in ["email=maria%40example.COM", "phone=8%20903%20111-22-33", "external_ref=c-7"] {
                let response = try await app.request(.get, "/v1/subjects?\(query)", key: key)
                #expect(response.status == .ok, "\(query)")
                let items = try #require(try response.jsonObject()["items"] as? [[String: Any]])
                #expect(items.map { $0["id"] as? String } == [id], "\(query)")
            }
            let none = try await app.request(.get, "/v1/subjects?external_ref=missing", key: key)
            #expect(try #require(try none.jsonObject()["items"] as? [Any]).isEmpty)
            let both = try await app.request(.get, "/v1/subjects?email=maria%40example.com&phone=%2B79031112233", key: key)
            #expect(try #require(try both.jsonObject()["items"] as? [[String: Any]]).map { $0["id"] as? String } == [id], "every filter given matches")
            let mismatch = try await app.request(.get, "/v1/subjects?email=maria%40example.com&external_ref=c-8", key: key)
            #expect(try #require(try mismatch.jsonObject()["items"] as? [Any]).isEmpty)
            let everyone = try await app.request(.get, "/v1/subjects?limit=5", key: key)
            #expect(everyone.status == .forbidden, "listing everyone is the DPO's act: a shop key names someone")
            #expect(everyone.text.contains("scope dpo"))
            let all = try await app.request(.get, "/v1/subjects?limit=5", key: try await app.key(.dpo))
            #expect(try #require(try all.jsonObject()["items"] as? [[String: Any]]).count == 1, "the DPO may list every subject")
            let notAPhone = try await app.request(.get, "/v1/subjects?phone=abc", key: key)
            #expect(notAPhone.status == .ok)
            #expect(try #require(try notAPhone.jsonObject()["items"] as? [Any]).isEmpty)
            let tooLong = try await app.request(.get, "/v1/subjects?external_ref=\(String(repeating: "x", count: 129))", key: key)
            #expect(tooLong.status == .unprocessableContent)
        }
    }

    @Test("results page with a cursor")
    func pagination() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            var ids: [String] = []
            for index in 0..<5 {
                let subject = try await app.createSubject(key: key, externalRef: "family-\(index)", phone: "+79990000000")
                ids.append(try #require(subject["id"] as? String))
            }
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let suffix = cursor.map { "&cursor=\($0)" } ?? ""
                let page = try await app.request(.get, "/v1/subjects?phone=%2B79990000000&limit=2\(suffix)", key: key).jsonObject()
                let items = try #require(page["items"] as? [[String: Any]])
                seen += items.compactMap { $0["id"] as? String }
                cursor = page["next_cursor"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(Set(seen) == Set(ids))
            #expect(seen.count == 5)
            #expect(pages == 3)
            let bad = try await app.request(.get, "/v1/subjects?phone=%2B79990000000&cursor=garbage", key: key)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.errorFields == ["cursor"])
            let tooMany = try await app.request(.get, "/v1/subjects?phone=%2B79990000000&limit=100000", key: key)
            #expect(tooMany.status == .unprocessableContent)
            // maxLength counts code points, as JSON Schema does: one letter with 128 combining marks is 129 of them.
            let marked = try await app.request(.get, "/v1/subjects?external_ref=a" + String(repeating: "%CC%81", count: 128), key: key)
            #expect(marked.status == .unprocessableContent)
            #expect(marked.errorFields == ["external_ref"])
        }
    }

    @Test("an unknown subject is 404 and a malformed id is 400")
    func missing() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            let missing = try await app.request(.get, "/v1/subjects/\(UUID().uuidString)", key: key)
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType] == "application/problem+json")
            #expect(try await app.request(.patch, "/v1/subjects/\(UUID().uuidString)", key: key, json: #"{"locale":"en"}"#).status == .notFound)
            #expect(try await app.request(.get, "/v1/subjects/not-a-uuid", key: key).status == .badRequest)
        }
    }
}
