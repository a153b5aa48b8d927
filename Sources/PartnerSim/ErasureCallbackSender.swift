import AsyncHTTPClient
import CustodianCore
import Foundation
import Logging
import NIOCore

/// Plays a recipient that erases asynchronously: after a delay it POSTs a signed OpenDSR `completed` callback to the
/// URL the erasure request named, retrying a few times while Custodian does not answer 2xx.
struct ErasureCallbackSender: Sendable {
    let secret: StandardWebhooksSecret
    let state: PartnerSimState
    let logger: Logger

    func send(subjectRequestID: String, to url: String, after delay: Duration) {
        Task {
            try? await Task.sleep(for: delay)
            let body = Data("""
                {"controller_id":"custodian","subject_request_id":"\(subjectRequestID)","request_status":"completed",\
                "expected_completion_time":"\(RFC3339.string(from: Date()))","status_callback_url":"\(url)"}
                """.utf8)
            let webhookID = "msg_cb_\(subjectRequestID)_completed"
            var status: Int?
            for attempt in 1...5 {
                status = await post(body, webhookID: webhookID, to: url)
                if let status, (200..<300).contains(status) { break }
                try? await Task.sleep(for: .milliseconds(200 * attempt))
            }
            state.recordCallback(SentCallback(subjectRequestID: subjectRequestID, url: url, httpStatus: status))
        }
    }

    private func post(_ body: Data, webhookID: String, to url: String) async -> Int? {
        let timestamp = Int64(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "webhook-id", value: webhookID)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature", value: secret.signature(id: webhookID, timestamp: timestamp, body: body))
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 16)
            return Int(response.status.code)
        } catch {
            logger.warning("erasure callback failed", metadata: ["error.type": "\(type(of: error))"])
            return nil
        }
    }
}
