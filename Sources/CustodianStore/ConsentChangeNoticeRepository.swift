import CustodianCore
import CustodianDatabase
import CustodianQueue
import Foundation
import Logging
import PostgresNIO

/// Everything a consent change notice needs, read when its job runs. No personal data: the subject is named by the
/// recipient's pseudonym of it.
public struct ConsentChangeNoticeContext: Sendable {
    public let noticeID: UUID
    public let subjectID: UUID
    public let purposeCode: String
    public let action: ConsentAction
    public let occurredAt: Date
    public let pseudonym: String
    public let target: OutboundTarget
}

/// The `consent.changed` notices (issue 22, part 4): created with their jobs in the transaction that records the
/// consent change, delivered by the worker, each delivery logged as a transfer of the pseudonymous id.
public struct ConsentChangeNoticeRepository: Sendable {
    let database: Database

    public static let deliveredAction = "transfer.consent_change"

    public init(database: Database) {
        self.database = database
    }

    /// Creates, in the caller's transaction, one notice and its job for each recipient to tell of consent event
    /// `eventID` (``ConsentPropagation``): every active recipient of the purpose's kinds, and for a withdrawal also
    /// every recipient told of a grant before, active or not. Earlier undelivered notices of the purpose are cancelled.
    /// Returns how many.
    @discardableResult
    static func enqueue(eventID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        // A change supersedes the notices of earlier changes of the same purpose not yet delivered (and, through the
        // trigger, their DPO tasks): recipients hear the latest state only.
        try await connection.query("""
            UPDATE consent_change_notices n SET status = 'cancelled', failure_reason = 'superseded by a later consent change', updated_at = now()
            FROM consent_events e
            WHERE e.id = \(eventID) AND n.subject_id = e.subject_id AND n.purpose_code = e.purpose_code AND n.consent_event_id <> e.id
              AND n.status IN ('pending', 'failed')
            """, logger: logger)
        let created = try await connection.query("""
            WITH e AS (
                SELECT id, subject_id, purpose_code, action, occurred_at FROM consent_events WHERE id = \(eventID)
            ), targets AS (
                SELECT r.id FROM e JOIN purposes p ON p.code = e.purpose_code JOIN recipients r ON r.active AND r.kind = ANY(p.recipient_kinds)
                UNION
                SELECT n.recipient_id FROM e JOIN consent_change_notices n
                    ON n.subject_id = e.subject_id AND n.purpose_code = e.purpose_code AND n.action = 'grant' AND n.status = 'delivered'
                WHERE e.action = 'withdraw'
            )
            INSERT INTO consent_change_notices (id, consent_event_id, subject_id, recipient_id, purpose_code, action, occurred_at)
            SELECT gen_random_uuid(), e.id, e.subject_id, t.id, e.purpose_code, e.action, e.occurred_at FROM e CROSS JOIN targets t
            ON CONFLICT (consent_event_id, recipient_id) DO NOTHING
            RETURNING id, subject_id
            """, logger: logger).decode((UUID, UUID).self).reduce(into: [(UUID, UUID)]()) { $0.append($1) }
        for (noticeID, subjectID) in created {
            let jobID = try await JobQueue.enqueue(
                ConsentChangeNoticeJob.self, .init(noticeID: noticeID),
                uniqueKey: "\(ConsentChangeNoticeJob.name):\(noticeID.uuidString.lowercased())", subjectID: subjectID, on: connection, logger: logger)
            try await connection.query("UPDATE consent_change_notices SET job_id = \(jobID) WHERE id = \(noticeID)", logger: logger)
        }
        return created.count
    }

    /// Decides in one short transaction whether job `jobID` may send the notice now. A notice whose change is no
    /// longer the subject's current state is cancelled (a later change supersedes it). A grant is a new disclosure
    /// (``RecipientMessage/consentGranted``): held while the subject is restricted, refused — failed with the reason —
    /// for an erased subject, a deactivated recipient, or a country without adequate protection and no cross-border
    /// consent; it is recorded in flight when it may go. A withdrawal always goes. A recipient without an API gets a DPO
    /// task instead of the call. The read is ``ConsentChangeNoticeContextStatement``.
    public func startNotice(noticeID: UUID, jobID: Int64) async throws -> DisclosureStart<ConsentChangeNoticeContext> {
        try await database.transaction { connection in
            let logger = database.logger
            guard let row = try await connection.execute(ConsentChangeNoticeContextStatement(noticeID: noticeID), logger: logger)
                .first(where: { _ in true }) else { return .missing }
            let (status, subjectID, purpose, action, occurredAt, subjectStatus, recipientID, baseURL, token, secret, key)
                = try row.decode((String, UUID, String, String, Date, String, UUID, String?, String?, String, ByteBuffer).self)
            let cells = row.makeRandomAccess()
            let (active, adequate, crossBorder, current, manual) = (
                try cells[11].decode(Bool.self), try cells[12].decode(Bool.self), try cells[13].decode(Bool.self), try cells[14].decode(Bool.self),
                try cells[15].decode(Bool.self))
            guard status == "pending" else { return .settled }
            guard let action = ConsentAction(rawValue: action) else { throw StoreError.unexpectedValue(column: "consent_change_notices.action") }
            guard current else {
                try await connection.query("""
                    UPDATE consent_change_notices SET status = 'cancelled', failure_reason = 'superseded by a later consent change', updated_at = now()
                    WHERE id = \(noticeID) AND status = 'pending'
                    """, logger: logger)
                return .settled
            }
            let facts = DisclosureFacts(
                subjectStatus: SubjectStatus(rawValue: subjectStatus) ?? .erased, recipientActive: active, countryAdequate: adequate,
                crossBorderConsentGranted: crossBorder)
            switch ConsentPropagation.message(for: action).decide(facts) {
            case .held(let reason):
                return .held(reason: reason)
            case .refused(let reason):
                try await connection.query("""
                    UPDATE consent_change_notices SET status = 'failed', failure_reason = \(reason), updated_at = now()
                    WHERE id = \(noticeID) AND status = 'pending'
                    """, logger: logger)
                return .refused(reason: reason)
            case .allowed:
                let pseudonym = SubjectPseudonym.make(subjectID: subjectID, recipientKey: Data(buffer: key))
                if manual {
                    try await ManualTaskRepository.open(consentChangeNotice: noticeID, pseudonym: pseudonym, on: connection, logger: logger)
                    return .delegated
                }
                if action == .grant {
                    try await DisclosureInFlight.record(
                        jobID: jobID, subjectID: subjectID, recipientID: recipientID, orderID: nil, categories: [.pseudonymousID],
                        purposeCode: purpose, on: connection, logger: logger)
                }
                return .send(ConsentChangeNoticeContext(
                    noticeID: noticeID, subjectID: subjectID, purposeCode: purpose, action: action, occurredAt: occurredAt,
                    pseudonym: pseudonym,
                    target: try RecipientSecrets.target(
                        recipientID: recipientID, baseURL: baseURL, apiToken: token, signingSecret: secret, keys: try database.requireKeys())))
            }
        }
    }

    /// Records how job `jobID`'s call ended. Delivered (``ConsentChangeNoticeDeliveredStatement``): the notice is
    /// delivered and logged as a transfer of the pseudonymous id — a grant under its purpose and basis, a withdrawal
    /// under `subject_rights` (``NoticeAccounting``) — and audited; the in-flight record goes. Not delivered: see
    /// ``DisclosureOutcome``.
    public func finishNotice(_ context: ConsentChangeNoticeContext, jobID: Int64, outcome: DisclosureOutcome) async throws {
        switch outcome {
        case .delivered:
            _ = try await database.execute(ConsentChangeNoticeDeliveredStatement(jobID: jobID, noticeID: context.noticeID, subjectID: context.subjectID))
        case .notDelivered(let answered, let failure):
            try await database.query(DisclosureInFlight.notDelivered(
                jobID: jobID, answered: answered, failure: failure, table: "consent_change_notices", recordID: context.noticeID))
        }
    }
}
