-- The e-mail provider every benchmark newsletter opt-out goes to: PartnerSim on 127.0.0.1, signing with PartnerSim's
-- secret (the same PartnerSim as the courier, as scripts/run registers it).
-- psql variables: base_url (http://127.0.0.1:PORT), secret (whsec_...).
-- Columns and checks: Migrations/0006_recipients.sql. Re-running points the recipient at the new port and secret.
INSERT INTO recipients (id, code, name, kind, base_url, signing_secret, country, country_adequate, data_categories, active)
VALUES (gen_random_uuid(), 'bench-mail', 'Benchmark e-mail provider (PartnerSim)', 'email_provider', :'base_url', :'secret',
        'RU', true, '{full_name,email}', true)
ON CONFLICT (code) DO UPDATE SET base_url = EXCLUDED.base_url, signing_secret = EXCLUDED.signing_secret,
    active = true, updated_at = now();
