import CustodianCore
import CustodianQueue
import CustodianStore
import Foundation

/// Sends a privacy-center verification code to the subject's address through the active e-mail provider's
/// transactional endpoint (`POST {base}/email/messages`, template `privacy_verification_code`), derived from the
/// verification's id under `CUSTODIAN_PRIVACY_KEY` (never stored). The delivery is logged as a transfer of the
/// address (``NoticeAccounting``); a code already used or expired is not sent.
public struct VerificationCodeHandler: JobHandler {
    public typealias Kind = VerificationCodeJob
    public let concurrency: Int
    let verifications: PrivacyVerificationRepository
    let deliveries: OutboundDeliveryRepository
    let client: OutboundClient
    let key: VerificationCodeKey?

    static let step = "code"

    public init(database: Database, client: OutboundClient, key: VerificationCodeKey?, concurrency: Int = Kind.defaultConcurrency) {
        self.verifications = PrivacyVerificationRepository(database: database)
        self.deliveries = OutboundDeliveryRepository(database: database)
        self.client = client
        self.key = key
        self.concurrency = concurrency
    }

    public func run(_ job: Job<Kind>) async -> JobOutcome {
        guard let key else { return .failed(reason: "CUSTODIAN_PRIVACY_KEY is not set: no code can be sent", httpStatus: nil) }
        do {
            guard let contact = try await verifications.contact(verificationID: job.payload.verificationID) else {
                return .failed(reason: "the verification no longer exists", httpStatus: nil)
            }
            guard !contact.used, Date().timeIntervalSince(contact.createdAt) < VerificationCode.lifetime,
                  try await !deliveries.deliveredSteps(jobID: job.id).contains(Self.step) else { return .succeeded }
            guard let email = contact.email else { return .failed(reason: "the subject has no e-mail address", httpStatus: nil) }
            guard let target = try await deliveries.activeTarget(kind: RecipientKind.emailProvider.rawValue) else {
                return .failed(reason: "no active e-mail provider is registered", httpStatus: nil)
            }
            let body = try JSONEncoder.canonical.encode(Message(
                to: email, template: "privacy_verification_code", locale: contact.locale,
                variables: ["code": key.code(for: job.payload.verificationID), "minutes": String(Int(VerificationCode.lifetime / 60))]))
            let webhookID = "msg_job\(job.id)_\(Self.step)"
            let (outcome, status, _) = await client.post(to: target, path: "/email/messages", body: body, webhookID: webhookID)
            guard outcome == .succeeded, let status else { return outcome }
            try await deliveries.recordDelivered(
                jobID: job.id, step: Self.step, recipientID: target.recipientID, webhookID: webhookID, httpStatus: status,
                subjectID: contact.subjectID, categories: [.email])
            return .succeeded
        } catch {
            return .retry(reason: "database error: \(type(of: error))", httpStatus: nil, retryAfter: nil)
        }
    }

    /// The message's wire format, as the opt-out confirmation's.
    struct Message: Encodable {
        let to: String
        let template: String
        let locale: String
        let variables: [String: String]
    }
}
