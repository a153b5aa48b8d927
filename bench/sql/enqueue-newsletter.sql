-- Enqueues :n newsletter opt-outs the way a withdrawal of `newsletter` consent does (ConsentRepository.record): per
-- opt-out one active subject with an e-mail address and its `newsletter_opt_out` job, whose payload names the subject
-- and the withdrawal (here an id of no stored event: the handler reads only the subject) and which names its subject.
-- Then one NOTIFY, as JobQueue.enqueue does. The caller wraps this file in a transaction (psql -1, or BEGIN/COMMIT).
--
-- psql variables: n (how many), tag (unique per call: external refs and e-mails are unique).
-- Constraints: Migrations/0001 (subjects), 0002 (jobs).
WITH ids AS MATERIALIZED (
    SELECT g, gen_random_uuid() AS subject_id, :'tag' || '-' || g AS ref FROM generate_series(1, :n) AS g
), new_subjects AS (
    INSERT INTO subjects (id, external_ref, full_name, email, locale, status)
    SELECT subject_id, ref, 'Bench Subscriber ' || g, ref || '@bench.example', 'ru-RU', 'active' FROM ids
)
INSERT INTO jobs (kind, payload, max_attempts, subject_id)
SELECT 'newsletter_opt_out',
       jsonb_build_object('subject_id', subject_id::text, 'consent_event_id', gen_random_uuid()::text), 20, subject_id
FROM ids;

SELECT pg_notify('custodian_jobs', 'newsletter_opt_out');
