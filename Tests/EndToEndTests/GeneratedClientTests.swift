import CustodianCore
import CustodianOpenAPI
import CustodianStore
import Foundation
import HTTPTypes
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime
import Testing

/// The Swift client swift-openapi-generator makes from openapi.yaml (client mode, over AsyncHTTPClient), against the
/// real server on 127.0.0.1: the whole tour with no hand-written HTTP, every answer decoded by the generated types.
@Suite("End to end: the generated Swift client")
struct GeneratedClientTests {
    /// Sends an API key as a bearer token.
    struct BearerToken: ClientMiddleware {
        let token: String

        func intercept(
            _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
            next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
        ) async throws -> (HTTPResponse, HTTPBody?) {
            var request = request
            request.headerFields[.authorization] = "Bearer \(token)"
            return try await next(request, body, baseURL)
        }
    }

    static func client(_ stack: EndToEndStack, key: String) throws -> Client {
        Client(
            serverURL: try #require(URL(string: "http://127.0.0.1:\(stack.apiPort)")),
            configuration: Configuration(dateTranscoder: .iso8601WithFractionalSeconds),
            transport: AsyncHTTPClientTransport(), middlewares: [BearerToken(token: key)])
    }

    /// Calls `read` until `done` holds of its answer (at most 30 s); the last answer.
    static func poll<Answer: Sendable>(_ read: () async throws -> Answer, until done: (Answer) -> Bool) async throws -> Answer {
        var answer = try await read()
        for _ in 0..<300 where !done(answer) {
            try await Task.sleep(for: .milliseconds(100))
            answer = try await read()
        }
        return answer
    }

    @Test("subject, consents, order, shipment, access request with its export, erasure with its cascade")
    func tour() async throws {
        try await EndToEndStack.run { stack in
            let keys = APIKeyRepository(database: stack.database)
            let dpo = try Self.client(stack, key: try await keys.create(name: "dpo", scope: .dpo).secret.token)
            let shop = try Self.client(stack, key: try await keys.create(name: "shop", scope: .shop).secret.token)
            let since = try #require(RFC3339.date(from: "2025-09-01T00:00:00Z"))

            // The DPO's setup: PartnerSim as courier and e-mail provider, a policy version and a consent text.
            for (code, kind, categories) in [
                ("sim-courier", Components.Schemas.RecipientKind.courier, [Components.Schemas.DataCategory.fullName, .phone, .deliveryAddress]),
                ("sim-mail", .emailProvider, [.fullName, .email]),
            ] {
                let created = try await dpo.createRecipient(body: .json(.init(
                    code: code, name: "PartnerSim", kind: kind, baseUrl: "http://127.0.0.1:\(stack.simPort)",
                    signingSecret: EndToEndStack.secret.text, country: "RU", countryAdequate: true, dataCategories: categories
                ))).created.body.json
                #expect(created.recipient.code == code && created.recipient.active)
            }
            let sha = String(repeating: "c", count: 64)
            let policy = try await dpo.createPolicyVersion(body: .json(.init(
                label: "swift-1", url: "https://shop.example/privacy", textSha256: sha, effectiveAt: since))).created.body.json
            let text = try await dpo.createConsentText(body: .json(.init(
                label: "swift-consent-1", url: "https://shop.example/consent", textSha256: sha, effectiveAt: since, purposes: ["newsletter"]
            ))).created.body.json

            // The shop: a customer, her consent, an order and its hand-over to the courier.
            let email = "swift.client@example.com"
            let subject = try await shop.createSubject(
                headers: .init(idempotencyKey: "swift-subject-1"),
                body: .json(.init(externalRef: "swift-1", fullName: "Анна Клиентова", email: email, phone: "8 916 555-01-01"))
            ).created.body.json
            #expect(subject.status == .active && subject.phone == "+79165550101")
            let event = try await shop.recordConsentEvent(
                path: .init(subjectId: subject.id),
                body: .json(.init(purpose: "newsletter", action: .grant, policyVersion: policy.label, consentText: text.label, channel: .webForm,
                                  evidence: .init(ipAddress: "203.0.113.9")))
            ).created.body.json
            #expect(event.evidence.ipAddress == "203.0.113.0")
            let consents = try await shop.getConsents(path: .init(subjectId: subject.id)).ok.body.json
            #expect(consents.current.first { $0.purpose == "newsletter" }?.state == .granted)
            let order = try await shop.createOrder(body: .json(.init(
                subjectId: subject.id, externalRef: "swift-o-1", items: [.init(sku: "MUG", name: "Mug", quantity: 2, unitPriceMinor: 450)],
                totalMinor: 900, currency: "RUB",
                delivery: .init(recipientName: "Анна Клиентова", phone: "+79165550101", addressLines: ["Тверская, 1"], city: "Москва", country: "RU")
            ))).created.body.json
            let shipment = try await shop.createShipment(path: .init(orderId: order.id), body: .json(.init(courier: "sim-courier"))).created.body.json
            let sent = try await Self.poll({
                try await shop.getShipment(path: .init(orderId: order.id, shipmentId: shipment.id)).ok.body.json
            }, until: { $0.status != .pending })
            #expect(sent.status == .sent && sent.trackingReference != nil)

            // The DPO: an access request and its export.
            let access = try await dpo.createSubjectRequest(body: .json(.init(
                email: email, kind: .access, regime: .fz152, channel: .email, receivedAt: Date()))).created.body.json
            #expect(access.subjectId == subject.id && access.status == .received)
            _ = try await dpo.fulfilSubjectRequest(path: .init(requestId: access.id)).ok.body.json
            let export = try await dpo.getSubjectRequestExport(path: .init(requestId: access.id)).ok.body.json
            #expect(export.subject.email == email && export.orders.map(\.externalRef) == ["swift-o-1"])
            #expect(export.transfers.contains { $0.recipient == "sim-courier" })

            // The DPO: erasure, confirmed by both recipients.
            let erasure = try await dpo.createSubjectRequest(body: .json(.init(
                subjectId: subject.id, kind: .erasure, regime: .fz152, ground: .consentWithdrawn, channel: .email, receivedAt: Date()
            ))).created.body.json
            _ = try await dpo.fulfilSubjectRequest(path: .init(requestId: erasure.id)).ok.body.json
            let done = try await Self.poll({
                try await dpo.getSubjectRequest(path: .init(requestId: erasure.id)).ok.body.json
            }, until: { $0.status != .inProgress })
            #expect(done.status == .completed && done.erasureCascade?.status == .completed)
            #expect(done.destructionRecord?.ordersDepersonalised == 1)
            let erased = try await dpo.getSubject(path: .init(subjectId: subject.id)).ok.body.json
            #expect(erased.status == .erased && erased.fullName == nil && erased.email == nil)
            let found = try await shop.listSubjects(query: .init(email: email)).ok.body.json
            #expect(found.items.isEmpty)
        }
    }
}
