-- pgbench script: one worker batch with the worker's own SQL and nothing else (no handler work), so its rate is what
-- the database allows the queue loop. One run of this script = one batch = one pgbench "transaction".
--
-- The worker runs one statement per turn, JobCycleStatement.sql (Sources/CustodianQueue/JobCycleStatement.swift): it writes
-- the results of the jobs finished since the last turn and claims the next batch, one commit. pgbench cannot carry a
-- batch from one run of the script to the next, so each run uses the statement twice, verbatim: first with no results
-- and LIMIT :batch (a claim), then with the results of the jobs it claimed, all succeeded, and LIMIT 0 (a
-- completion). The two small reads before them only set the arrays (pgbench keeps one row per \gset). So this script
-- makes two commits per batch where the worker in a steady drain makes one. The lease owner is the client id.
--
-- Variables (pgbench -D): kinds ({bench_noop}: an array, as ../shared/peers passes it; the statement takes its first
-- element, the one kind a claim loop claims), batch (jobs per claim), lease (seconds). Run with -M extended: the
-- worker (PostgresNIO) also sends parameters with the extended protocol, and :name placeholders must become $n here.
-- BenchSQLAgreementTests fails when this file drifts from JobCycleStatement.swift: copy the statement again.

SELECT '{}'::bigint[] AS ids, '{}'::text[] AS outcomes, '{}'::timestamptz[] AS retry_ats, '{}'::text[] AS errors,
       '{}'::integer[] AS http_statuses, '{}'::timestamptz[] AS started_ats, '{}'::integer[] AS durations,
       '{}'::integer[] AS attempts, 0 AS none,
       (:kinds::text[])[1] AS kind
\gset

WITH result AS (
    SELECT id, outcome, NULLIF(retry_at, to_timestamp(0)) AS retry_at, NULLIF(error, '') AS error,
           NULLIF(http_status, 0) AS http_status, started_at, duration_ms, attempt
    FROM unnest(
        :ids::bigint[], :outcomes::text[],
        :retry_ats::timestamptz[], :errors::text[],
        :http_statuses::integer[], :started_ats::timestamptz[],
        :durations::integer[], :attempts::integer[]
    ) AS r(id, outcome, retry_at, error, http_status, started_at, duration_ms, attempt)
), written AS (
    UPDATE jobs j SET
        state = CASE
            WHEN r.outcome = 'succeeded' THEN 'succeeded'
            WHEN r.outcome = 'held' THEN 'held'
            WHEN r.outcome = 'retry' AND j.attempt < j.max_attempts THEN 'available'
            ELSE 'failed' END,
        run_at = CASE WHEN r.outcome = 'retry' AND j.attempt < j.max_attempts THEN COALESCE(r.retry_at, now()) ELSE j.run_at END,
        last_error = CASE
            WHEN r.outcome = 'retry' AND j.attempt >= j.max_attempts THEN left(COALESCE(r.error, '') || ' (no attempts left)', 1000)
            ELSE left(r.error, 1000) END,
        lease_owner = NULL, lease_expires_at = NULL, updated_at = now(),
        finished_at = CASE WHEN r.outcome = 'held' OR (r.outcome = 'retry' AND j.attempt < j.max_attempts) THEN NULL ELSE now() END
    FROM result r
    WHERE j.id = r.id AND j.lease_owner = :client_id::text AND j.state = 'running' AND j.attempt = r.attempt
    RETURNING j.id, j.attempt, r.outcome, r.http_status, r.error, r.started_at, r.duration_ms
), attempts AS (
    INSERT INTO job_attempts (job_id, attempt, worker, started_at, duration_ms, outcome, http_status, error)
    SELECT id, attempt, :client_id::text, started_at, duration_ms, outcome, http_status, left(error, 1000) FROM written
    RETURNING job_id
), next AS (
    SELECT id FROM jobs
    WHERE state = 'available' AND kind = :kind::text AND run_at <= now()
    ORDER BY priority DESC, run_at, id
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE jobs j SET state = 'running', attempt = j.attempt + 1, lease_owner = :client_id::text,
        lease_expires_at = now() + make_interval(secs => :lease), updated_at = now()
    FROM next WHERE j.id = next.id
    RETURNING j.id, j.kind, j.payload::text, j.attempt, j.max_attempts
)
SELECT id, kind, payload, attempt, max_attempts FROM claimed
UNION ALL SELECT job_id, NULL, NULL, NULL, NULL FROM attempts;

SELECT COALESCE(array_agg(id), '{}') AS ids,
       array_fill('succeeded'::text, ARRAY[count(*)::int]) AS outcomes,
       array_fill(to_timestamp(0), ARRAY[count(*)::int]) AS retry_ats,
       array_fill(''::text, ARRAY[count(*)::int]) AS errors,
       array_fill(0, ARRAY[count(*)::int]) AS http_statuses,
       array_fill(now(), ARRAY[count(*)::int]) AS started_ats,
       array_fill(1, ARRAY[count(*)::int]) AS durations,
       COALESCE(array_agg(attempt), '{}') AS attempts
FROM jobs WHERE state = 'running' AND lease_owner = :client_id::text
\gset

WITH result AS (
    SELECT id, outcome, NULLIF(retry_at, to_timestamp(0)) AS retry_at, NULLIF(error, '') AS error,
           NULLIF(http_status, 0) AS http_status, started_at, duration_ms, attempt
    FROM unnest(
        :ids::bigint[], :outcomes::text[],
        :retry_ats::timestamptz[], :errors::text[],
        :http_statuses::integer[], :started_ats::timestamptz[],
        :durations::integer[], :attempts::integer[]
    ) AS r(id, outcome, retry_at, error, http_status, started_at, duration_ms, attempt)
), written AS (
    UPDATE jobs j SET
        state = CASE
            WHEN r.outcome = 'succeeded' THEN 'succeeded'
            WHEN r.outcome = 'held' THEN 'held'
            WHEN r.outcome = 'retry' AND j.attempt < j.max_attempts THEN 'available'
            ELSE 'failed' END,
        run_at = CASE WHEN r.outcome = 'retry' AND j.attempt < j.max_attempts THEN COALESCE(r.retry_at, now()) ELSE j.run_at END,
        last_error = CASE
            WHEN r.outcome = 'retry' AND j.attempt >= j.max_attempts THEN left(COALESCE(r.error, '') || ' (no attempts left)', 1000)
            ELSE left(r.error, 1000) END,
        lease_owner = NULL, lease_expires_at = NULL, updated_at = now(),
        finished_at = CASE WHEN r.outcome = 'held' OR (r.outcome = 'retry' AND j.attempt < j.max_attempts) THEN NULL ELSE now() END
    FROM result r
    WHERE j.id = r.id AND j.lease_owner = :client_id::text AND j.state = 'running' AND j.attempt = r.attempt
    RETURNING j.id, j.attempt, r.outcome, r.http_status, r.error, r.started_at, r.duration_ms
), attempts AS (
    INSERT INTO job_attempts (job_id, attempt, worker, started_at, duration_ms, outcome, http_status, error)
    SELECT id, attempt, :client_id::text, started_at, duration_ms, outcome, http_status, left(error, 1000) FROM written
    RETURNING job_id
), next AS (
    SELECT id FROM jobs
    WHERE state = 'available' AND kind = :kind::text AND run_at <= now()
    ORDER BY priority DESC, run_at, id
    LIMIT :none
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE jobs j SET state = 'running', attempt = j.attempt + 1, lease_owner = :client_id::text,
        lease_expires_at = now() + make_interval(secs => :lease), updated_at = now()
    FROM next WHERE j.id = next.id
    RETURNING j.id, j.kind, j.payload::text, j.attempt, j.max_attempts
)
SELECT id, kind, payload, attempt, max_attempts FROM claimed
UNION ALL SELECT job_id, NULL, NULL, NULL, NULL FROM attempts;
