import Foundation
import Testing

@Suite("Explicit nulls and NUL characters")
struct InputHygieneTests {
    @Test("an explicit null or a NUL character in a body is 422 naming the member, and nothing is stored")
    func bodies() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            for (body, field) in [
                (#"{"external_ref":"n-1","full_name":"Anna","email":null}"#, "email"),
                (#"{"external_ref":"n-1","full_name":"An\u0000na"}"#, "body"),
                (#"{"external_ref":"n-1","full_name":"An\u0000na","full_name":"Anna"}"#, "body"),
            ] {
                let response = try await app.request(.post, "/v1/subjects", key: key, json: body)
                #expect(response.status == .unprocessableContent, "\(field)")
                let errors = try response.jsonObject()["errors"] as? [[String: Any]]
                #expect(errors?.first?["field"] as? String == field)
            }
            let listed = try await app.request(.get, "/v1/subjects?external_ref=n-1", key: key)
            #expect(try #require(try listed.jsonObject()["items"] as? [Any]).isEmpty, "nothing stored")
        }
    }

    @Test("a NUL character in the path or query is 400")
    func uris() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.dpo)
            #expect(try await app.request(.get, "/v1/subjects?external_ref=a%00b", key: key).status == .badRequest)
            #expect(try await app.request(.get, "/v1/purposes/news%00letter", key: key).status == .badRequest)
        }
    }
}
