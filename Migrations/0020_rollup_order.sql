-- The rollup triggers of 0019, corrected: each upserts its keys in one order (two backends on one shard upserting
-- several keys in different orders could deadlock), and an attempt's hour is the UTC hour whatever the session's
-- time zone (the dashboard keys hours in UTC). The controller's time zone is recorded by `custodian migrate` (not by
-- serve and work, as 0019's header says), which recounts the daily and weekly rollups when it changes.

CREATE OR REPLACE FUNCTION consent_daily_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO consent_daily (day, purpose_code, action, shard, count)
    SELECT controller_day(occurred_at), purpose_code, action, pg_backend_pid() % 8, count(*) FROM inserted
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (day, purpose_code, action, shard) DO UPDATE SET count = consent_daily.count + EXCLUDED.count;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION transfer_weekly_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO transfer_weekly (week, recipient_id, shard, count)
    SELECT date_trunc('week', controller_day(transferred_at))::date, recipient_id, pg_backend_pid() % 8, count(*) FROM inserted
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (week, recipient_id, shard) DO UPDATE SET count = transfer_weekly.count + EXCLUDED.count;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION job_attempt_hourly_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO job_attempt_hourly (hour, outcome, shard, count)
    SELECT date_trunc('hour', started_at, 'UTC'), outcome, pg_backend_pid() % 8, count(*) FROM inserted
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (hour, outcome, shard) DO UPDATE SET count = job_attempt_hourly.count + EXCLUDED.count;
    RETURN NULL;
END $$;

-- Hours counted before this migration in a session zone other than UTC are recounted.
TRUNCATE job_attempt_hourly;
INSERT INTO job_attempt_hourly (hour, outcome, shard, count)
SELECT date_trunc('hour', started_at, 'UTC'), outcome, 0, count(*) FROM job_attempts GROUP BY 1, 2;
