-- The courier every benchmark shipment goes to: PartnerSim on 127.0.0.1, signing with PartnerSim's secret.
-- psql variables: base_url (http://127.0.0.1:PORT), secret (whsec_...).
-- Columns and checks: Migrations/0006_recipients.sql. Re-running points the recipient at the new port and secret.
INSERT INTO recipients (id, code, name, kind, base_url, signing_secret, country, country_adequate, data_categories, active)
VALUES (gen_random_uuid(), 'bench-courier', 'Benchmark courier (PartnerSim)', 'courier', :'base_url', :'secret',
        'RU', true, '{full_name,phone,delivery_address}', true)
ON CONFLICT (code) DO UPDATE SET base_url = EXCLUDED.base_url, signing_secret = EXCLUDED.signing_secret,
    active = true, updated_at = now();
