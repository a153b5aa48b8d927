-- One row per run of a job: when, how long, the HTTP status if a call was made, and the error (never personal data).

CREATE TABLE job_attempts (
    job_id bigint NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt integer NOT NULL CHECK (attempt >= 1),
    worker text NOT NULL,
    started_at timestamptz NOT NULL,
    duration_ms integer NOT NULL CHECK (duration_ms >= 0),
    outcome text NOT NULL CHECK (outcome IN ('succeeded', 'retry', 'failed')),
    http_status integer,
    error text,
    PRIMARY KEY (job_id, attempt)
);

-- Rescuing expired leases and pruning finished jobs look these up.
CREATE INDEX jobs_running_lease_idx ON jobs (lease_expires_at) WHERE state = 'running';
CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE state = 'succeeded';

-- The job table churns: vacuum it sooner than the default.
ALTER TABLE jobs SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
