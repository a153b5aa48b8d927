import CustodianCore
import CustodianDatabase
import Foundation
import Logging
import PostgresNIO

/// The recipient an erasure request went to, with the secret its callbacks must be signed with.
public struct ErasureCallbackSigner: Sendable {
    public let recipientID: UUID
    public let signingSecret: String
}

/// A recipient's verified status report on an erasure request.
public struct ErasureCallback: Sendable {
    public let requestID: UUID
    public let recipientID: UUID
    public let webhookID: String
    /// OpenDSR's `request_status`: `pending`, `in_progress`, `completed` or `cancelled`.
    public let requestStatus: String
    public let expectedCompletionAt: Date?

    public init(requestID: UUID, recipientID: UUID, webhookID: String, requestStatus: String, expectedCompletionAt: Date?) {
        self.requestID = requestID
        self.recipientID = recipientID
        self.webhookID = webhookID
        self.requestStatus = requestStatus
        self.expectedCompletionAt = expectedCompletionAt
    }
}

/// What recording a callback did.
public enum ErasureCallbackOutcome: Sendable, Equatable {
    /// Recorded; the request's status is now this.
    case recorded(ErasureRequestStatus)
    /// This webhook id was already received from this recipient: nothing changed.
    case replayed
}

/// Status callbacks from recipients on erasure requests (`POST /v1/callbacks/erasure`).
public struct ErasureCallbackRepository: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Who must have signed callbacks about `requestID`; nil for an unknown request.
    public func signer(requestID: UUID) async throws -> ErasureCallbackSigner? {
        let keys = try database.requireKeys()
        guard let (id, secret) = try await database.query("""
            SELECT r.id, r.signing_secret FROM erasure_requests q JOIN recipients r ON r.id = q.recipient_id WHERE q.id = \(requestID)
            """).decode((UUID, String).self).first(where: { _ in true }) else { return nil }
        return ErasureCallbackSigner(recipientID: id, signingSecret: try RecipientSecrets.open(secret, "signing_secret", recipientID: id, keys: keys))
    }

    /// Records a verified callback once per webhook id: `completed` completes the request, `cancelled` fails it for
    /// manual follow-up, `pending` and `in_progress` only update the expected completion time. A settled request is
    /// never changed.
    public func record(_ callback: ErasureCallback) async throws -> ErasureCallbackOutcome {
        try await database.transaction { connection in
            let logger = database.logger
            let inserted = try await connection.query("""
                INSERT INTO erasure_callbacks (recipient_id, webhook_id, erasure_request_id, request_status)
                VALUES (\(callback.recipientID), \(callback.webhookID), \(callback.requestID), \(callback.requestStatus))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger).decode(Int.self).first(where: { _ in true })
            guard inserted != nil else { return .replayed }
            let (newStatus, reason): (ErasureRequestStatus, String?) = switch callback.requestStatus {
            case "completed": (.completed, nil)
            case "cancelled": (.failed, "the recipient cancelled the erasure request")
            default: (.awaitingConfirmation, nil)
            }
            guard let (status, subjectID) = try await connection.query("""
                UPDATE erasure_requests q SET
                    status = \(newStatus.rawValue), identities = NULL, failure_reason = \(reason),
                    expected_completion_at = COALESCE(\(callback.expectedCompletionAt), q.expected_completion_at),
                    sent_at = COALESCE(q.sent_at, now()),
                    completed_at = CASE WHEN \(newStatus.rawValue) = 'completed' THEN now() END, updated_at = now()
                FROM erasure_cascades c
                WHERE q.id = \(callback.requestID) AND c.id = q.cascade_id AND q.status IN ('pending', 'awaiting_confirmation')
                RETURNING q.status, c.subject_id
                """, logger: logger).decode((String, UUID).self).first(where: { _ in true }) else {
                let current = try await connection.query("SELECT status FROM erasure_requests WHERE id = \(callback.requestID)", logger: logger)
                    .decode(String.self).first(where: { _ in true }).flatMap(ErasureRequestStatus.init(rawValue:))
                return .recorded(current ?? .failed)
            }
            try await SubjectRequestSettlement.afterErasureRequestsChanged([callback.requestID], on: connection, logger: logger)
            try await AuditRepository.append(
                action: ErasureCascadeRepository.Action.callback, subjectID: subjectID,
                actor: AuditActor(apiKeyID: nil, requestID: callback.webhookID), on: connection, logger: logger)
            return .recorded(ErasureRequestStatus(rawValue: status) ?? newStatus)
        }
    }
}
