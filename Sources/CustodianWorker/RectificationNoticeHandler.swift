import CustodianCore
import CustodianQueue
import CustodianStore
import Foundation

/// Tells one recipient which of the subject's data it holds were corrected, and their new values (GDPR Art. 19):
/// `POST {base}/rectifications`, signed, naming the subject by the identities the recipient was given. A restricted
/// subject's notice is held; an erased subject's is failed (its erasure request supersedes it). Like every disclosure
/// it is recorded in flight by a short transaction and the call holds no connection. Delivery is logged as a
/// transfer; a permanent failure, or running out of attempts, marks the notice failed for manual follow-up.
public struct RectificationNoticeHandler: JobHandler {
    public typealias Kind = RectificationNoticeJob
    public let concurrency: Int
    let notices: RectificationNoticeRepository
    let client: OutboundClient

    public static let path = "/rectifications"

    public init(database: Database, client: OutboundClient, concurrency: Int = Kind.defaultConcurrency) {
        self.notices = RectificationNoticeRepository(database: database)
        self.client = client
        self.concurrency = concurrency
    }

    public func run(_ job: Job<Kind>) async -> JobOutcome {
        await DisclosureStart<RectificationNoticeContext>.run(missing: "the notice no longer exists") {
            try await notices.startNotice(noticeID: job.payload.noticeID, jobID: job.id)
        } send: { context in
            await send(job, context: context)
        }
    }

    /// Sends the notice, holding no database connection, then records the outcome.
    func send(_ job: Job<Kind>, context: RectificationNoticeContext) async -> JobOutcome {
        let notice = Notice(
            noticeID: context.noticeID.uuidString.lowercased(), subjectRequestID: context.requestID.uuidString.lowercased(),
            identities: context.identities ?? [],
            corrected: Dictionary(uniqueKeysWithValues: context.corrected.map { ($0.key.rawValue, $0.value) }))
        guard let body = try? JSONEncoder.canonical.encode(notice) else { return .failed(reason: "the notice could not be encoded", httpStatus: nil) }
        return await client.sendNotice(
            body, to: context.target, path: Self.path, webhookID: "msg_job\(job.id)_rectification", lastAttempt: job.isLastAttempt
        ) { outcome in
            try await notices.finishNotice(context, jobID: job.id, outcome: outcome)
        }
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
