-- The consent and transfer rollup triggers of 0020, reading the controller's time zone once per statement (an
-- uncorrelated sub-select, run once) instead of calling controller_day() per row. controller_day() is a SQL function
-- with a sub-select, which PostgreSQL cannot inline, so its body was planned again on every trigger run: 22-31 µs of
-- planning on every consent write and every transfer. With pg_stat_statements over 5,000 newsletter opt-outs and
-- 5,000 consent notices, a transfer's rollup took 78-110 µs inside PostgreSQL before and 33-42 after. Same days, weeks
-- and shards as before and, as before, a missing controller_settings row makes the day NULL and the write fail rather
-- than go uncounted.

CREATE OR REPLACE FUNCTION consent_daily_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO consent_daily (day, purpose_code, action, shard, count)
    SELECT (occurred_at AT TIME ZONE (SELECT time_zone FROM controller_settings))::date, purpose_code, action,
           pg_backend_pid() % 8, count(*)
    FROM inserted
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (day, purpose_code, action, shard) DO UPDATE SET count = consent_daily.count + EXCLUDED.count;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION transfer_weekly_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO transfer_weekly (week, recipient_id, shard, count)
    SELECT date_trunc('week', (transferred_at AT TIME ZONE (SELECT time_zone FROM controller_settings))::date)::date,
           recipient_id, pg_backend_pid() % 8, count(*)
    FROM inserted
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (week, recipient_id, shard) DO UPDATE SET count = transfer_weekly.count + EXCLUDED.count;
    RETURN NULL;
END $$;
