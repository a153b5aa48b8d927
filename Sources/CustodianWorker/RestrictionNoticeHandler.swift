import CustodianCore
import CustodianQueue
import CustodianStore
import Foundation

/// Tells one recipient that processing of a subject's data is restricted, or that the restriction is lifted (GDPR
/// Art. 19): `POST {base}/restrictions`, signed, naming the subject by the identities the recipient holds. Not a new
/// disclosure, so it goes to any recipient in any country; the delivery is logged as a transfer, and a recipient
/// without an API gets a DPO task instead.
public struct RestrictionNoticeHandler: JobHandler {
    public typealias Kind = RestrictionNoticeJob
    public let concurrency: Int
    let notices: RestrictionNoticeRepository
    let client: OutboundClient

    public static let path = "/restrictions"

    public init(database: Database, client: OutboundClient, concurrency: Int = Kind.defaultConcurrency) {
        self.notices = RestrictionNoticeRepository(database: database)
        self.client = client
        self.concurrency = concurrency
    }

    public func run(_ job: Job<Kind>) async -> JobOutcome {
        await DisclosureStart<RestrictionNoticeContext>.run(missing: "the notice no longer exists") {
            try await notices.startNotice(noticeID: job.payload.noticeID, jobID: job.id)
        } send: { context in
            await send(job, context: context)
        }
    }

    /// Sends the notice, holding no database connection, then records the outcome.
    func send(_ job: Job<Kind>, context: RestrictionNoticeContext) async -> JobOutcome {
        let notice = Notice(
            type: context.action == .restricted ? "subject.restricted" : "subject.restriction_lifted",
            noticeID: context.noticeID.uuidString.lowercased(), identities: context.identities,
            occurredAt: RFC3339.string(from: context.occurredAt))
        guard let body = try? JSONEncoder.canonical.encode(notice) else { return .failed(reason: "the notice could not be encoded", httpStatus: nil) }
        return await client.sendNotice(
            body, to: context.target, path: Self.path, webhookID: "msg_job\(job.id)_restriction", lastAttempt: job.isLastAttempt
        ) { outcome in
            try await notices.finishNotice(context, jobID: job.id, outcome: outcome)
        }
    }

    /// The notice's wire format.
    struct Notice: Encodable {
        let type: String
        let noticeID: String
        let identities: [OpenDSRIdentity]
        let occurredAt: String

        enum CodingKeys: String, CodingKey {
            case type, identities
            case noticeID = "notice_id"
            case occurredAt = "occurred_at"
        }
    }
}
