-- pgbench: the very SQL the API runs for POST /v1/subjects/{id}/consents (newsletter grant or withdrawal at
-- random, policy version v1, no consent text) with a key it has cached (APIKeyCache: no key lookup):
-- ConsentRepository.record's transaction: the subject locked with the purpose, the policy version and the consent
-- text read (ConsentContextStatement), then event, state and audit row in one statement (ConsentEventWriteStatement),
-- and the opt-out job for a withdrawal that became current (JobEnqueueStatement: the insert and its NOTIFY, sent only
-- when a job was made, in one statement).
-- Variables (pgbench -D): subjects, key_id.
-- pgbench-protocol: prepared
-- (The API prepares all three statements, planned once per connection.)
-- What the API makes in Swift (the event id, the job's payload) one SELECT makes here first, a round trip the API
-- does not have. Tests/CustodianStoreTests/BenchSQLWriteAgreementTests keeps these statements equal to the API's,
-- but for their constants.
\set n random(1, :subjects)
\set withdraw random(0, 1)
SELECT e.id AS event_id, CASE WHEN :withdraw = 1 THEN 'withdraw' ELSE 'grant' END AS action,
       (SELECT id FROM policy_versions WHERE label = 'v1') AS policy_id,
       jsonb_build_object('subject_id', md5('s' || :n)::uuid::text, 'consent_event_id', e.id::text)::text AS payload,
       'newsletter_opt_out:' || md5('s' || :n)::uuid AS unique_key
FROM (SELECT gen_random_uuid() AS id) AS e \gset
BEGIN;
SELECT s.status, p.legal_basis, p.requires_consent, p.retired_at, v.id, v.effective_at,
       t.id, t.effective_at, 'newsletter' = ANY(t.purposes), EXISTS (SELECT 1 FROM consent_texts)
FROM subjects s
LEFT JOIN purposes p ON p.code = 'newsletter'
LEFT JOIN policy_versions v ON v.label = 'v1'
LEFT JOIN consent_texts t ON t.label = NULL
WHERE s.id = md5('s' || :n)::uuid
FOR NO KEY UPDATE OF s;
WITH event AS (
    INSERT INTO consent_events (id, subject_id, purpose_code, action, policy_version_id, channel, occurred_at,
                                ip_address, user_agent, form_id, api_key_id, request_id, consent_text_id)
    VALUES (:event_id, md5('s' || :n)::uuid, 'newsletter', :action, :policy_id, 'api',
            now(), NULL::inet, NULL, NULL, :key_id, 'pgbench',
            NULL)
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
    VALUES (:key_id, NULL, 'consent.record', md5('s' || :n)::uuid, 'pgbench', false)
)
SELECT subject_id, purpose_code, action, channel, occurred_at, recorded_at, host(ip_address), user_agent, form_id,
       EXISTS (SELECT 1 FROM state) AS became_current
FROM event \gset
\if :withdraw = 1 and :became_current
WITH job AS (
    INSERT INTO jobs (kind, payload, unique_key, priority, max_attempts, subject_id)
    VALUES ('newsletter_opt_out', :payload::jsonb, :unique_key, 0, 20, md5('s' || :n)::uuid)
    ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running', 'held') DO NOTHING
    RETURNING id, kind
)
SELECT job.id FROM job CROSS JOIN LATERAL (SELECT pg_notify('custodian_jobs', job.kind)) AS notified;
\endif
COMMIT;
