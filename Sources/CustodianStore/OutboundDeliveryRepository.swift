import CustodianCore
import CustodianDatabase
import Foundation
import PostgresNIO

/// The facts the newsletter opt-out needs about a subject, read when the job runs.
public struct NewsletterContact: Sendable {
    public let email: String?
    public let fullName: String?
    public let locale: String
    public let status: String
}

/// What a newsletter opt-out job reads before it sends: the subject's contact, where e-mail goes, and which of the
/// job's steps were already delivered.
public struct NewsletterOptOutContext: Sendable {
    public let contact: NewsletterContact
    public let deliveredSteps: Set<String>
    /// The recipient's columns as stored (its credential and secret sealed); nil when none is registered.
    let recipient: (id: UUID, baseURL: String, apiToken: String?, signingSecret: String)?
    let keys: PersonalDataKeys

    /// The first active recipient of the kind asked for, its credential and secret opened; nil when none is registered.
    /// Opened only when asked, after the contact's checks, as when the recipient was a read of its own.
    public func target() throws -> OutboundTarget? {
        try recipient.map {
            try RecipientSecrets.target(recipientID: $0.id, baseURL: $0.baseURL, apiToken: $0.apiToken, signingSecret: $0.signingSecret, keys: keys)
        }
    }
}

/// Steps of jobs delivered to recipients, and the reads jobs need to deliver them.
public struct OutboundDeliveryRepository: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// The steps of `jobID` already delivered.
    public func deliveredSteps(jobID: Int64) async throws -> Set<String> {
        try await database.execute(OutboundDeliveryStatements.DeliveredSteps(jobID: jobID))
            .reduce(into: []) { $0.insert(try $1.decode(String.self)) }
    }

    /// Records a delivered step (idempotent: a repeated record keeps the first) and logs it as a transfer of the
    /// subject's `categories` under ``NoticeAccounting`` — once, like the record.
    public func recordDelivered(
        jobID: Int64, step: String, recipientID: UUID, webhookID: String, httpStatus: Int, subjectID: UUID, categories: [DataCategory]
    ) async throws {
        _ = try await database.execute(OutboundDeliveryStatements.RecordDelivered(
            jobID: jobID, step: step, recipientID: recipientID, webhookID: webhookID, httpStatus: httpStatus, subjectID: subjectID,
            categories: categories))
    }

    /// The first active recipient of `kind`, by code.
    public func activeTarget(kind: String) async throws -> OutboundTarget? {
        let keys = try database.requireKeys()
        guard let (id, baseURL, token, secret) = try await database.execute(OutboundDeliveryStatements.ActiveTarget(kind: kind))
            .first?.decode((UUID, String, String?, String).self) else { return nil }
        return try RecipientSecrets.target(recipientID: id, baseURL: baseURL, apiToken: token, signingSecret: secret, keys: keys)
    }

    /// What job `jobID` needs to opt subject `subjectID` out, in one round trip: the subject's address, name, locale
    /// and status opened with its data key, the first active recipient of `recipientKind` and the job's delivered
    /// steps; nil when there is no such subject.
    public func newsletterOptOutContext(subjectID: UUID, jobID: Int64, recipientKind: String) async throws -> NewsletterOptOutContext? {
        let keys = try database.requireKeys()
        guard let row = try await database.execute(
            OutboundDeliveryStatements.NewsletterOptOutContextRead(subjectID: subjectID, jobID: jobID, recipientKind: recipientKind)
        ).first else { return nil }
        let (email, fullName, locale, status, kekID, wrapped, recipientID, baseURL, token, secret, delivered) = try row.decode(
            (String?, String?, String, String, String?, ByteBuffer?, UUID?, String?, String?, String?, [String]).self)
        let cipher = try SubjectKeys.cipher(subjectID: subjectID, kekID: kekID, wrapped: wrapped, keys: keys)
        let contact = NewsletterContact(
            email: try cipher.open(email, "subjects.email"), fullName: try cipher.open(fullName, "subjects.full_name"), locale: locale, status: status)
        var recipient: (id: UUID, baseURL: String, apiToken: String?, signingSecret: String)?
        if let recipientID, let baseURL, let secret { recipient = (recipientID, baseURL, token, secret) }
        return NewsletterOptOutContext(contact: contact, deliveredSteps: Set(delivered), recipient: recipient, keys: keys)
    }
}
