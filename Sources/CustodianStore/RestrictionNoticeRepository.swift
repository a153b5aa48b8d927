import CustodianCore
import CustodianDatabase
import CustodianQueue
import Foundation
import Logging
import PostgresNIO

/// Everything a restriction notice needs, read when its job runs.
public struct RestrictionNoticeContext: Sendable {
    public let noticeID: UUID
    public let subjectID: UUID
    public let action: RestrictionAction
    public let occurredAt: Date
    /// How the recipient knows the subject.
    public let identities: [OpenDSRIdentity]
    public let target: OutboundTarget
}

/// Restriction notices (GDPR Art. 19; issue 22, part 5): when a restriction request is fulfilled, and when it is lifted,
/// every recipient that holds the subject's data — as the transfer log and the newsletter's providers say, deactivated
/// ones too — is told, named by the identities it holds. Not a new disclosure: always sent, to any country, and each
/// delivery logged under `subject_rights`. A recipient without an API gets a DPO task.
public struct RestrictionNoticeRepository: Sendable {
    let database: Database

    public static let deliveredAction = "transfer.restriction_notice"

    public init(database: Database) {
        self.database = database
    }

    /// Creates, in the caller's transaction (which holds the subject's row), one notice and its job per recipient that
    /// holds the subject's data; returns how many.
    @discardableResult
    static func enqueue(
        subjectID: UUID, requestID: UUID, action: RestrictionAction, keys: PersonalDataKeys, on connection: PostgresConnection, logger: Logger
    ) async throws -> Int {
        guard let (email, phone) = try await SubjectKeys.lockIdentifiers(of: subjectID, keys: keys, on: connection, logger: logger)
        else { return 0 }
        let holders = try await ErasureCascadeRepository.holders(
            subjectID: subjectID, email: email, phone: phone, keys: keys, on: connection, logger: logger)
        guard !holders.isEmpty else { return 0 }
        guard let key = try await SubjectKeys.obtain(subjectID: subjectID, keys: keys, on: connection, logger: logger).key else {
            throw StoreError.noPersonalDataKeys
        }
        for recipientID in holders.keys.sorted(by: { $0.uuidString < $1.uuidString }) {
            let noticeID = UUID()
            let identities = try SealedIdentities.seal(
                holders[recipientID]?.identities ?? [], key: key, context: SealedIdentities.context("restriction_notices", noticeID))
            let jobID = try await JobQueue.enqueue(
                RestrictionNoticeJob.self, .init(noticeID: noticeID),
                uniqueKey: "\(RestrictionNoticeJob.name):\(noticeID.uuidString.lowercased())", subjectID: subjectID, on: connection, logger: logger)
            try await connection.query("""
                INSERT INTO restriction_notices (id, subject_id, request_id, recipient_id, action, identities, job_id)
                VALUES (\(noticeID), \(subjectID), \(requestID), \(recipientID), \(action.rawValue), \(identities)::jsonb, \(jobID))
                """, logger: logger)
        }
        return holders.count
    }

    /// Enqueues the lift notices of the subject's lifted restriction requests that have none yet, in the caller's
    /// transaction, as processing resumes.
    static func enqueueLifts(subjectID: UUID, keys: PersonalDataKeys, on connection: PostgresConnection, logger: Logger) async throws {
        let lifted = try await connection.query("""
            SELECT q.id FROM subject_requests q
            WHERE q.subject_id = \(subjectID) AND q.kind = 'restriction' AND q.lifted_at IS NOT NULL
              AND EXISTS (SELECT 1 FROM restriction_notices n WHERE n.request_id = q.id AND n.action = 'restricted')
              AND NOT EXISTS (SELECT 1 FROM restriction_notices n WHERE n.request_id = q.id AND n.action = 'lifted')
            ORDER BY q.lifted_at, q.id
            """, logger: logger).decode(UUID.self).reduce(into: [UUID]()) { $0.append($1) }
        for requestID in lifted {
            try await enqueue(subjectID: subjectID, requestID: requestID, action: .lifted, keys: keys, on: connection, logger: logger)
        }
    }

    /// What job `jobID` may do with the notice now: nothing when it is no longer pending, a DPO task for a recipient
    /// without an API, else send it (``RecipientMessage/restrictionNotice`` always goes).
    public func startNotice(noticeID: UUID, jobID: Int64) async throws -> DisclosureStart<RestrictionNoticeContext> {
        let keys = try database.requireKeys()
        return try await database.transaction { connection in
            let logger = database.logger
            guard let row = try await connection.query("""
                SELECT n.status, n.subject_id, n.action, n.occurred_at, n.identities::text, r.id, r.base_url, r.api_token, r.signing_secret,
                       r.delivery_mode = 'manual', s.status, \(unescaped: SubjectKeys.columns)
                FROM restriction_notices n JOIN recipients r ON r.id = n.recipient_id JOIN subjects s ON s.id = n.subject_id
                \(unescaped: SubjectKeys.join)
                WHERE n.id = \(noticeID)
                FOR KEY SHARE OF s
                """, logger: logger).collect().first else { return .missing }
            let (status, subjectID, action, occurredAt, storedIdentities, recipientID, baseURL, token, secret, manual, subjectStatus)
                = try row.decode((String, UUID, String, Date, String?, UUID, String?, String?, String, Bool, String).self)
            let cells = row.makeRandomAccess()
            let cipher = try SubjectKeys.cipher(
                subjectID: subjectID, kekID: try cells[11].decode(String?.self), wrapped: try cells[12].decode(ByteBuffer?.self), keys: keys)
            guard status == "pending" else { return .settled }
            // Holding the subject's row, an erasure either committed first (and its request replaces this notice) or waits.
            guard subjectStatus != SubjectStatus.erased.rawValue else {
                try await connection.query("""
                    UPDATE restriction_notices SET status = 'cancelled', identities = NULL, failure_reason = 'the subject was erased', updated_at = now()
                    WHERE id = \(noticeID) AND status = 'pending'
                    """, logger: logger)
                return .settled
            }
            guard let action = RestrictionAction(rawValue: action),
                  let identities = try SealedIdentities.open(
                    storedIdentities, key: cipher.key, context: SealedIdentities.context("restriction_notices", noticeID)) else {
                throw StoreError.unexpectedValue(column: "restriction_notices.action/identities")
            }
            if manual {
                try await ManualTaskRepository.open(restrictionNotice: noticeID, on: connection, logger: logger)
                return .delegated
            }
            return .send(RestrictionNoticeContext(
                noticeID: noticeID, subjectID: subjectID, action: action, occurredAt: occurredAt,
                identities: identities,
                target: try RecipientSecrets.target(recipientID: recipientID, baseURL: baseURL, apiToken: token, signingSecret: secret, keys: keys)))
        }
    }

    /// Records how job `jobID`'s call ended. Delivered: the notice is delivered, its identities cleared, the delivery
    /// logged as a transfer of the categories they carried (``NoticeAccounting``) and audited. Not delivered: see
    /// ``DisclosureOutcome`` (the identities stay, so a retry can still send it).
    public func finishNotice(_ context: RestrictionNoticeContext, jobID: Int64, outcome: DisclosureOutcome) async throws {
        switch outcome {
        case .delivered:
            try await database.query("""
                WITH delivered AS (
                    UPDATE restriction_notices SET status = 'delivered', identities = NULL, failure_reason = NULL, delivered_at = now(),
                        updated_at = now()
                    WHERE id = \(context.noticeID) AND status = 'pending'
                    RETURNING recipient_id
                ), logged AS (
                    INSERT INTO transfers (recipient_id, subject_id, data_categories, purpose_code, legal_basis, job_id)
                    SELECT recipient_id, \(context.subjectID), \(NoticeAccounting.categories(of: context.identities).map(\.rawValue)),
                           \(NoticeAccounting.purpose), \(NoticeAccounting.legalBasis.rawValue), \(jobID)
                    FROM delivered
                    RETURNING subject_id
                )
                INSERT INTO audit_log (api_key_id, action, subject_id, request_id)
                SELECT NULL, \(Self.deliveredAction), subject_id, \("job-\(jobID)") FROM logged
                """)
        case .notDelivered(let answered, let failure):
            try await database.query(DisclosureInFlight.notDelivered(
                jobID: jobID, answered: answered, failure: failure, table: "restriction_notices", recordID: context.noticeID))
        }
    }
}
