-- pgbench: the very SQL the API runs for GET /v1/subjects/{id}/consents with a key it has cached (no key lookup):
-- ConsentRepository.overview's two statements (existence, audit row and current state per purpose; history).
-- Variables (pgbench -D): subjects, key_id; -M extended.
\set n random(1, :subjects)
WITH subject AS (SELECT id FROM subjects WHERE id = md5('s' || :n)::uuid),
audited AS (
    INSERT INTO audit_log (api_key_id, action, subject_id, request_id)
    SELECT :key_id, 'consent.read', id, 'pgbench' FROM subject
)
SELECT state.code, state.legal_basis, state.action, state.occurred_at, state.event_id
FROM subject LEFT JOIN LATERAL (
    SELECT p.code, p.legal_basis, s.action, s.occurred_at, s.event_id
    FROM purposes p LEFT JOIN consent_states s ON s.purpose_code = p.code AND s.subject_id = subject.id
    WHERE p.requires_consent OR s.event_id IS NOT NULL
) AS state ON true
ORDER BY state.code;
SELECT e.id, e.subject_id, e.purpose_code, e.action, p.label, e.channel, e.occurred_at, e.recorded_at,
       host(e.ip_address), e.user_agent, e.form_id
FROM consent_events e JOIN policy_versions p ON p.id = e.policy_version_id
WHERE e.subject_id = md5('s' || :n)::uuid ORDER BY e.occurred_at DESC, e.recorded_at DESC;
