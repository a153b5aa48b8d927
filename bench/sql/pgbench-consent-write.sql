-- pgbench: the very SQL the API runs for POST /v1/subjects/{id}/consents (newsletter grant or withdrawal at
-- random) with a key it has cached (APIKeyCache: no key lookup): ConsentRepository.record's transaction: the subject locked with the purpose and the policy version read, then event, state and audit row in
-- one statement, and the opt-out job for a withdrawal that became current (JobQueue.enqueue: the insert and its
-- NOTIFY, sent only when a job was made, in one statement).
-- Variables (pgbench -D): subjects, key_id; run with -M extended, as PostgresNIO sends parameters.
-- When those repositories change, copy the statements here again.
\set n random(1, :subjects)
\set withdraw random(0, 1)
BEGIN;
SELECT s.status, p.legal_basis, p.requires_consent, p.retired_at, v.id AS policy_id, v.effective_at
FROM subjects s
LEFT JOIN purposes p ON p.code = 'newsletter'
LEFT JOIN policy_versions v ON v.label = 'v1'
WHERE s.id = md5('s' || :n)::uuid
FOR NO KEY UPDATE OF s \gset
SELECT gen_random_uuid() AS event_id \gset
WITH event AS (
    INSERT INTO consent_events (id, subject_id, purpose_code, action, policy_version_id, channel, occurred_at,
                                ip_address, user_agent, form_id, api_key_id, request_id)
    VALUES (:event_id, md5('s' || :n)::uuid, 'newsletter', CASE WHEN :withdraw = 1 THEN 'withdraw' ELSE 'grant' END,
            :policy_id, 'api', now(), NULL::inet, NULL, NULL, :key_id, 'pgbench')
    RETURNING *
), state AS (
    INSERT INTO consent_states (subject_id, purpose_code, event_id, action, occurred_at, recorded_at)
    SELECT subject_id, purpose_code, id, action, occurred_at, recorded_at FROM event
    ON CONFLICT (subject_id, purpose_code) DO UPDATE SET
        event_id = EXCLUDED.event_id, action = EXCLUDED.action,
        occurred_at = EXCLUDED.occurred_at, recorded_at = EXCLUDED.recorded_at
    WHERE (consent_states.occurred_at, consent_states.recorded_at) < (EXCLUDED.occurred_at, EXCLUDED.recorded_at)
    RETURNING event_id
), audited AS (
    INSERT INTO audit_log (api_key_id, action, subject_id, request_id)
    VALUES (:key_id, 'consent.record', md5('s' || :n)::uuid, 'pgbench')
)
SELECT subject_id, purpose_code, action, channel, occurred_at, recorded_at, host(ip_address), user_agent, form_id,
       EXISTS (SELECT 1 FROM state)::int AS became_current
FROM event \gset
\if :withdraw = 1 and :became_current = 1
WITH job AS (
    INSERT INTO jobs (kind, payload, unique_key, priority, max_attempts, subject_id)
    VALUES ('newsletter_opt_out', jsonb_build_object('subject_id', md5('s' || :n)::uuid::text, 'consent_event_id', :event_id::text),
            'newsletter_opt_out:' || md5('s' || :n)::uuid::text, 0, 20, md5('s' || :n)::uuid)
    ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running', 'held') DO NOTHING
    RETURNING id, kind
)
SELECT job.id FROM job CROSS JOIN LATERAL (SELECT pg_notify('custodian_jobs', job.kind)) AS notified;
\endif
COMMIT;
