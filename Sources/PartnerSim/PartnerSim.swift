import CustodianCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// A simulated e-mail provider and courier (and, as the worker grows, erasure recipient) on 127.0.0.1 for tests and
/// the demo. It verifies Standard Webhooks signatures, deduplicates by `webhook-id`, records what it received, and
/// injects faults on request.
///
/// Endpoints: `POST /email/suppressions`, `POST /email/messages`, `POST /courier/shipments` (answers a
/// `tracking_reference`); `GET /_received` (what was accepted, duplicates and
/// rejected signatures); `POST /_faults` (`{"endpoint": "/email/messages", "status": 503, "count": 2,
/// "retry_after_seconds": 1}`).
public enum PartnerSim {
    /// The endpoints that play a partner.
    public static let partnerEndpoints = ["/email/suppressions", "/email/messages", "/courier/shipments"]

    public static func build(
        host: String = "127.0.0.1", port: Int, secret: StandardWebhooksSecret,
        onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }, logger: Logger
    ) -> some ApplicationProtocol {
        let state = PartnerSimState()
        let router = Router()
        for endpoint in partnerEndpoints {
            router.post(RouterPath(stringLiteral: endpoint)) { request, context -> Response in
                try await receive(request, endpoint: endpoint, secret: secret, state: state)
            }
        }
        router.get("/_received") { _, _ -> Response in
            let snapshot = state.snapshot()
            let report = ReceivedReport(received: snapshot.received, duplicates: snapshot.duplicates, rejectedSignatures: snapshot.rejectedSignatures)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(report))))
        }
        router.post("/_faults") { request, context -> Response in
            let fault = try await request.decode(as: InjectedFault.self, context: context)
            state.inject(fault)
            return Response(status: .noContent)
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "partner-sim"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }

    private static func receive(_ request: Request, endpoint: String, secret: StandardWebhooksSecret, state: PartnerSimState) async throws -> Response {
        var request = request
        let body = Data(buffer: try await request.collectBody(upTo: 1 << 20))
        let headers = request.headers
        guard let id = headers[HTTPField.Name("webhook-id")!], let timestamp = headers[HTTPField.Name("webhook-timestamp")!],
              let signature = headers[HTTPField.Name("webhook-signature")!],
              (try? secret.verify(id: id, timestamp: timestamp, signatures: signature, body: body)) != nil
        else {
            state.rejectSignature()
            return Response(status: .unauthorized)
        }
        if let fault = state.takeFault(for: endpoint) {
            var responseHeaders: HTTPFields = [:]
            if let seconds = fault.retryAfterSeconds { responseHeaders[.retryAfter] = String(seconds) }
            return Response(status: .init(code: fault.status), headers: responseHeaders)
        }
        guard let fields = try? JSONDecoder().decode([String: JSONValue].self, from: body) else { return Response(status: .badRequest) }
        _ = state.accept(ReceivedMessage(
            endpoint: endpoint, webhookID: id, idempotencyKey: headers[HTTPField.Name("Idempotency-Key")!],
            authorization: headers[.authorization], body: fields))
        // Couriers answer with a tracking number derived from the message, so a repeated delivery gets the same one.
        let answer = endpoint == "/courier/shipments" ? #"{"tracking_reference":"SIM-\#(abs(id.hashValue) % 1_000_000_000)"}"# : #"{"status":"ok"}"#
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer)))
    }
}

/// The body of `GET /_received`.
public struct ReceivedReport: Codable, Sendable {
    public let received: [ReceivedMessage]
    public let duplicates: Int
    public let rejectedSignatures: Int
}
