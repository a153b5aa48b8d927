import CustodianCore
import CustodianDatabase
import Foundation
import PostgresNIO

/// ``ConsentRepository/record(_:actor:now:)``'s first statement, prepared once per connection: the subject locked,
/// with the purpose, the policy version and the consent text the rules decide by. `bench/sql/pgbench-consent-write.sql`
/// runs the same (a test keeps them equal).
struct ConsentContextStatement: RowsStatement {
    static let name = "consent_context"
    /// $1 the purpose, $2 the policy label, $3 the consent text's label, $4 the subject.
    static let sql = """
        SELECT s.status, p.legal_basis, p.requires_consent, p.retired_at, v.id, v.effective_at,
               t.id, t.effective_at, $1 = ANY(t.purposes), EXISTS (SELECT 1 FROM consent_texts)
        FROM subjects s
        LEFT JOIN purposes p ON p.code = $1
        LEFT JOIN policy_versions v ON v.label = $2
        LEFT JOIN consent_texts t ON t.label = $3
        WHERE s.id = $4
        FOR NO KEY UPDATE OF s
        """
    /// Declared, not taken from the first run's values: a label that is nil there would leave its type to PostgreSQL.
    static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .uuid]
    let bindings: PostgresBindings

    init(_ event: NewConsentEvent) {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(event.purpose)
        bindings.append(event.policyLabel)
        bindings.append(event.consentTextLabel)
        bindings.append(event.subjectID)
        self.bindings = bindings
    }
}

/// ``ConsentRepository/record(_:actor:now:)``'s second statement, prepared once per connection: the event, the state
/// it becomes unless a later one is current, and the audit row; returns the event with whether it became current.
/// `bench/sql/pgbench-consent-write.sql` runs the same (a test keeps them equal).
struct ConsentEventWriteStatement: RowsStatement {
    static let name = "consent_event_write"
    /// $1 the event id, $2 the subject, $3 the purpose, $4 the action, $5 the policy version, $6 the channel, $7 when it
    /// occurred, $8–$10 the evidence (IP address, user agent, form), $11 the API key, $12 the request id, $13 the consent
    /// text, $14 the console user, $15 whether the subject acted.
    static let sql = """
        WITH event AS (
            INSERT INTO consent_events (id, subject_id, purpose_code, action, policy_version_id, channel, occurred_at,
                                        ip_address, user_agent, form_id, api_key_id, request_id, consent_text_id)
            VALUES ($1, $2, $3, $4, $5, $6,
                    $7, $8::inet, $9, $10, $11, $12,
                    $13)
            RETURNING *
        ), state AS (
            INSERT INTO consent_states (subject_id, purpose_code, event_id, action, occurred_at, recorded_at)
            SELECT subject_id, purpose_code, id, action, occurred_at, recorded_at FROM event
            ON CONFLICT (subject_id, purpose_code) DO UPDATE SET
                event_id = EXCLUDED.event_id, action = EXCLUDED.action,
                occurred_at = EXCLUDED.occurred_at, recorded_at = EXCLUDED.recorded_at, swept_at = NULL
            WHERE (consent_states.occurred_at, consent_states.recorded_at) < (EXCLUDED.occurred_at, EXCLUDED.recorded_at)
            RETURNING event_id
        ), audited AS (
            INSERT INTO audit_log (api_key_id, user_id, action, subject_id, request_id, by_subject)
            VALUES ($11, $14, '\(ConsentRepository.Action.record)', $2, $12, $15)
        )
        SELECT subject_id, purpose_code, action, channel, occurred_at, recorded_at, host(ip_address), user_agent, form_id,
               EXISTS (SELECT 1 FROM state)
        FROM event
        """
    /// Declared, not taken from the first run's values: the evidence, key, text and user may be nil there.
    static let bindingDataTypes: [PostgresDataType] = [
        .uuid, .uuid, .text, .text, .uuid, .text, .timestamptz, .text, .text, .text, .uuid, .text, .uuid, .uuid, .bool,
    ]
    let bindings: PostgresBindings

    init(_ event: NewConsentEvent, id: UUID, policyID: UUID, textID: UUID?, actor: AuditActor) {
        var bindings = PostgresBindings(capacity: 15)
        bindings.append(id)
        bindings.append(event.subjectID)
        bindings.append(event.purpose)
        bindings.append(event.action.rawValue)
        bindings.append(policyID)
        bindings.append(event.channel.rawValue)
        bindings.append(event.occurredAt)
        bindings.append(event.ipAddress)
        bindings.append(event.userAgent)
        bindings.append(event.formID)
        bindings.append(actor.apiKeyID)
        bindings.append(actor.requestID)
        bindings.append(textID)
        bindings.append(actor.userID)
        bindings.append(actor.bySubject)
        self.bindings = bindings
    }
}
