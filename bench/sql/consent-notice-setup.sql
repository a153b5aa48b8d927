-- What every benchmark consent change notice needs beside its own rows: the policy version its consent events cite
-- and the analytics recipient it goes to, PartnerSim on 127.0.0.1 signing with PartnerSim's secret (as
-- newsletter-recipient.sql registers the e-mail provider).
-- psql variables: base_url (http://127.0.0.1:PORT), secret (whsec_...).
-- Columns and checks: Migrations/0003_consents.sql (policy_versions), 0006_recipients.sql, 0030 (pseudonym_key, by
-- default random), 0031 (delivery_mode, by default api). Re-running points the recipient at the new port and secret.
INSERT INTO policy_versions (id, label, url, text_sha256, effective_at)
VALUES (gen_random_uuid(), 'bench-v1', 'https://shop.example/privacy', repeat('b', 64), now() - interval '1 day')
ON CONFLICT (label) DO NOTHING;

INSERT INTO recipients (id, code, name, kind, base_url, signing_secret, country, country_adequate, data_categories, active)
VALUES (gen_random_uuid(), 'bench-analytics', 'Benchmark analytics (PartnerSim)', 'analytics', :'base_url', :'secret',
        'RU', true, '{pseudonymous_id}', true)
ON CONFLICT (code) DO UPDATE SET base_url = EXCLUDED.base_url, signing_secret = EXCLUDED.signing_secret,
    active = true, updated_at = now();
