import CustodianDatabase
import Foundation
import PostgresNIO

/// The consent read (`GET /v1/subjects/{id}/consents`) as a prepared statement, planned once per connection (see
/// ``SubjectSearch`` for why): the subject's status and its audit row when the reader may read it (part 0), the current
/// state per purpose (1) and the history (2), told apart by the first column. $1 the subject, $2–$5 the reader
/// (``PostgresBindings/appendReader(_:)``), $6 whether the subject reads its own. `bench/sql/pgbench-consent-read.sql`
/// runs the same statement, prepared too (a test keeps the two equal).
struct ConsentOverviewStatement: RowsStatement {
    static let name = "consent_overview"
    static let sql = """
        WITH subject AS (SELECT id, status FROM subjects WHERE id = $1::uuid),
        audited AS (
            INSERT INTO audit_log (api_key_id, user_id, action, subject_id, request_id, by_subject)
            SELECT $2::uuid, $3::uuid, '\(ConsentRepository.Action.read)', id, $4::text, $6::boolean FROM subject
            WHERE status = ANY($5::text[])
        )
        SELECT 0 AS part, subject.status, NULL::text AS code, NULL::text, NULL::text, NULL::timestamptz, NULL::uuid,
               NULL::uuid, NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::text, NULL::timestamptz, NULL::timestamptz,
               NULL::text, NULL::text, NULL::text, NULL::text
        FROM subject
        UNION ALL
        SELECT 1, NULL, p.code, p.legal_basis, s.action, s.occurred_at, s.event_id,
               NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
        FROM subject JOIN purposes p ON true
        LEFT JOIN consent_states s ON s.purpose_code = p.code AND s.subject_id = subject.id
        WHERE p.requires_consent OR s.event_id IS NOT NULL
        UNION ALL
        SELECT 2, NULL, NULL, NULL, NULL, NULL, NULL,
               e.id, e.subject_id, e.purpose_code, e.action, p.label, e.channel, e.occurred_at, e.recorded_at,
               host(e.ip_address), e.user_agent, e.form_id, t.label
        FROM subject JOIN consent_events e ON e.subject_id = subject.id JOIN policy_versions p ON p.id = e.policy_version_id
        LEFT JOIN consent_texts t ON t.id = e.consent_text_id
        ORDER BY 1, 3, 14 DESC, 15 DESC
        """
    let bindings: PostgresBindings

    init(subjectID: UUID, actor: AuditActor) {
        var bindings = PostgresBindings.reading(subjectID, by: actor)
        bindings.append(actor.bySubject)
        self.bindings = bindings
    }
}
