import CustodianCore
import CustodianDatabase
import Foundation
import PostgresNIO

/// ``ConsentChangeNoticeRepository/startNotice(noticeID:jobID:)``'s read, prepared once per connection: the notice, its
/// subject's status (locked `FOR KEY SHARE`, see ``DisclosureInFlight``), the recipient with its pseudonym key, whether
/// the subject consents to cross-border transfer, whether the notice's change is still the subject's current state,
/// and whether the recipient has no API. $1 the notice.
struct ConsentChangeNoticeContextStatement: RowsStatement {
    static let name = "consent_change_notice_context"
    static let sql = """
        SELECT n.status, n.subject_id, n.purpose_code, n.action, n.occurred_at, s.status, r.id, r.base_url, r.api_token,
               r.signing_secret, r.pseudonym_key, r.active, r.country_adequate,
               EXISTS (SELECT 1 FROM consent_states cs WHERE cs.subject_id = s.id AND cs.purpose_code = '\(PurposeCode.crossBorderTransfer)'
                       AND cs.action = 'grant'),
               EXISTS (SELECT 1 FROM consent_states cs WHERE cs.subject_id = s.id AND cs.purpose_code = n.purpose_code
                       AND cs.event_id = n.consent_event_id),
               r.delivery_mode = 'manual'
        FROM consent_change_notices n JOIN subjects s ON s.id = n.subject_id JOIN recipients r ON r.id = n.recipient_id
        WHERE n.id = $1
        FOR KEY SHARE OF s
        """
    let bindings: PostgresBindings

    init(noticeID: UUID) {
        bindings = .one(noticeID)
    }
}

/// ``ConsentChangeNoticeRepository/finishNotice(_:jobID:outcome:)`` for a delivered notice, prepared once per
/// connection: the in-flight record gone, the notice delivered, the transfer of the pseudonymous id logged — a grant
/// under its purpose and basis, a withdrawal under ``NoticeAccounting`` — and audited. $1 the job, $2 the notice, $3 the
/// subject, $4 the audit row's request id.
struct ConsentChangeNoticeDeliveredStatement: RowsStatement {
    static let name = "consent_change_notice_delivered"
    static let sql = """
        WITH settled AS (
            DELETE FROM disclosures_in_flight WHERE job_id = $1
        ), delivered AS (
            UPDATE consent_change_notices SET status = 'delivered', failure_reason = NULL, delivered_at = now(), updated_at = now()
            WHERE id = $2 AND status = 'pending'
            RETURNING recipient_id, purpose_code, action
        ), logged AS (
            INSERT INTO transfers (recipient_id, subject_id, data_categories, purpose_code, legal_basis, job_id)
            SELECT d.recipient_id, $3, ARRAY['\(DataCategory.pseudonymousID.rawValue)'],
                   CASE WHEN d.action = 'grant' THEN d.purpose_code ELSE '\(NoticeAccounting.purpose)' END,
                   CASE WHEN d.action = 'grant' THEN p.legal_basis ELSE '\(NoticeAccounting.legalBasis.rawValue)' END, $1
            FROM delivered d JOIN purposes p ON p.code = d.purpose_code
            RETURNING subject_id
        )
        INSERT INTO audit_log (api_key_id, action, subject_id, request_id)
        SELECT NULL, '\(ConsentChangeNoticeRepository.deliveredAction)', subject_id, $4 FROM logged
        """
    static let bindingDataTypes: [PostgresDataType] = [.int8, .uuid, .uuid, .text]
    let bindings: PostgresBindings

    init(jobID: Int64, noticeID: UUID, subjectID: UUID) {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(jobID)
        bindings.append(noticeID)
        bindings.append(subjectID)
        bindings.append("job-\(jobID)")
        self.bindings = bindings
    }
}
