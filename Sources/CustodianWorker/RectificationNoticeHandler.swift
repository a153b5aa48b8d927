import CustodianCore
import CustodianStore
import Foundation

/// Tells one recipient which of the subject's data it holds were corrected, and their new values (GDPR Art. 19):
/// `POST {base}/rectifications`, signed, naming the subject by the identities the recipient was given. A restricted
/// subject's notice is held; an erased subject's is failed (its erasure request supersedes it). Delivery is logged as
/// a transfer; a permanent failure, or running out of attempts, marks the notice failed for manual follow-up.
public struct RectificationNoticeHandler: JobHandler {
    public let kind = JobKind.rectificationNotice.rawValue
    public let concurrency: Int
    let notices: RectificationNoticeRepository
    let client: OutboundClient

    public static let path = "/rectifications"

    public init(database: Database, client: OutboundClient, concurrency: Int = 4) {
        self.notices = RectificationNoticeRepository(database: database)
        self.client = client
        self.concurrency = concurrency
    }

    public func run(_ job: ClaimedJob) async -> JobOutcome {
        guard let noticeID = job.payload["notice_id"].flatMap(UUID.init(uuidString:)) else {
            return .failed(reason: "the job names no notice", httpStatus: nil)
        }
        do {
            return try await notices.withDisclosureGate(noticeID: noticeID, outgoingTime: client.totalTimeout + .seconds(2)) { context, recorder in
                guard let context else { return .failed(reason: "the notice no longer exists", httpStatus: nil) }
                return try await send(job, context: context, recorder: recorder)
            }
        } catch {
            return .retry(reason: "database error: \(type(of: error))", httpStatus: nil, retryAfter: nil)
        }
    }

    func send(_ job: ClaimedJob, context: RectificationNoticeContext, recorder: RectificationNoticeRecorder) async throws -> JobOutcome {
        guard context.status == "pending" else { return .succeeded }
        switch context.subjectStatus {
        case .restricted:
            return .held(reason: "the subject is restricted: held until the restriction is lifted")
        case .erased:
            let reason = "the subject was erased: the erasure request replaces this notice"
            try await recorder.markFailed(context, reason: reason)
            return .failed(reason: reason, httpStatus: nil)
        case .active:
            break
        }
        let notice = Notice(
            noticeID: context.noticeID.uuidString.lowercased(), subjectRequestID: context.requestID.uuidString.lowercased(),
            identities: context.identities ?? [],
            corrected: Dictionary(uniqueKeysWithValues: context.corrected.map { ($0.key.rawValue, $0.value) }))
        let (outcome, _, _) = await client.post(
            to: context.target, path: Self.path, body: try JSONEncoder.canonical.encode(notice), webhookID: "msg_job\(job.id)_rectification")
        switch outcome {
        case .succeeded:
            try await recorder.markDelivered(context, jobID: job.id)
        case .failed(let reason, _):
            try await recorder.markFailed(context, reason: "the recipient refused the notice: \(reason)")
        case .retry(let reason, _, _):
            if job.isLastAttempt { try await recorder.markFailed(context, reason: "the recipient could not be reached, no attempts left: \(reason)") }
        case .held:
            break
        }
        return outcome
    }

    /// The notice's wire format.
    struct Notice: Encodable {
        let type = "subject.rectified"
        let noticeID: String
        let subjectRequestID: String
        let identities: [OpenDSRIdentity]
        let corrected: [String: String]

        enum CodingKeys: String, CodingKey {
            case type, identities, corrected
            case noticeID = "notice_id"
            case subjectRequestID = "subject_request_id"
        }
    }
}
