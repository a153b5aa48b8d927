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

/// Steps of jobs delivered to recipients, and the reads jobs need to deliver them.
public struct OutboundDeliveryRepository: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// The steps of `jobID` already delivered.
    public func deliveredSteps(jobID: Int64) async throws -> Set<String> {
        try await database.query("SELECT step FROM outbound_deliveries WHERE job_id = \(jobID)")
            .decode(String.self).reduce(into: []) { $0.insert($1) }
    }

    /// Records a delivered step (idempotent: a repeated record keeps the first) and logs it as a transfer of the
    /// subject's `categories` under ``NoticeAccounting`` — once, like the record.
    public func recordDelivered(
        jobID: Int64, step: String, recipientID: UUID, webhookID: String, httpStatus: Int, subjectID: UUID, categories: [DataCategory]
    ) async throws {
        try await database.query("""
            WITH recorded AS (
                INSERT INTO outbound_deliveries (job_id, step, recipient_id, webhook_id, http_status)
                VALUES (\(jobID), \(step), \(recipientID), \(webhookID), \(httpStatus))
                ON CONFLICT (job_id, step) DO NOTHING
                RETURNING 1
            )
            INSERT INTO transfers (recipient_id, subject_id, data_categories, purpose_code, legal_basis, job_id)
            SELECT \(recipientID), \(subjectID), \(categories.map(\.rawValue)), \(NoticeAccounting.purpose),
                   \(NoticeAccounting.legalBasis.rawValue), \(jobID)
            FROM recorded
            """)
    }

    /// The first active recipient of `kind`, by code.
    public func activeTarget(kind: String) async throws -> OutboundTarget? {
        let keys = try database.requireKeys()
        guard let (id, baseURL, token, secret) = try await database.query("""
            SELECT id, base_url, api_token, signing_secret FROM recipients WHERE kind = \(kind) AND active ORDER BY code LIMIT 1
            """).decode((UUID, String, String?, String).self).first(where: { _ in true }) else { return nil }
        return try RecipientSecrets.target(recipientID: id, baseURL: baseURL, apiToken: token, signingSecret: secret, keys: keys)
    }

    public func newsletterContact(subjectID: UUID) async throws -> NewsletterContact? {
        let keys = try database.requireKeys()
        guard let (email, fullName, locale, status, kekID, wrapped) = try await database.query("""
            SELECT s.email, s.full_name, s.locale, s.status, \(unescaped: SubjectKeys.columns) FROM subjects s \(unescaped: SubjectKeys.join)
            WHERE s.id = \(subjectID)
            """).decode((String?, String?, String, String, String?, ByteBuffer?).self).first(where: { _ in true }) else { return nil }
        let cipher = try SubjectKeys.cipher(subjectID: subjectID, kekID: kekID, wrapped: wrapped, keys: keys)
        return NewsletterContact(
            email: try cipher.open(email, "subjects.email"), fullName: try cipher.open(fullName, "subjects.full_name"), locale: locale, status: status)
    }
}
