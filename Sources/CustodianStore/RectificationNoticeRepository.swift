import CustodianCore
import Foundation
import Logging
import PostgresNIO

/// Everything a rectification notice needs, read when its job runs: the corrected fields with their current values.
public struct RectificationNoticeContext: Sendable {
    public let noticeID: UUID
    public let requestID: UUID
    public let subjectID: UUID
    public let status: String
    public let subjectStatus: SubjectStatus
    /// How the recipient knows the subject (the values it was sent); nil once delivered or erased.
    public let identities: [OpenDSRIdentity]?
    /// The corrected fields and their values now, by category.
    public let corrected: [DataCategory: String]
    public let target: OutboundTarget
}

/// The rectification notices the worker delivers.
public struct RectificationNoticeRepository: Sendable {
    let database: Database

    public static let deliveredAction = "transfer.rectification_notice"

    public init(database: Database) {
        self.database = database
    }

    /// Runs `notify` with the notice's context inside the subject's ``DisclosureGate``, which also commits the outcome.
    /// The context is nil when the notice no longer exists.
    public func withDisclosureGate<Result: Sendable>(
        noticeID: UUID, outgoingTime: Duration,
        _ notify: @escaping @Sendable (RectificationNoticeContext?, RectificationNoticeRecorder) async throws -> Result
    ) async throws -> Result {
        try await DisclosureGate.run(
            database: database, outgoingTime: outgoingTime,
            subjectQuery: "SELECT q.subject_id FROM rectification_notices n JOIN subject_requests q ON q.id = n.request_id WHERE n.id = \(noticeID)"
        ) { connection, logger in
            let context = try await Self.context(noticeID: noticeID, on: connection, logger: logger)
            return try await notify(context, RectificationNoticeRecorder(connection: connection, logger: logger))
        }
    }

    static func context(noticeID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> RectificationNoticeContext? {
        guard let row = try await connection.query("""
            SELECT n.request_id, q.subject_id, n.status, s.status, n.identities::text, n.fields, s.full_name, s.email, s.phone,
                   s.registration_address, r.id, r.base_url, r.api_token, r.signing_secret
            FROM rectification_notices n JOIN subject_requests q ON q.id = n.request_id JOIN subjects s ON s.id = q.subject_id
            JOIN recipients r ON r.id = n.recipient_id
            WHERE n.id = \(noticeID)
            """, logger: logger).collect().first else { return nil }
        let (requestID, subjectID, status, subjectStatus, identities, fields, fullName, email, phone, address, recipientID, baseURL, token, secret)
            = try row.decode((UUID, UUID, String, String, String?, [String], String?, String?, String?, String?, UUID, String, String?, String).self)
        let values: [DataCategory: String?] = [.fullName: fullName, .email: email, .phone: phone, .registrationAddress: address]
        var corrected: [DataCategory: String] = [:]
        for field in fields.compactMap(DataCategory.init(rawValue:)) { corrected[field] = values[field] ?? nil }
        return RectificationNoticeContext(
            noticeID: noticeID, requestID: requestID, subjectID: subjectID, status: status,
            subjectStatus: SubjectStatus(rawValue: subjectStatus) ?? .erased,
            identities: try identities.map { try JSONDecoder().decode([OpenDSRIdentity].self, from: Data($0.utf8)) },
            corrected: corrected, target: OutboundTarget(recipientID: recipientID, baseURL: baseURL, apiToken: token, signingSecret: secret))
    }
}

/// Writes a notice job's outcome inside its disclosure gate's transaction.
public struct RectificationNoticeRecorder: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    /// The notice was delivered: its identities are cleared, the disclosure of the corrected values is logged as a
    /// transfer and audited (and the trigger completes the request when it was the last notice).
    public func markDelivered(_ context: RectificationNoticeContext, jobID: Int64) async throws {
        try await connection.query("""
            WITH delivered AS (
                UPDATE rectification_notices SET status = 'delivered', identities = NULL, failure_reason = NULL, delivered_at = now(),
                    updated_at = now()
                WHERE id = \(context.noticeID) AND status = 'pending'
                RETURNING recipient_id, fields, purpose_code
            ), logged AS (
                INSERT INTO transfers (recipient_id, subject_id, data_categories, purpose_code, legal_basis, job_id)
                SELECT d.recipient_id, \(context.subjectID), d.fields, d.purpose_code, p.legal_basis, \(jobID)
                FROM delivered d JOIN purposes p ON p.code = d.purpose_code
                RETURNING subject_id
            )
            INSERT INTO audit_log (api_key_id, action, subject_id, request_id)
            SELECT NULL, \(RectificationNoticeRepository.deliveredAction), subject_id, \("job-\(jobID)") FROM logged
            """, logger: logger)
    }

    /// The notice could not be delivered; the reason carries no personal data. Its identities stay, so retrying the
    /// job can still send it.
    public func markFailed(_ context: RectificationNoticeContext, reason: String) async throws {
        try await connection.query("""
            UPDATE rectification_notices SET status = 'failed', failure_reason = \(reason), updated_at = now()
            WHERE id = \(context.noticeID) AND status = 'pending'
            """, logger: logger)
    }
}
