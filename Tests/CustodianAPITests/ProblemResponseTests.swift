import CustodianAPI
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Errors are RFC 9457 problems and change nothing")
struct ProblemResponseTests {
    /// Checks the problem shape and that the status member equals the response status.
    func expectProblem(_ response: TestResponseShape, _ status: HTTPResponse.Status, _ note: String) throws {
        #expect(response.status == status, "\(note)")
        #expect(response.contentType == "application/problem+json", "\(note)")
        let problem = try response.json()
        #expect(problem["status"] as? Int == status.code, "\(note)")
        for member in ["type", "title", "detail"] {
            #expect(problem[member] is String, "\(note): \(member)")
        }
    }

    @Test("unknown routes 404, wrong methods 405 with Allow")
    func routing() async throws {
        try await TestApp.run { app in
            try expectProblem(.init(try await app.request(.get, "/v2/nothing")), .notFound, "unknown route")
            let wrongMethod = try await app.request(.delete, "/v1/subjects")
            try expectProblem(.init(wrongMethod), .methodNotAllowed, "DELETE /v1/subjects")
            #expect(wrongMethod.headers[.allow] == "GET, POST")
            let wrongOnItem = try await app.request(.put, "/v1/subjects/\(UUID().uuidString)")
            try expectProblem(.init(wrongOnItem), .methodNotAllowed, "PUT /v1/subjects/{id}")
            #expect(wrongOnItem.headers[.allow] == "GET, PATCH")
        }
    }

    @Test("malformed JSON 400, wrong content type 415, unknown and mistyped fields 422")
    func bodies() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.dpo)
            try expectProblem(.init(try await app.request(.post, "/v1/subjects", key: key, json: "{not json")), .badRequest, "malformed")
            try expectProblem(
                .init(try await app.request(.post, "/v1/subjects", key: key, json: "x=1", headers: [.contentType: "text/plain"])),
                .unsupportedMediaType, "text/plain")
            let unknownField = try await app.request(.post, "/v1/subjects", key: key, json: #"{"external_ref":"a","full_name":"b","id":"x"}"#)
            try expectProblem(.init(unknownField), .unprocessableContent, "read-only id in body")
            let mistyped = try await app.request(.post, "/v1/subjects", key: key, json: #"{"external_ref":1,"full_name":"b"}"#)
            try expectProblem(.init(mistyped), .unprocessableContent, "number for a string")
            let errors = try #require(try mistyped.jsonObject()["errors"] as? [[String: String]])
            #expect(errors.first?["field"] == "external_ref")
            let missing = try await app.request(.post, "/v1/subjects", key: key, json: #"{"full_name":"b"}"#)
            try expectProblem(.init(missing), .unprocessableContent, "missing external_ref")
            let count = try await app.rowCount("subjects")
            #expect(count == 0)
        }
    }

    @Test("validation failures list every invalid field without echoing values")
    func validation() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            let response = try await app.request(.post, "/v1/subjects", key: key, json: """
                {"external_ref":" ","full_name":"ok","email":"secret-person.at.example","phone":"call me","locale":"??"}
                """)
            try expectProblem(.init(response), .unprocessableContent, "invalid fields")
            let errors = try #require(try response.jsonObject()["errors"] as? [[String: String]])
            #expect(errors.compactMap { $0["field"] } == ["external_ref", "email", "phone", "locale"])
            #expect(!response.text.contains("secret-person"))
            #expect(!response.text.contains("call me"))
        }
    }

    @Test("a body over the limit is 413 and nothing is stored")
    func tooLarge() async throws {
        try await TestApp.run(configuration: APIConfiguration(maximumBodySize: 2048)) { app in
            let key = try await app.key(.shop)
            let big = String(repeating: "x", count: 4000)
            let response = try await app.request(.post, "/v1/subjects", key: key, json: #"{"external_ref":"a","full_name":"\#(big)"}"#)
            try expectProblem(.init(response), .contentTooLarge, "4 kB body with a 2 kB limit")
            let count = try await app.rowCount("subjects")
            #expect(count == 0)
        }
    }

    @Test("SQL and JSON metacharacters are stored verbatim")
    func metacharacters() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            let nasty = #"Robert'); DROP TABLE subjects;-- \"{}[]$1 %s"#
            let body = try JSONSerialization.data(withJSONObject: ["external_ref": "x'1", "full_name": nasty])
            let created = try await app.request(.post, "/v1/subjects", key: key, json: String(decoding: body, as: UTF8.self))
            #expect(created.status == .created)
            #expect(try created.jsonObject()["full_name"] as? String == nasty)
            let found = try await app.request(.get, "/v1/subjects?external_ref=x%271", key: key)
            #expect(try #require(try found.jsonObject()["items"] as? [[String: Any]]).count == 1)
        }
    }
}

/// The parts of a test response the problem checks read.
struct TestResponseShape {
    let status: HTTPResponse.Status
    let contentType: String?
    let json: () throws -> [String: Any]

    init(_ response: TestResponse) {
        status = response.status
        contentType = response.headers[.contentType]
        json = { try response.jsonObject() }
    }
}
