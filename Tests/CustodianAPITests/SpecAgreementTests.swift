@testable import CustodianAPI
import Foundation
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
