import CustodianCore
import CustodianQueue
import CustodianStore
import Foundation

/// Sends one recipient its part of an erasure cascade: an OpenDSR 2.0 erasure request (`POST {base}/opendsr/requests`)
/// naming only the identities that recipient holds, with Custodian's callback URL. 200 or 204 completes the request;
/// 202 leaves it awaiting the recipient's signed callback; a permanent failure, or running out of attempts, marks it
/// failed for manual follow-up. A recipient without an API gets a DPO task instead (``ManualTaskRepository``).
public struct ErasureRequestHandler: JobHandler {
    public typealias Kind = ErasureRequestJob
    public let concurrency: Int
    let deliveries: ErasureDeliveryRepository
    let client: OutboundClient
    /// Where recipients report progress: Custodian's public `…/v1/callbacks/erasure`.
    let callbackURL: String

    public static let path = "/opendsr/requests"

    public init(database: Database, client: OutboundClient, callbackURL: String, concurrency: Int = Kind.defaultConcurrency) {
        self.deliveries = ErasureDeliveryRepository(database: database)
        self.client = client
        self.callbackURL = callbackURL
        self.concurrency = concurrency
    }

    public func run(_ job: Job<Kind>) async -> JobOutcome {
        do {
            guard let context = try await deliveries.context(requestID: job.payload.erasureRequestID)
            else { return .failed(reason: "the erasure request no longer exists", httpStatus: nil) }
            guard context.status == .pending else { return .succeeded }
            guard let identities = context.identities else {
                return .failed(reason: "the erasure request has no identities left to send", httpStatus: nil)
            }
            if context.manual {
                try await deliveries.delegate(context)
                return .succeeded
            }
            let request = OpenDSRErasureRequest(
                regulation: context.regulation, subjectRequestID: context.requestID, submittedAt: context.submittedAt,
                identities: identities, callbackURL: callbackURL)
            let (outcome, status, answer) = await client.post(
                to: context.target, path: Self.path, body: try JSONEncoder.canonical.encode(request), webhookID: "msg_job\(job.id)_erasure")
            switch outcome {
            case .succeeded:
                let accepted = status == 202
                let expected = (try? JSONDecoder().decode(Acknowledgement.self, from: answer))?.expectedCompletionTime.flatMap(RFC3339.date(from:))
                try await deliveries.markDelivered(context, accepted: accepted, expectedCompletionAt: expected, jobID: job.id)
                return .succeeded
            case .failed(let reason, _):
                try await deliveries.markFailed(context, reason: "the recipient refused the erasure request: \(reason)", jobID: job.id)
                return outcome
            case .retry(let reason, _, _):
                if job.isLastAttempt {
                    try await deliveries.markFailed(context, reason: "no attempts left: \(reason)", jobID: job.id)
                }
                return outcome
            case .held:
                return outcome
            }
        } catch {
            return .retry(reason: "database error: \(type(of: error))", httpStatus: nil, retryAfter: nil)
        }
    }

    /// The part of a recipient's acknowledgement Custodian keeps.
    struct Acknowledgement: Decodable {
        let expectedCompletionTime: String?

        enum CodingKeys: String, CodingKey {
            case expectedCompletionTime = "expected_completion_time"
        }
    }
}
