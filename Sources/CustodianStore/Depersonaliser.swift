import CustodianCore
import CustodianQueue
import Foundation
import Logging
import PostgresNIO

/// Why a subject's data was destroyed, as stored.
public enum DestructionGrounds: String, Sendable {
    case subjectRequest = "subject_request"
    case retentionExpired = "retention_expired"

    init(_ reason: DestructionReason) {
        switch reason {
        case .subjectRequest: self = .subjectRequest
        case .retentionExpired, .purposeEnded, .consentWithdrawn: self = .retentionExpired
        }
    }
}

/// What one depersonalisation destroyed, as its destruction record states it.
public struct DestructionSummary: Sendable, Equatable {
    public let recordID: UUID
    public let cascadeID: UUID
    public let recipients: Int
    public let ordersDepersonalised: Int
    public let consentsWithdrawn: Int
    public let jobsCancelled: Int
}

/// Depersonalises a subject inside the caller's transaction, which must hold the subject's row `FOR UPDATE` (so a
/// disclosure in flight has finished and none can start): starts the erasure cascade with the identities as they were,
/// withdraws every consent keeping its history without the evidence that identifies the person, cancels the jobs that
/// would disclose the subject's data, removes name, e-mail, phone and addresses from the subject and from its orders'
/// delivery blocks (the accounting facts stay), drops stored responses that carry the data, keeps only keyed hashes
/// of the e-mail and phone, and writes the destruction record with its act (RKN Order No. 179): the operator as
/// recorded in `controller_settings`, who performed it (the console user, the API key, or — for the sweep, `rule`
/// naming what fired — the responsible person), the information system, the method and the reason.
enum Depersonaliser {
    static let eraseAction = "subject.erase"

    /// The SET list that empties an order's delivery block (the accounting facts stay).
    static let clearDeliveryBlock = """
        delivery_recipient_name = NULL, delivery_phone = NULL, delivery_address_lines = NULL, delivery_city = NULL,
        delivery_postal_code = NULL, updated_at = now()
        """

    static func depersonalise(
        subjectID: UUID, email: String?, phone: String?, reason: DestructionReason, regime: RequestRegime, requestID: UUID?, rule: String?,
        hasher: IdentityHasher?, keys: PersonalDataKeys, actor: AuditActor, on connection: PostgresConnection, logger: Logger
    ) async throws -> DestructionSummary {
        let cascade = try await ErasureCascadeRepository.start(
            subjectID: subjectID, email: email, phone: phone, regulation: regime, keys: keys,
            actor: actor, on: connection, logger: logger)
        // Requests of earlier cascades still open are superseded by this one; their identities go.
        let superseded = try await connection.query("""
            UPDATE erasure_requests q SET status = 'cancelled', identities = NULL, failure_reason = 'superseded by the erasure of the subject',
                updated_at = now()
            FROM erasure_cascades c
            WHERE c.id = q.cascade_id AND c.subject_id = \(subjectID) AND c.id <> \(cascade.id) AND q.status IN ('pending', 'failed')
            RETURNING q.id
            """, logger: logger).decode(UUID.self).reduce(into: [UUID]()) { $0.append($1) }
        try await SubjectRequestSettlement.afterErasureRequestsChanged(superseded, on: connection, logger: logger)
        let withdrawn = try await ConsentRepository.withdrawAll(
            subjectID: subjectID, purposes: nil, optOutNewsletter: false, actor: actor, on: connection, logger: logger)
        // The erasure destroyed what every withdrawal kept: none is left for the sweep to weigh.
        try await connection.query(
            "UPDATE consent_states SET swept_at = now() WHERE subject_id = \(subjectID) AND swept_at IS NULL AND action = 'withdraw'",
            logger: logger)
        let cancelledJobs = try await JobQueue.cancelPending(
            subjectID: subjectID, kinds: DomainJobs.disclosing, reason: "the subject was erased", on: connection, logger: logger)
        let cancelledIDs = cancelledJobs.map(\.id)
        let cancelledNotices = try await connection.query("""
            WITH shipments AS (
                UPDATE shipments SET status = 'cancelled', failure_reason = 'the subject was erased', updated_at = now()
                WHERE status = 'pending' AND job_id = ANY(\(cancelledIDs))
            )
            UPDATE rectification_notices SET status = 'cancelled', identities = NULL, failure_reason = 'the subject was erased', updated_at = now()
            WHERE status = 'pending' AND job_id = ANY(\(cancelledIDs))
            RETURNING id
            """, logger: logger).decode(UUID.self).reduce(into: [UUID]()) { $0.append($1) }
        // Grants not yet delivered go, and rectifications handed to the DPO as tasks (the trigger cancels the tasks);
        // withdrawals stay. Jobs held while the subject was restricted run now and find their notice settled.
        let cancelledTaskNotices = try await connection.query("""
            WITH grants AS (
                UPDATE consent_change_notices SET status = 'cancelled', failure_reason = 'the subject was erased', updated_at = now()
                WHERE subject_id = \(subjectID) AND status IN ('pending', 'failed') AND action = 'grant'
            )
            UPDATE rectification_notices n SET status = 'cancelled', identities = NULL, failure_reason = 'the subject was erased', updated_at = now()
            FROM manual_tasks t
            WHERE t.rectification_notice_id = n.id AND t.status = 'open' AND t.subject_id = \(subjectID) AND n.status IN ('pending', 'failed')
            RETURNING n.id
            """, logger: logger).decode(UUID.self).reduce(into: [UUID]()) { $0.append($1) }
        try await SubjectRequestSettlement.afterNoticesChanged(cancelledNotices + cancelledTaskNotices, on: connection, logger: logger)
        try await JobQueue.release(subjectID: subjectID, on: connection, logger: logger)
        // The erasure request replaces any restriction notice not yet sent.
        try await connection.query("""
            UPDATE restriction_notices SET status = 'cancelled', identities = NULL, failure_reason = 'the subject was erased', updated_at = now()
            WHERE subject_id = \(subjectID) AND status IN ('pending', 'failed')
            """, logger: logger)
        let cancelled = cancelledJobs.count
        try await connection.query("""
            UPDATE subjects SET full_name = NULL, email = NULL, phone = NULL, registration_address = NULL, status = 'erased',
                email_index = NULL, phone_index = NULL,
                email_hash = \(email.flatMap { hasher?.email($0) }.map { ByteBuffer(bytes: $0) }),
                phone_hash = \(phone.flatMap { hasher?.phone($0) }.map { ByteBuffer(bytes: $0) }),
                erased_at = now(), updated_at = now()
            WHERE id = \(subjectID)
            """, logger: logger)
        // Whatever the subject's data key sealed — here, in backups, in the WAL — no longer opens.
        try await SubjectKeys.destroy(subjectID: subjectID, on: connection, logger: logger)
        let orders = try await connection.query("""
            WITH cleared AS (
                UPDATE orders SET \(unescaped: clearDeliveryBlock)
                WHERE subject_id = \(subjectID)
                RETURNING 1
            )
            SELECT count(*)::int8 FROM cleared
            """, logger: logger).decode(Int64.self).first(where: { _ in true }) ?? 0
        let subjectText = subjectID.uuidString.lowercased()
        try await connection.query("""
            UPDATE consent_events SET ip_address = NULL, user_agent = NULL
            WHERE subject_id = \(subjectID) AND (ip_address IS NOT NULL OR user_agent IS NOT NULL)
            """, logger: logger)
        try await connection.query("""
            DELETE FROM idempotency_keys
            WHERE subject_id = \(subjectID)
               OR position(convert_to(\(subjectText), 'UTF8') IN COALESCE(response_body, ''::bytea)) > 0
               OR (\(email)::text IS NOT NULL AND position(convert_to(\(email ?? ""), 'UTF8') IN COALESCE(response_body, ''::bytea)) > 0)
            """, logger: logger)
        try await connection.query("""
            UPDATE subject_requests SET corrections = NULL, claim_text = NULL, updated_at = now()
            WHERE subject_id = \(subjectID) AND (corrections IS NOT NULL OR claim_text IS NOT NULL)
            """, logger: logger)
        try await connection.query("""
            UPDATE rectification_notices n SET identities = NULL, updated_at = now()
            FROM subject_requests q WHERE q.id = n.request_id AND q.subject_id = \(subjectID) AND n.identities IS NOT NULL
            """, logger: logger)
        let recipientCodes = try await connection.query(
            "SELECT code FROM recipients WHERE id = ANY(\(cascade.recipientIDs)) ORDER BY code", logger: logger
        ).decode(String.self).reduce(into: [String]()) { $0.append($1) }
        let recordID = try await recordAct(
            subjectID: subjectID, requestID: requestID, reason: reason, regime: regime, categories: Depersonalisation.categories,
            tables: Depersonalisation.tables, recipients: recipientCodes, orders: Int(orders), consents: withdrawn.count, jobs: cancelled,
            rule: rule, actor: actor, on: connection, logger: logger)
        try await AuditRepository.append(action: eraseAction, subjectID: subjectID, actor: actor, on: connection, logger: logger)
        return DestructionSummary(
            recordID: recordID, cascadeID: cascade.id, recipients: cascade.recipientIDs.count, ordersDepersonalised: Int(orders),
            consentsWithdrawn: withdrawn.count, jobsCancelled: Int(cancelled))
    }

    /// Writes a destruction record with its act, in the caller's transaction; returns its id.
    @discardableResult
    static func recordAct(
        subjectID: UUID, requestID: UUID?, reason: DestructionReason, regime: RequestRegime, categories: [DataCategory], tables: [String],
        recipients: [String], orders: Int, consents: Int, jobs: Int, rule: String?, actor: AuditActor,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> UUID {
        let grounds = DestructionGrounds(reason)
        let recordID = UUID()
        try await connection.query("""
            INSERT INTO destruction_records (id, subject_id, request_id, grounds, regime, data_categories, tables, recipients,
                                             orders_depersonalised, consents_withdrawn, jobs_cancelled, api_key_id, user_id,
                                             operator_name, operator_address, processor, information_system, method, reason,
                                             performed_by_kind, performed_by_name, performed_by_position, rule, audit_request_id)
            SELECT \(recordID), \(subjectID), \(requestID), \(grounds.rawValue), \(regime.rawValue),
                   \(categories.map(\.rawValue)), \(tables), \(recipients),
                   \(Int32(clamping: orders)), \(Int32(clamping: consents)), \(Int32(clamping: jobs)), \(actor.apiKeyID), \(actor.userID),
                   s.operator_name, s.operator_address, s.processor, \(DestructionAct.informationSystem), \(DestructionAct.method),
                   \(DestructionAct.reasonText(reason)),
                   CASE WHEN \(actor.userID)::uuid IS NOT NULL THEN 'user' WHEN \(actor.apiKeyID)::uuid IS NOT NULL THEN 'api_key'
                        ELSE 'responsible_person' END,
                   COALESCE((SELECT email FROM console_users WHERE id = \(actor.userID)), (SELECT name FROM api_keys WHERE id = \(actor.apiKeyID)),
                            s.responsible_name),
                   COALESCE((SELECT role FROM console_users WHERE id = \(actor.userID)), (SELECT scope FROM api_keys WHERE id = \(actor.apiKeyID)),
                            s.responsible_position),
                   \(rule), \(actor.requestID)
            FROM controller_settings s
            """, logger: logger)
        return recordID
    }
}
