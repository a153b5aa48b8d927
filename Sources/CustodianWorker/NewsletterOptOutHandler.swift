import CustodianCore
import CustodianQueue
import CustodianStore
import Foundation
import Logging

/// The newsletter opt-out, enqueued when `newsletter` consent is withdrawn. Step one suppresses the address at the
/// active e-mail provider so no further newsletter goes out; step two, only after step one succeeded, sends the
/// opt-out confirmation in the subject's locale through the provider's transactional endpoint. Each step keeps its
/// `webhook-id` across retries and is recorded when delivered — and logged as a transfer (``NoticeAccounting``) —, so
/// a retried job never repeats a delivered step.
public struct NewsletterOptOutHandler: JobHandler {
    public typealias Kind = NewsletterOptOutJob
    public let concurrency: Int
    let deliveries: OutboundDeliveryRepository
    let client: OutboundClient

    public init(database: Database, client: OutboundClient, concurrency: Int = Kind.defaultConcurrency) {
        self.deliveries = OutboundDeliveryRepository(database: database)
        self.client = client
        self.concurrency = concurrency
    }

    enum Step {
        static let suppress = "suppress"
        static let confirm = "confirm"
    }

    public func run(_ job: Job<Kind>) async -> JobOutcome {
        do {
            guard let context = try await deliveries.newsletterOptOutContext(
                subjectID: job.payload.subjectID, jobID: job.id, recipientKind: RecipientKind.emailProvider.rawValue)
            else {
                return .failed(reason: "the subject no longer exists", httpStatus: nil)
            }
            let contact = context.contact
            guard let email = contact.email, contact.status != SubjectStatus.erased.rawValue else {
                return .failed(reason: "the subject has no e-mail address to opt out", httpStatus: nil)
            }
            guard let target = try context.target() else {
                return .failed(reason: "no active e-mail provider is registered", httpStatus: nil)
            }
            let done = context.deliveredSteps
            if !done.contains(Step.suppress) {
                let body = try JSONEncoder.canonical.encode(Suppression(email: email, list: "newsletter", reason: "consent_withdrawn"))
                let outcome = await deliver(
                    job: job, step: Step.suppress, target: target, path: "/email/suppressions", body: body,
                    categories: NoticeAccounting.suppressionCategories)
                guard outcome == .succeeded else { return outcome }
            }
            if !done.contains(Step.confirm) {
                let body = try JSONEncoder.canonical.encode(Confirmation(
                    to: email, template: "newsletter_opt_out_confirmation", locale: contact.locale,
                    variables: ["name": contact.fullName ?? ""]))
                return await deliver(
                    job: job, step: Step.confirm, target: target, path: "/email/messages", body: body,
                    categories: NoticeAccounting.confirmationCategories)
            }
            return .succeeded
        } catch {
            return .retry(reason: "database error: \(type(of: error))", httpStatus: nil, retryAfter: nil)
        }
    }

    /// Sends one step and records its delivery, logged as a transfer of `categories`.
    private func deliver(
        job: Job<Kind>, step: String, target: OutboundTarget, path: String, body: Data, categories: [DataCategory]
    ) async -> JobOutcome {
        let webhookID = "msg_job\(job.id)_\(step)"
        let (outcome, status, _) = await client.post(to: target, path: path, body: body, webhookID: webhookID)
        guard outcome == .succeeded, let status else { return outcome }
        do {
            try await deliveries.recordDelivered(
                jobID: job.id, step: step, recipientID: target.recipientID, webhookID: webhookID, httpStatus: status,
                subjectID: job.payload.subjectID, categories: categories)
            return .succeeded
        } catch {
            // Delivered but not recorded: a retry sends the step again with the same webhook-id, which the
            // recipient deduplicates.
            return .retry(reason: "recording the delivery failed: \(type(of: error))", httpStatus: nil, retryAfter: nil)
        }
    }

    struct Suppression: Encodable {
        let email: String
        let list: String
        let reason: String
    }

    struct Confirmation: Encodable {
        let to: String
        let template: String
        let locale: String
        let variables: [String: String]
    }
}
