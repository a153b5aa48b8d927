-- Enqueues :n consent change notices the way a grant of `analytics` consent does (ConsentRepository.record, then
-- ConsentChangeNoticeRepository.enqueue): per notice one active subject, its grant event, the consent state that
-- event makes current, one notice to the benchmark analytics recipient (consent-notice-setup.sql) and the notice's
-- `consent_change_notice` job, whose payload names the notice and which names its subject. Then one NOTIFY, as
-- JobQueue.enqueue does. The caller wraps this file in a transaction (psql -1, or BEGIN/COMMIT).
--
-- psql variables: n (how many), tag (unique per call: external refs are unique).
-- Constraints: Migrations/0001 (subjects), 0002 (jobs), 0003 (consent_events, consent_states), 0030 (notices).
WITH ids AS MATERIALIZED (
    SELECT g, gen_random_uuid() AS subject_id, gen_random_uuid() AS event_id, gen_random_uuid() AS notice_id,
           :'tag' || '-' || g AS ref, now() - interval '1 minute' AS occurred_at
    FROM generate_series(1, :n) AS g
), new_subjects AS (
    INSERT INTO subjects (id, external_ref, locale, status)
    SELECT subject_id, ref, 'ru-RU', 'active' FROM ids
    RETURNING id
), new_events AS (
    INSERT INTO consent_events (id, subject_id, purpose_code, action, policy_version_id, channel, occurred_at, request_id)
    SELECT i.event_id, s.id, 'analytics', 'grant', (SELECT id FROM policy_versions WHERE label = 'bench-v1'), 'api',
           i.occurred_at, 'bench-' || i.ref
    FROM ids i JOIN new_subjects s ON s.id = i.subject_id
    RETURNING id, subject_id, occurred_at, recorded_at
), new_states AS (
    INSERT INTO consent_states (subject_id, purpose_code, event_id, action, occurred_at, recorded_at)
    SELECT subject_id, 'analytics', id, 'grant', occurred_at, recorded_at FROM new_events
    RETURNING event_id
), new_jobs AS (
    INSERT INTO jobs (kind, payload, max_attempts, unique_key, subject_id)
    SELECT 'consent_change_notice', jsonb_build_object('notice_id', i.notice_id::text), 20,
           'consent_change_notice:' || i.notice_id::text, i.subject_id
    FROM ids i JOIN new_states st ON st.event_id = i.event_id
    RETURNING id, subject_id
)
INSERT INTO consent_change_notices (id, consent_event_id, subject_id, recipient_id, purpose_code, action, occurred_at, job_id)
SELECT i.notice_id, i.event_id, i.subject_id, (SELECT id FROM recipients WHERE code = 'bench-analytics'), 'analytics', 'grant',
       i.occurred_at, j.id
FROM ids i JOIN new_jobs j ON j.subject_id = i.subject_id;

SELECT pg_notify('custodian_jobs', 'consent_change_notice');
