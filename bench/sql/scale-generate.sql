-- bench/scale: fills a migrated database (psql variables: subjects, events_per_subject, orders, transfers).
-- Deterministic ids (md5 of a prefix and the row number, so random-looking like the API's UUIDs); subject n has
-- e-mail scale<n>@scale.example, phone +7916<n, 7 digits>, external_ref ext-<n>. Subjects 1..20 get 20 orders each
-- (the erasure targets); the other orders go round the remaining subjects. Transfers 1..orders are courier
-- hand-overs of order n, the rest newsletter transfers to the e-mail provider.
\set ON_ERROR_STOP 1
SET work_mem = '256MB';
SET maintenance_work_mem = '512MB';
SET synchronous_commit = off;
-- The rows are consistent by construction: skip the foreign-key triggers while loading (3x faster).
SET session_replication_role = replica;

INSERT INTO policy_versions (id, label, url, text_sha256, effective_at)
VALUES (md5('policy-v1')::uuid, 'v1', 'https://shop.example/privacy', repeat('a', 64), now() - interval '3 years');

INSERT INTO recipients (id, code, name, kind, base_url, signing_secret, country, country_adequate, data_categories) VALUES
    (md5('courier')::uuid, 'scale-courier', 'Scale courier', 'courier', 'http://127.0.0.1:9', 'whsec_' || encode(sha256('c'), 'base64'),
     'RU', true, '{full_name,phone,delivery_address}'),
    (md5('mailer')::uuid, 'scale-mailer', 'Scale mailer', 'email_provider', 'http://127.0.0.1:9', 'whsec_' || encode(sha256('m'), 'base64'),
     'RU', true, '{full_name,email}');

\echo subjects
INSERT INTO subjects (id, external_ref, full_name, email, phone, registration_address, locale, status, created_at, updated_at)
SELECT md5('s' || n)::uuid, 'ext-' || n, 'Scale Customer ' || n, 'scale' || n || '@scale.example',
       '+7916' || lpad(n::text, 7, '0'), 'Moscow, Tverskaya ' || (n % 300), 'ru-RU', 'active',
       now() - interval '3 years', now() - interval '3 years'
FROM generate_series(1, :subjects) AS n;

-- Consent events: per subject, a grant of five consent purposes, then for each a later withdrawal (even k) or a
-- repeated grant (odd k); event k of a subject is day k of its history.
\echo consent events
INSERT INTO consent_events (id, subject_id, purpose_code, action, policy_version_id, channel, occurred_at, recorded_at,
                            ip_address, user_agent, form_id, request_id)
SELECT md5('e' || g)::uuid, md5('s' || ((g - 1) / :events_per_subject + 1))::uuid,
       (ARRAY['newsletter', 'analytics', 'personalised_offers', 'advertising', 'cross_border_transfer'])[(g - 1) % :events_per_subject % 5 + 1],
       CASE WHEN (g - 1) % :events_per_subject < 5 OR (g - 1) % :events_per_subject % 2 = 1 THEN 'grant' ELSE 'withdraw' END,
       md5('policy-v1')::uuid, 'web_form',
       now() - interval '400 days' + ((g - 1) % :events_per_subject) * interval '1 day',
       now() - interval '400 days' + ((g - 1) % :events_per_subject) * interval '1 day',
       '203.0.113.0'::inet, 'Mozilla/5.0 (scale)', 'signup', 'scale'
FROM generate_series(1, :subjects::bigint * :events_per_subject) AS g;

\echo consent states
-- The current state of purpose p (0..4) is the subject's last event k with k % 5 = p.
INSERT INTO consent_states (subject_id, purpose_code, event_id, action, occurred_at, recorded_at)
SELECT e.subject_id, e.purpose_code, e.id, e.action, e.occurred_at, e.recorded_at
FROM generate_series(1, :subjects) AS n, generate_series(0, 4) AS p,
     LATERAL (SELECT (n - 1)::bigint * :events_per_subject + p + 5 * ((:events_per_subject - 1 - p) / 5) + 1 AS g) AS last
JOIN consent_events e ON e.id = md5('e' || last.g)::uuid;

\echo orders
INSERT INTO orders (id, subject_id, external_ref, status, currency, total_minor, delivery_recipient_name, delivery_phone,
                    delivery_address_lines, delivery_city, delivery_postal_code, delivery_country, placed_at, status_changed_at, updated_at)
SELECT md5('o' || g)::uuid,
       md5('s' || CASE WHEN g <= 400 THEN (g - 1) / 20 + 1 ELSE (g - 401) % (:subjects - 20) + 21 END)::uuid,
       'ord-' || g, 'delivered', 'RUB', 129900, 'Scale Customer', '+79160000000', ARRAY['Tverskaya ' || (g % 300), 'flat 1'],
       'Moscow', '125009', 'RU', now() - interval '200 days', now() - interval '190 days', now() - interval '190 days'
FROM generate_series(1, :orders) AS g;

INSERT INTO order_items (order_id, line_no, sku, name, quantity, unit_price_minor)
SELECT md5('o' || g)::uuid, 1, 'SKU-' || (g % 1000), 'Kettle', 1, 129900 FROM generate_series(1, :orders) AS g;

\echo transfers
INSERT INTO transfers (recipient_id, subject_id, order_id, data_categories, purpose_code, legal_basis, transferred_at)
SELECT CASE WHEN g <= :orders THEN md5('courier')::uuid ELSE md5('mailer')::uuid END,
       md5('s' || CASE WHEN g <= :orders THEN CASE WHEN g <= 400 THEN (g - 1) / 20 + 1 ELSE (g - 401) % (:subjects - 20) + 21 END
                       ELSE (g - 1) % :subjects + 1 END)::uuid,
       CASE WHEN g <= :orders THEN md5('o' || g)::uuid END,
       CASE WHEN g <= :orders THEN '{full_name,phone,delivery_address}'::text[] ELSE '{full_name,email}'::text[] END,
       CASE WHEN g <= :orders THEN 'delivery' ELSE 'newsletter' END,
       CASE WHEN g <= :orders THEN 'contract' ELSE 'consent' END,
       now() - interval '195 days'
FROM generate_series(1, :transfers) AS g;

SET session_replication_role = DEFAULT;

-- The loading above skipped every trigger, the dashboard's rollups (migration 0019) among them: count them as the
-- migration does for data that predates it.
\echo rollups
INSERT INTO consent_daily (day, purpose_code, action, shard, count)
SELECT controller_day(occurred_at), purpose_code, action, 0, count(*) FROM consent_events GROUP BY 1, 2, 3;
INSERT INTO transfer_weekly (week, recipient_id, shard, count)
SELECT date_trunc('week', controller_day(transferred_at))::date, recipient_id, 0, count(*) FROM transfers GROUP BY 1, 2;
\echo vacuum analyze
VACUUM ANALYZE;
