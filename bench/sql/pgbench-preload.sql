-- Fills the queue pgbench drains: :n available jobs of a kind no worker runs (`bench_noop`; jobs.kind only has to
-- match ^[a-z][a-z0-9_]{0,63}$). Same payload shape and size as a courier transfer job.
-- psql variables: n.
INSERT INTO jobs (kind, payload, max_attempts)
SELECT 'bench_noop', jsonb_build_object('shipment_id', gen_random_uuid()::text), 12
FROM generate_series(1, :n);
