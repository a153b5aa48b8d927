-- pgbench: the very SQL the API runs for GET /v1/subjects/{id}/consents with a key it has cached (no key lookup):
-- ConsentOverviewStatement, prepared as the API prepares it (the subject's status, the audit row when permitted, the
-- current state per purpose, the history; the first column tells the parts apart), here for a dpo key.
-- Variables (pgbench -D): subjects, key_id.
-- pgbench-protocol: prepared
\set n random(1, :subjects)
WITH subject AS (SELECT id, status FROM subjects WHERE id = md5('s' || :n)::uuid),
audited AS (
    INSERT INTO audit_log (api_key_id, user_id, action, subject_id, request_id, by_subject)
    SELECT :key_id, NULL, 'consent.read', id, 'pgbench', false FROM subject
    WHERE status = ANY('{active,restricted,erased}'::text[])  -- a dpo key may read every subject
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
ORDER BY 1, 3, 14 DESC, 15 DESC;
