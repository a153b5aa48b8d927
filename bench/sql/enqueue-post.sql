-- Enqueues :n `bench_post` jobs for WorkerBench (bench/WorkerBench): each makes one signed POST of its id to
-- PartnerSim and touches no other table. Payload of the same shape and size as a courier transfer's. One NOTIFY, as
-- JobQueue.enqueue sends per transaction. psql variables: n.
INSERT INTO jobs (kind, payload, max_attempts)
SELECT 'bench_post', jsonb_build_object('shipment_id', gen_random_uuid()::text), 12
FROM generate_series(1, :n);
SELECT pg_notify('custodian_jobs', 'bench_post');
