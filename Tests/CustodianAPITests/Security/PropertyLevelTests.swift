import CustodianTestSupport
import Foundation
import Testing

/// OWASP API3 (broken object property level authorisation): a client cannot set what the server owns.
@Suite("Property level: unknown and server-owned members")
struct PropertyLevelTests {
    /// Bodies the spec leaves open on purpose: a recipient's OpenDSR callback may carry members of later versions.
    static let openBodies: Set = ["receiveErasureCallback"]

    @Test("every JSON body schema but the recipients' callback refuses members it does not declare")
    func closedSchemas() throws {
        for operation in try OpenAPISpec.load().operations {
            guard let schema = operation.requestSchema, !Self.openBodies.contains(operation.id) else { continue }
            #expect(schema["additionalProperties"] as? Bool == false, "\(operation.id)")
        }
    }

    @Test("no response schema is closed, so a member added under /v1 breaks no strict client")
    func openResponses() throws {
        let spec = try OpenAPISpec.load()
        for operation in spec.operations {
            var closed: [String] = []
            var seen: Set<String> = []
            func walk(_ node: Any, _ path: String) {
                if let object = node as? [String: Any] {
                    if let reference = object["$ref"] as? String {
                        if seen.insert(reference).inserted, let target = spec.resolve(object) { walk(target, reference) }
                        return
                    }
                    if object["additionalProperties"] as? Bool == false { closed.append(path) }
                    for (key, value) in object { walk(value, path + "/" + key) }
                } else if let array = node as? [Any] {
                    for item in array { walk(item, path) }
                }
            }
            if let schema = operation.successSchema { walk(schema, operation.id) }
            #expect(closed.isEmpty, "\(operation.id): \(closed)")
        }
    }

    @Test(
        "ids, status, timestamps and other members only the server sets, and unknown members, are refused with 422 and change nothing",
        arguments: ValidRequests.operationIDs.filter { !PropertyLevelTests.openBodies.contains($0) })
    func serverOwnedMembers(operationID: String) async throws {
        let spec = try OpenAPISpec.load()
        let operation = try #require(spec.operations.first { $0.id == operationID })
        let settable = spec.propertyNames(of: operation.requestSchema)
        var returned = spec.propertyNames(of: operation.successSchema)
        // A response that wraps the resource (`{"recipient": {…}, …}`) returns the resource's members too.
        for name in returned {
            let member = (operation.successSchema?["properties"] as? [String: Any])?[name]
            returned.formUnion(spec.propertyNames(of: member.flatMap { spec.resolve($0) }))
        }
        let serverOwned = returned.union(["id", "status", "created_at", "updated_at"]).subtracting(settable)
        try await TestApp.run(configuration: ValidRequests.configuration) { app in
            let requests = try await ValidRequests.prepare(app)
            let base = try await requests.request(for: operationID, number: 1)
            let accepted = try await app.send(base, bytes: BodyMutation.encode(base.body))
            #expect((200..<300).contains(accepted.status.code), "the valid request: \(accepted.status) \(accepted.text.prefix(300))")
            let existing = try accepted.jsonObject()
            for (number, member) in (serverOwned.sorted() + ["unexpected_member"]).enumerated() {
                let request = try await requests.request(for: operationID, number: number + 2)
                var body = request.body
                // The value a real resource has, so only the member's name can be the reason for refusing it.
                body[member] = Self.value(named: member, in: existing) ?? "x"
                let response = try await Attempt.send(
                    app, request, bytes: BodyMutation.encode(body), sent: PersonalData.values(in: body), context: "\(operationID) + \(member)")
                let named = response.errorFields
                #expect(response.status == .unprocessableContent && named.contains(member), "\(operationID) + \(member): \(response.status) naming \(named)")
            }
        }
    }

    /// The first non-null value of a member called `name` in a response, at the top or one object down.
    static func value(named name: String, in object: [String: Any]) -> Any? {
        if let value = object[name], !(value is NSNull) { return value }
        return object.values.lazy.compactMap { ($0 as? [String: Any])?[name] }.first { !($0 is NSNull) }
    }
}
