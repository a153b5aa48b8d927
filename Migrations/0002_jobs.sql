-- The job queue drained by `custodian work`. Jobs are enqueued in the transaction of the change that causes them
-- (transactional outbox), so a committed change always has its job and a job always has its committed change.
-- Payloads hold ids only: personal data is read from its tables when the job runs.

CREATE TABLE jobs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,63}$'),
    payload jsonb NOT NULL DEFAULT '{}'::jsonb,
    state text NOT NULL DEFAULT 'available'
        CHECK (state IN ('available', 'running', 'succeeded', 'failed', 'cancelled')),
    priority smallint NOT NULL DEFAULT 0,
    attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    max_attempts integer NOT NULL DEFAULT 25 CHECK (max_attempts >= 1),
    run_at timestamptz NOT NULL DEFAULT now(),
    lease_owner text,
    lease_expires_at timestamptz,
    -- At most one live (available or running) job per unique key.
    unique_key text,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);

CREATE UNIQUE INDEX jobs_live_unique_key ON jobs (unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('available', 'running');
CREATE INDEX jobs_claimable_idx ON jobs (priority DESC, run_at, id) WHERE state = 'available';
CREATE INDEX jobs_kind_state_idx ON jobs (kind, state);
