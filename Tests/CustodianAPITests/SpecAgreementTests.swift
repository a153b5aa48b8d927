@testable import CustodianAPI
import Foundation
import HTTPTypes
import Testing

@Suite("The spec and the server agree")
struct SpecAgreementTests {
    @Test("every operation's security requirement matches the scope the server enforces")
    func scopes() throws {
        let operations = try OpenAPISpec.load().operations
        #expect(operations.count >= 45)
        for operation in operations {
            #expect(OperationScopes.required(for: operation.id)?.rawValue == operation.scope, "\(operation.id)")
        }
    }

    @Test("the spec reader understands the whole spec: every reference resolves, and no schema is composed")
    func specReadable() throws {
        let spec = try OpenAPISpec.load()
        #expect(spec.unresolvedReferences.isEmpty, "\(spec.unresolvedReferences)")
        let text = try String(contentsOfFile: SpecFile.path, encoding: .utf8)
        for keyword in ["oneOf:", "anyOf:", "allOf:"] {
            #expect(!text.contains(keyword), "OpenAPISpec.stringFields must learn \(keyword) first")
        }
    }

    @Test("every response declares X-Request-Id, every 429 and 503 a required Retry-After; the server sends them")
    func declaredHeaders() async throws {
        let spec = try OpenAPISpec.load()
        let paths = try #require(spec.document["paths"] as? [String: [String: Any]])
        for (path, item) in paths {
            for (method, operation) in item {
                for (status, response) in (operation as? [String: Any])?["responses"] as? [String: Any] ?? [:] {
                    let headers = spec.resolve(response)?["headers"] as? [String: Any] ?? [:]
                    #expect(headers["X-Request-Id"] != nil, "\(method) \(path) \(status)")
                    if status == "429" || status == "503" {
                        #expect(headers["Retry-After"].flatMap { spec.resolve($0) }?["required"] as? Bool == true, "\(method) \(path) \(status)")
                    }
                }
            }
        }
        try await TestApp.run { app in
            let response = try await app.request(.get, "/v1/subjects/\(UUID())", key: try await app.key(.dpo))
            #expect(response.status == .notFound && response.headers[HTTPField.Name("X-Request-Id")!] != nil)
        }
    }

    @Test("a shop key gets 403 on every dpo-only operation in the spec, and changes nothing")
    func shopForbiddenOnDPOOperations() async throws {
        let spec = try OpenAPISpec.load()
        let dpoOnly = spec.operations.filter { $0.scope == "dpo" }
        #expect(dpoOnly.count >= 25)
        try await TestApp.run { app in
            let shop = try await app.key(.shop)
            let before = try await DatabaseFingerprint.take(app.database)
            for operation in dpoOnly {
                let body = operation.requestSchema == nil ? nil : "{}"
                let response = try await app.request(.init(operation.method)!, spec.samplePath(operation), key: shop, json: body)
                #expect(response.status == .forbidden, "\(operation.id) \(operation.method) \(spec.samplePath(operation))")
                #expect(response.headers[.contentType] == "application/problem+json", "\(operation.id)")
            }
            #expect(try await DatabaseFingerprint.take(app.database) == before)
        }
    }
}
