import CustodianCore
import CustodianTestSupport
import Foundation
import HummingbirdTesting
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
        "each string member stores hostile text verbatim or refuses it with a 422 naming it that changes nothing; non-UTF-8 is refused",
        arguments: ValidRequests.operationIDs)
    func bodies(operationID: String) async throws {
        let spec = try OpenAPISpec.load()
        let operation = try #require(spec.operations.first { $0.id == operationID })
        let fields = spec.stringFields(of: try #require(operation.requestSchema))
        #expect(!fields.isEmpty)
        try await TestApp.run(configuration: ValidRequests.configuration) { app in
            let requests = try await ValidRequests.prepare(app)
            var number = 0
            func next(for field: String) async throws -> ValidRequest {
                number += 1
                var request = try await requests.request(for: operationID, number: number)
                request.body = ValidRequests.prepared(request.body, for: operationID, member: field)
                return request
            }
            for stringField in fields {
                let field = stringField.path
                // The base made fit for this member is accepted, so a refusal below is the hostile value's doing.
                let base = try await next(for: field)
                let accepted = try await app.send(base, bytes: BodyMutation.encode(base.body))
                #expect((200..<300).contains(accepted.status.code), "\(operationID) \(field) base: \(accepted.status) \(accepted.text.prefix(300))")
                for text in InjectionCorpus.texts {
                    let request = try await next(for: field)
                    let body = BodyMutation.setting(text, at: field, in: request.body)
                    let context = "\(operationID) \(field) = \(text.prefix(40))"
                    let response = try await Attempt.send(
                        app, request, bytes: BodyMutation.encode(body), sent: [text] + PersonalData.values(in: body), context: context)
                    if (200..<300).contains(response.status.code) {
                        Self.expectStored(text, field: field, of: operationID, in: response.text, context: context)
                    } else {
                        Self.expectNamed(stringField, in: response, context: context)
                    }
                }
                for (name, bytes) in InjectionCorpus.rawBytes {
                    let request = try await next(for: field)
                    let body = BodyMutation.setting(Self.placeholder, at: field, in: request.body)
                    let encoded = try BodyMutation.encode(body, replacing: Self.placeholder, with: bytes)
                    let response = try await Attempt.send(
                        app, request, bytes: encoded, sent: PersonalData.values(in: body), context: "\(operationID) \(field) = \(name)")
                    #expect((400..<500).contains(response.status.code), "\(operationID) \(field) = \(name): \(response.status)")
                }
            }
        }
    }

    /// An accepted value comes back as sent (less surrounding whitespace, as the spec says), unless the member is one
    /// no response repeats.
    static func expectStored(_ text: String, field: String, of operationID: String, in responseText: String, context: String) {
        let key = "\(operationID) \(field)"
        guard ValidRequests.notEchoed[key] == nil else { return }
        let member = ValidRequests.echoedAs[key] ?? String(field.split(separator: ".").last ?? "").replacingOccurrences(of: "[]", with: "")
        let json = try? JSONSerialization.jsonObject(with: Data(responseText.utf8))
        guard let values = json.flatMap({ PersonalData.strings(named: member, in: $0) }) else {
            // Blank text in an optional member is read as leaving it out.
            if !text.trimmingWhitespace().isEmpty { Issue.record("\(context): accepted, but the response has no \(member) to compare") }
            return
        }
        #expect(values.contains(text.trimmingWhitespace()), "\(context): accepted but not stored verbatim")
    }

    /// A refusal of a hostile text is a 422 whose `errors` name the member (or the object or array holding it); a
    /// date-time is named only as `body` (the date decoder is not told which member it reads).
    static func expectNamed(_ field: OpenAPISpec.StringField, in response: TestResponse, context: String) {
        let path = field.format == "date-time" ? "body" : field.path.replacingOccurrences(of: "[]", with: "")
        let named = response.errorFields.map { name in
            name.split(separator: ".").filter { !$0.allSatisfy(\.isNumber) }.joined(separator: ".")
        }
        let matches = named.contains { $0 == path || path.hasPrefix($0 + ".") }
        #expect(response.status == .unprocessableContent && matches, "\(context): \(response.status) naming \(named)")
    }

    @Test("hostile text in every path and query parameter gets a clean 4xx or a normal answer, never a 5xx")
    func parameters() async throws {
        let spec = try OpenAPISpec.load()
        let texts = InjectionCorpus.texts.filter { $0.count < 1000 } + [String(repeating: "Я", count: 4000)]
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let encoded = texts.map { $0.addingPercentEncoding(withAllowedCharacters: unreserved)! }
            + InjectionCorpus.rawBytes.map { $0.bytes.map { String(format: "%%%02X", $0) }.joined() }
        try await TestApp.run(configuration: ValidRequests.configuration) { app in
            let requests = try await ValidRequests.prepare(app)
            var sent = 0
            for operation in spec.operations {
                for parameter in operation.parameters where ["path", "query"].contains(parameter["in"] as? String) {
                    guard let name = parameter["name"] as? String else { continue }
                    for value in encoded {
                        // A valid body, so the parameter is what the server has to deal with.
                        let body = operation.requestSchema == nil
                            ? nil : try await requests.request(for: operation.id, number: 2_000_000 + sent).body
                        let path = spec.samplePath(operation, overriding: name, with: value)
                        let before = try await DatabaseFingerprint.take(app.database)
                        let response = try await app.request(
                            .init(operation.method)!, path, key: operation.scope == nil ? nil : requests.dpo,
                            json: try body.map { String(decoding: try BodyMutation.encode($0), as: UTF8.self) })
                        try await Attempt.check(app, response, before: before, sent: texts, context: "\(operation.id) \(name) = \(value.prefix(40))")
                        sent += 1
                    }
                }
            }
            #expect(sent > 300)
        }
    }
}
