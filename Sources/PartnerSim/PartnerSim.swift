import AsyncHTTPClient
import CustodianCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A simulated e-mail provider, courier and erasure recipient on 127.0.0.1 for tests and the demo. It verifies
/// Standard Webhooks signatures, deduplicates by `webhook-id`, records what it received, and injects faults on request.
///
/// Endpoints: `POST /email/suppressions`, `POST /email/messages`, `POST /courier/shipments` (answers a
/// `tracking_reference`), `POST /rectifications` (rectification notices), `POST /consent-changes` (consent.changed webhooks), `POST /restrictions` (restriction notices), `POST /opendsr/requests` (OpenDSR erasure requests: 200, or 202 and a signed callback when
/// so configured); `GET /_received` (what was accepted, duplicates, rejected signatures and callbacks sent);
/// `POST /_faults` (a ``PartnerFault``, for example `{"endpoint": "/email/messages", "status": 503, "count": 2,
/// "retry_after_seconds": 1}` or `{"endpoint": "/opendsr/requests", "callback_after_ms": 500}`).
public enum PartnerSim {
    /// The endpoints that play a partner.
    public static let partnerEndpoints = ["/email/suppressions", "/email/messages", "/courier/shipments", erasureEndpoint, "/rectifications", "/consent-changes", "/restrictions"]
    public static let erasureEndpoint = "/opendsr/requests"

    public static func build(
        host: String = "127.0.0.1", port: Int, secret: StandardWebhooksSecret,
        onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }, logger: Logger
    ) -> some ApplicationProtocol {
        let state = PartnerSimState()
        let callbacks = ErasureCallbackSender(secret: secret, state: state, logger: logger)
        let router = Router()
        for endpoint in partnerEndpoints {
            router.post(RouterPath(stringLiteral: endpoint)) { request, _ -> Response in
                try await receive(request, endpoint: endpoint, secret: secret, state: state, callbacks: callbacks)
            }
        }
        router.get("/_received") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(state.snapshot()))))
        }
        router.post("/_faults") { request, context -> Response in
            state.inject(try await request.decode(as: PartnerFault.self, context: context))
            return Response(status: .noContent)
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "partner-sim"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }

    private static func receive(
        _ request: Request, endpoint: String, secret: StandardWebhooksSecret, state: PartnerSimState, callbacks: ErasureCallbackSender
    ) async throws -> Response {
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
        let fault = state.decideFault(for: endpoint)
        if fault.latencyMilliseconds > 0 { try await Task.sleep(for: .milliseconds(fault.latencyMilliseconds)) }
        switch fault.decision {
        case .hang:
            // Keep the connection open without answering until the client gives up. The handler is not told when the
            // client goes away, so it ends on the server's graceful shutdown, and after two minutes at most.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(120)) }
            return Response(status: .serviceUnavailable)
        case .answer(let status, let retryAfter):
            var responseHeaders: HTTPFields = [:]
            if let retryAfter { responseHeaders[.retryAfter] = String(retryAfter) }
            return Response(status: .init(code: status), headers: responseHeaders)
        case .redirect(let location):
            return Response(status: .temporaryRedirect, headers: [.location: location])
        case .proceed:
            break
        }
        guard let fields = try? JSONDecoder().decode([String: JSONValue].self, from: body) else { return Response(status: .badRequest) }
        let first = state.accept(ReceivedMessage(
            endpoint: endpoint, webhookID: id, idempotencyKey: headers[HTTPField.Name("Idempotency-Key")!],
            authorization: headers[.authorization], body: fields))
        switch endpoint {
        case "/courier/shipments":
            // A tracking number derived from the message, so a repeated delivery gets the same one.
            return json(.ok, #"{"tracking_reference":"SIM-\#(abs(id.hashValue) % 1_000_000_000)"}"#)
        case erasureEndpoint:
            guard let delay = fault.callbackAfterMilliseconds else { return json(.ok, #"{"request_status":"completed"}"#) }
            if first, case .string(let requestID) = fields["subject_request_id"],
               case .array(let urls) = fields["status_callback_urls"], case .string(let url) = urls.first {
                callbacks.send(subjectRequestID: requestID, to: url, after: .milliseconds(delay))
            }
            let expected = RFC3339.string(from: Date().addingTimeInterval(Double(delay) / 1000))
            return json(.accepted, #"{"request_status":"pending","expected_completion_time":"\#(expected)"}"#)
        default:
            return json(.ok, #"{"status":"ok"}"#)
        }
    }

    private static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// The body of `GET /_received`.
public struct ReceivedReport: Codable, Sendable {
    public let received: [ReceivedMessage]
    public let duplicates: Int
    public let rejectedSignatures: Int
    public let callbacks: [SentCallback]
}
