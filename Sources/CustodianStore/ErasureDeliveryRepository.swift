import CustodianCore
import CustodianDatabase
import Foundation
import Logging
import PostgresNIO

/// Everything an erasure request job needs, read when it runs.
public struct ErasureDeliveryContext: Sendable {
    public let requestID: UUID
    public let status: ErasureRequestStatus
    public let regulation: RequestRegime
    public let submittedAt: Date
    /// Nil once cleared (delivered, or cancelled).
    public let identities: [OpenDSRIdentity]?
    public let subjectID: UUID
    public let target: OutboundTarget
    /// The recipient has no API: the request becomes a DPO task.
    public let manual: Bool
}

/// The worker's side of erasure requests: what to send, and what the recipient answered. Every state change only
/// moves a request forward, so a late or repeated write never undoes a recipient's confirmation.
public struct ErasureDeliveryRepository: Sendable {
    let database: Database

    public static let deliveredAction = "erasure_request.delivered"
    public static let failedAction = "erasure_request.failed"

    public init(database: Database) {
        self.database = database
    }

    public func context(requestID: UUID) async throws -> ErasureDeliveryContext? {
        let keys = try database.requireKeys()
        guard let row = try await database.query("""
            SELECT q.status, c.regulation, c.created_at, q.identities::text, c.subject_id, r.id, r.base_url, r.api_token, r.signing_secret,
                   r.delivery_mode = 'manual', c.id, ek.kek_id, ek.wrapped
            FROM erasure_requests q JOIN erasure_cascades c ON c.id = q.cascade_id JOIN recipients r ON r.id = q.recipient_id
            LEFT JOIN custodian_keys.erasure_keys ek ON ek.cascade_id = c.id
            WHERE q.id = \(requestID)
            """).collect().first else { return nil }
        let cells = row.makeRandomAccess()
        let cascadeID = try cells[10].decode(UUID.self)
        let key = try ErasureKeys.key(
            cascadeID: cascadeID, kekID: try cells[11].decode(String?.self), wrapped: try cells[12].decode(ByteBuffer?.self), keys: keys)
        let (status, regulation, submittedAt, identities, subjectID, recipientID, baseURL, token, secret, manual)
            = try row.decode((String, String, Date, String?, UUID, UUID, String?, String?, String, Bool).self)
        guard let status = ErasureRequestStatus(rawValue: status), let regulation = RequestRegime(rawValue: regulation) else {
            throw StoreError.unexpectedValue(column: "erasure_requests.status")
        }
        return ErasureDeliveryContext(
            requestID: requestID, status: status, regulation: regulation, submittedAt: submittedAt,
            identities: try SealedIdentities.open(identities, key: key, context: SealedIdentities.context("erasure_requests", requestID)),
            subjectID: subjectID, target: try RecipientSecrets.target(recipientID: recipientID, baseURL: baseURL, apiToken: token, signingSecret: secret, keys: keys),
            manual: manual)
    }

    /// Records the recipient's acceptance: `completed` for 200/204, `awaiting_confirmation` for 202, and logs the
    /// delivery as a transfer of the categories its identities carried (``NoticeAccounting``). The identities are
    /// cleared; a callback that already arrived is not undone.
    public func markDelivered(_ context: ErasureDeliveryContext, accepted: Bool, expectedCompletionAt: Date?, jobID: Int64) async throws {
        try await database.transaction { connection in
            let logger = database.logger
            let status: ErasureRequestStatus = accepted ? .awaitingConfirmation : .completed
            let categories = NoticeAccounting.categories(of: context.identities ?? []).map(\.rawValue)
            try await connection.query("""
                WITH delivered AS (
                    UPDATE erasure_requests SET status = \(status.rawValue), identities = NULL, sent_at = now(),
                        completed_at = CASE WHEN \(status.rawValue) = 'completed' THEN now() END,
                        expected_completion_at = \(expectedCompletionAt), failure_reason = NULL, updated_at = now()
                    WHERE id = \(context.requestID) AND status = 'pending'
                    RETURNING recipient_id
                )
                INSERT INTO transfers (recipient_id, subject_id, data_categories, purpose_code, legal_basis, job_id)
                SELECT recipient_id, \(context.subjectID), \(categories), \(NoticeAccounting.purpose), \(NoticeAccounting.legalBasis.rawValue), \(jobID)
                FROM delivered
                """, logger: logger)
            try await SubjectRequestSettlement.afterErasureRequestsChanged([context.requestID], on: connection, logger: logger)
            try await AuditRepository.append(
                action: Self.deliveredAction, subjectID: context.subjectID, actor: AuditActor(apiKeyID: nil, requestID: "job-\(jobID)"),
                on: connection, logger: logger)
        }
    }

    /// Hands the request of a recipient without an API to the DPO: a task with its identities; the request stays
    /// pending (and its cascade waiting) until the task is closed with evidence.
    public func delegate(_ context: ErasureDeliveryContext) async throws {
        try await database.transaction { connection in
            try await ManualTaskRepository.open(erasureRequest: context.requestID, on: connection, logger: database.logger)
        }
    }

    /// Records that the request could not be delivered. The identities stay, so that retrying the job can still send
    /// it; cancelling the job clears them.
    public func markFailed(_ context: ErasureDeliveryContext, reason: String, jobID: Int64) async throws {
        try await database.transaction { connection in
            let logger = database.logger
            try await connection.query("""
                UPDATE erasure_requests SET status = 'failed', failure_reason = \(reason), updated_at = now()
                WHERE id = \(context.requestID) AND status = 'pending'
                """, logger: logger)
            try await AuditRepository.append(
                action: Self.failedAction, subjectID: context.subjectID, actor: AuditActor(apiKeyID: nil, requestID: "job-\(jobID)"),
                on: connection, logger: logger)
        }
    }
}
