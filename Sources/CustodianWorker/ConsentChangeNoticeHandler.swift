import CustodianCore
import CustodianQueue
import CustodianStore
import Foundation

/// Tells one recipient that a subject granted or withdrew a purpose it processes for: `POST {base}/consent-changes`,
/// a signed `consent.changed` webhook carrying the recipient's pseudonym of the subject, the purpose, the state and
/// when it changed — no name, e-mail or phone. Recipients order changes by `occurred_at`. A grant is a new
/// disclosure (held while the subject is restricted, refused across a border without consent); a withdrawal always
/// goes. Delivery is logged as a transfer; the call holds no database connection.
public struct ConsentChangeNoticeHandler: JobHandler {
    public typealias Kind = ConsentChangeNoticeJob
    public let concurrency: Int
    let notices: ConsentChangeNoticeRepository
    let client: OutboundClient

    public static let path = "/consent-changes"

    public init(database: Database, client: OutboundClient, concurrency: Int = Kind.defaultConcurrency) {
        self.notices = ConsentChangeNoticeRepository(database: database)
        self.client = client
        self.concurrency = concurrency
    }

    public func run(_ job: Job<Kind>) async -> JobOutcome {
        await DisclosureStart<ConsentChangeNoticeContext>.run(missing: "the notice no longer exists") {
            try await notices.startNotice(noticeID: job.payload.noticeID, jobID: job.id)
        } send: { context in
            await send(job, context: context)
        }
    }

    /// Sends the notice, holding no database connection, then records the outcome.
    func send(_ job: Job<Kind>, context: ConsentChangeNoticeContext) async -> JobOutcome {
        let notice = Notice(
            noticeID: context.noticeID.uuidString.lowercased(), subject: context.pseudonym, purpose: context.purposeCode,
            state: ConsentPropagation.state(for: context.action), occurredAt: RFC3339.string(from: context.occurredAt))
        guard let body = try? JSONEncoder.canonical.encode(notice) else { return .failed(reason: "the notice could not be encoded", httpStatus: nil) }
        return await client.sendNotice(
            body, to: context.target, path: Self.path, webhookID: "msg_job\(job.id)_consent", lastAttempt: job.isLastAttempt
        ) { outcome in
            try await notices.finishNotice(context, jobID: job.id, outcome: outcome)
        }
    }

    /// The notice's wire format.
    struct Notice: Encodable {
        let type = "consent.changed"
        let noticeID: String
        /// The recipient's pseudonym of the subject.
        let subject: String
        let purpose: String
        let state: String
        let occurredAt: String

        enum CodingKeys: String, CodingKey {
            case type, subject, purpose, state
            case noticeID = "notice_id"
            case occurredAt = "occurred_at"
        }
    }
}
