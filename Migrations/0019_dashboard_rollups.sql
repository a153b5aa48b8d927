-- Small rollup tables behind the console's dashboard, so that its charts never read the large tables: consent
-- events per day, transfers per week, job attempts per hour. Statement-level triggers keep them, one upsert per
-- statement (a whole batch of job attempts is one statement). Each backend adds to its own shard row
-- (pg_backend_pid() % 8), so that concurrent writers do not queue on one counter row; readers sum the shards.
-- Days and weeks are the controller's, in controller_settings.time_zone, which `custodian serve` and `custodian work`
-- set from CUSTODIAN_TIME_ZONE at start.

CREATE TABLE controller_settings (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    time_zone text NOT NULL DEFAULT 'Europe/Moscow'
);
INSERT INTO controller_settings DEFAULT VALUES;

-- The controller's calendar day of an instant.
CREATE FUNCTION controller_day(instant timestamptz) RETURNS date LANGUAGE sql STABLE AS $$
    SELECT (instant AT TIME ZONE (SELECT time_zone FROM controller_settings))::date
$$;

CREATE TABLE consent_daily (
    day date NOT NULL,
    purpose_code text NOT NULL,
    action text NOT NULL,
    shard smallint NOT NULL,
    count bigint NOT NULL,
    PRIMARY KEY (day, purpose_code, action, shard)
);

CREATE TABLE transfer_weekly (
    week date NOT NULL,
    recipient_id uuid NOT NULL,
    shard smallint NOT NULL,
    count bigint NOT NULL,
    PRIMARY KEY (week, recipient_id, shard)
);

CREATE TABLE job_attempt_hourly (
    hour timestamptz NOT NULL,
    outcome text NOT NULL,
    shard smallint NOT NULL,
    count bigint NOT NULL,
    PRIMARY KEY (hour, outcome, shard)
);

CREATE FUNCTION consent_daily_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO consent_daily (day, purpose_code, action, shard, count)
    SELECT controller_day(occurred_at), purpose_code, action, pg_backend_pid() % 8, count(*) FROM inserted
    GROUP BY 1, 2, 3
    ON CONFLICT (day, purpose_code, action, shard) DO UPDATE SET count = consent_daily.count + EXCLUDED.count;
    RETURN NULL;
END $$;

CREATE FUNCTION transfer_weekly_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO transfer_weekly (week, recipient_id, shard, count)
    SELECT date_trunc('week', controller_day(transferred_at))::date, recipient_id, pg_backend_pid() % 8, count(*) FROM inserted
    GROUP BY 1, 2
    ON CONFLICT (week, recipient_id, shard) DO UPDATE SET count = transfer_weekly.count + EXCLUDED.count;
    RETURN NULL;
END $$;

CREATE FUNCTION job_attempt_hourly_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO job_attempt_hourly (hour, outcome, shard, count)
    SELECT date_trunc('hour', started_at), outcome, pg_backend_pid() % 8, count(*) FROM inserted
    GROUP BY 1, 2
    ON CONFLICT (hour, outcome, shard) DO UPDATE SET count = job_attempt_hourly.count + EXCLUDED.count;
    RETURN NULL;
END $$;

CREATE TRIGGER consent_events_daily AFTER INSERT ON consent_events
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION consent_daily_add();
CREATE TRIGGER transfers_weekly AFTER INSERT ON transfers
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION transfer_weekly_add();
CREATE TRIGGER job_attempts_hourly AFTER INSERT ON job_attempts
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION job_attempt_hourly_add();

-- What happened before the rollups existed.
INSERT INTO consent_daily (day, purpose_code, action, shard, count)
SELECT controller_day(occurred_at), purpose_code, action, 0, count(*) FROM consent_events GROUP BY 1, 2, 3;
INSERT INTO transfer_weekly (week, recipient_id, shard, count)
SELECT date_trunc('week', controller_day(transferred_at))::date, recipient_id, 0, count(*) FROM transfers GROUP BY 1, 2;
INSERT INTO job_attempt_hourly (hour, outcome, shard, count)
SELECT date_trunc('hour', started_at), outcome, 0, count(*) FROM job_attempts GROUP BY 1, 2;

-- The requests chart: requests closed, by when.
CREATE INDEX subject_request_events_closed_idx ON subject_request_events (occurred_at)
    WHERE status IN ('completed', 'denied', 'cancelled');
CREATE INDEX subject_requests_received_idx ON subject_requests (received_on);
