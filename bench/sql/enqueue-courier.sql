-- Enqueues :n courier transfers the way `POST /v1/orders/{id}/shipments` does (ShipmentRepository.create): per
-- transfer one active subject, one paid order with its delivery block and one item, one pending shipment to the
-- `bench-courier` recipient, and its `courier_transfer` job whose payload is the shipment id (lowercase uuid) and
-- which names its subject (as the API's jobs do, so a restriction could hold it).
-- Then one NOTIFY, as JobQueue.enqueue does. The caller wraps this file in a transaction (psql -1, or BEGIN/COMMIT).
--
-- psql variables: n (how many), tag (unique per call: external refs and e-mails are unique).
-- Constraints: Migrations/0001 (subjects), 0002 (jobs), 0004 (orders, order_items), 0008 (shipments).
-- All rows come from one statement: the CTEs share the generated ids, foreign keys are checked at its end.
WITH ids AS MATERIALIZED (
    SELECT g, gen_random_uuid() AS subject_id, gen_random_uuid() AS order_id, gen_random_uuid() AS shipment_id,
           :'tag' || '-' || g AS ref
    FROM generate_series(1, :n) AS g
), courier AS (
    SELECT id FROM recipients WHERE code = 'bench-courier'
), new_subjects AS (
    INSERT INTO subjects (id, external_ref, full_name, email, phone, locale, status)
    SELECT subject_id, ref, 'Bench Customer ' || g, ref || '@bench.example', '+7916' || lpad((g % 10000000)::text, 7, '0'),
           'ru-RU', 'active'
    FROM ids
), new_orders AS (
    INSERT INTO orders (id, subject_id, external_ref, status, currency, total_minor, delivery_recipient_name,
                        delivery_phone, delivery_address_lines, delivery_city, delivery_postal_code, delivery_country)
    SELECT order_id, subject_id, ref, 'paid', 'RUB', 149900, 'Bench Customer ' || g,
           '+7916' || lpad((g % 10000000)::text, 7, '0'), ARRAY['ul. Tverskaya, d. 7', 'kv. ' || (g % 500 + 1)],
           'Moscow', '125009', 'RU'
    FROM ids
), new_items AS (
    INSERT INTO order_items (order_id, line_no, sku, name, quantity, unit_price_minor)
    SELECT order_id, 1, 'SKU-BENCH-1', 'Benchmark parcel', 1, 149900 FROM ids
), new_jobs AS (
    INSERT INTO jobs (kind, payload, max_attempts, subject_id)
    SELECT 'courier_transfer', jsonb_build_object('shipment_id', shipment_id::text), 12, subject_id FROM ids
    RETURNING id, payload ->> 'shipment_id' AS shipment_id
)
INSERT INTO shipments (id, order_id, recipient_id, job_id)
SELECT ids.shipment_id, ids.order_id, courier.id, new_jobs.id
FROM ids JOIN new_jobs ON new_jobs.shipment_id = ids.shipment_id::text CROSS JOIN courier;

SELECT pg_notify('custodian_jobs', 'courier_transfer');
