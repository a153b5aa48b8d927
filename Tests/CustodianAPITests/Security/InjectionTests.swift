import CustodianCore
import CustodianTestSupport
import Foundation
import Testing

/// OWASP API8 (injection) and API3 (errors): hostile text in every string the spec declares.
@Suite("Injection: hostile strings in every member and parameter")
struct InjectionTests {
    static let placeholder = "INJECTION-PLACEHOLDER-7f3a"

    @Test("every operation with a JSON body has a valid request to start from")
    func coverage() throws {
        let withBodies = try OpenAPISpec.load().operations.filter { $0.requestSchema != nil }.map(\.id)
        #expect(Set(withBodies) == Set(ValidRequests.operationIDs))
    }

    @Test(
        "each string member stores hostile text verbatim or refuses it with a clean 4xx that changes nothing; non-UTF-8 is refused",
        arguments: ValidRequests.operationIDs)
    func bodies(operationID: String) async throws {
        let spec = try OpenAPISpec.load()
        let operation = try #require(spec.operations.first { $0.id == operationID })
        let fields = spec.stringFields(of: try #require(operation.requestSchema))
        #expect(!fields.isEmpty)
        try await TestApp.run(configuration: ValidRequests.configuration) { app in
            let requests = try await ValidRequests.prepare(app)
            var number = 0
            func next() async throws -> ValidRequest {
                number += 1
                return try await requests.request(for: operationID, number: number)
            }
            let base = try await next()
            let accepted = try await app.send(base, bytes: BodyMutation.encode(base.body))
            #expect((200..<300).contains(accepted.status.code), "the valid request: \(accepted.status) \(accepted.text.prefix(300))")

            for field in fields {
                let member = String(field.split(separator: ".").last ?? "").replacingOccurrences(of: "[]", with: "")
                for text in InjectionCorpus.texts {
                    let request = try await next()
                    let body = BodyMutation.setting(text, at: field, in: request.body)
                    let context = "\(operationID) \(field) = \(text.prefix(40))"
                    let response = try await Attempt.send(
                        app, request, bytes: BodyMutation.encode(body), sent: [text] + PersonalData.values(in: body), context: context)
                    // Stored as sent, but for the surrounding whitespace every text member loses (the spec says so).
                    if (200..<300).contains(response.status.code), let json = try? response.jsonObject(),
                       let stored = PersonalData.strings(named: member, in: json) {
                        #expect(stored.contains(text.trimmingWhitespace()), "\(context): accepted but not stored verbatim")
                    }
                }
                for (name, bytes) in InjectionCorpus.rawBytes {
                    let request = try await next()
                    let body = BodyMutation.setting(Self.placeholder, at: field, in: request.body)
                    let encoded = try BodyMutation.encode(body, replacing: Self.placeholder, with: bytes)
                    let response = try await Attempt.send(
                        app, request, bytes: encoded, sent: PersonalData.values(in: body), context: "\(operationID) \(field) = \(name)")
                    #expect((400..<500).contains(response.status.code), "\(operationID) \(field) = \(name): \(response.status)")
                }
            }
        }
    }

    @Test("hostile text in every path and query parameter gets a clean 4xx or a normal answer, never a 5xx")
    func parameters() async throws {
        let spec = try OpenAPISpec.load()
        let texts = InjectionCorpus.texts.filter { $0.count < 1000 } + [String(repeating: "Я", count: 4000)]
        let encoded = texts.map { $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
            + InjectionCorpus.rawBytes.map { $0.bytes.map { String(format: "%%%02X", $0) }.joined() }
        try await TestApp.run(configuration: ValidRequests.configuration) { app in
            let dpo = try await app.key(.dpo)
            var sent = 0
            for operation in spec.operations {
                for parameter in operation.parameters where ["path", "query"].contains(parameter["in"] as? String) {
                    guard let name = parameter["name"] as? String else { continue }
                    for value in encoded {
                        let path = spec.samplePath(operation, overriding: name, with: value)
                        let before = try await DatabaseFingerprint.take(app.database)
                        let response = try await app.request(
                            .init(operation.method)!, path, key: operation.scope == nil ? nil : dpo, json: operation.requestSchema == nil ? nil : "{}")
                        try await Attempt.check(app, response, before: before, sent: texts, context: "\(operation.id) \(name) = \(value.prefix(40))")
                        sent += 1
                    }
                }
            }
            #expect(sent > 300)
        }
    }
}
