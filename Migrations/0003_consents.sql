-- Purposes of processing, the privacy-policy versions customers are shown, and the append-only consent events
-- with the current state per subject and purpose.

CREATE TABLE purposes (
    code text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,63}$'),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '',
    legal_basis text NOT NULL CHECK (legal_basis IN ('consent', 'contract', 'legal_obligation', 'legitimate_interest')),
    requires_consent boolean NOT NULL,
    -- How long data kept for this purpose may be retained after the purpose ends.
    retention_days integer NOT NULL CHECK (retention_days BETWEEN 0 AND 36500),
    -- Which kinds of third party may receive data for this purpose.
    recipient_kinds text[] NOT NULL DEFAULT '{}'
        CHECK (recipient_kinds <@ ARRAY['email_provider', 'courier', 'analytics', 'other']),
    -- Which categories of personal data the purpose uses.
    data_categories text[] NOT NULL DEFAULT '{}'
        CHECK (data_categories <@ ARRAY['full_name', 'email', 'phone', 'registration_address', 'delivery_address']),
    retired_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (legal_basis <> 'consent' OR requires_consent)
);

INSERT INTO purposes (code, title, description, legal_basis, requires_consent, retention_days, recipient_kinds, data_categories) VALUES
    ('account', 'Customer account', 'Registering and keeping the customer''s account.',
        'contract', false, 1095, '{}', '{full_name,email,phone,registration_address}'),
    ('order_fulfilment', 'Order fulfilment', 'Accepting, paying for and fulfilling orders; accounting records.',
        'contract', false, 1825, '{}', '{full_name,email,phone,delivery_address}'),
    ('delivery', 'Delivery by couriers', 'Transfer of delivery data to courier services.',
        'contract', false, 30, '{courier}', '{full_name,phone,delivery_address}'),
    ('newsletter', 'Newsletter and offers', 'News and offers by e-mail.',
        'consent', true, 30, '{email_provider}', '{full_name,email}'),
    ('personalised_offers', 'Personalised offers', 'Offers chosen from the customer''s purchases and behaviour.',
        'consent', true, 30, '{email_provider,analytics}', '{full_name,email,phone}'),
    ('advertising', 'Advertising', 'Showing the shop''s advertising on other sites and networks.',
        'consent', true, 30, '{analytics,other}', '{email,phone}'),
    ('analytics', 'Analytics', 'Measuring how the shop is used to improve it.',
        'consent', true, 30, '{analytics}', '{email}'),
    ('cross_border_transfer', 'Cross-border transfer', 'Transfer of personal data to recipients in other countries.',
        'consent', true, 30, '{email_provider,analytics,other}', '{full_name,email,phone}'),
    ('support', 'Customer support', 'Answering the customer''s questions, feedback and complaints.',
        'legitimate_interest', false, 365, '{}', '{full_name,email,phone}');

CREATE TABLE policy_versions (
    id uuid PRIMARY KEY,
    label text NOT NULL UNIQUE CHECK (length(label) BETWEEN 1 AND 64),
    url text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    text_sha256 text NOT NULL CHECK (text_sha256 ~ '^[0-9a-f]{64}$'),
    effective_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION reject_change_of_append_only_table() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- Append-only: a trigger rejects UPDATE, DELETE and TRUNCATE.
CREATE TABLE consent_events (
    id uuid PRIMARY KEY,
    subject_id uuid NOT NULL REFERENCES subjects (id),
    purpose_code text NOT NULL REFERENCES purposes (code),
    action text NOT NULL CHECK (action IN ('grant', 'withdraw')),
    policy_version_id uuid NOT NULL REFERENCES policy_versions (id),
    channel text NOT NULL CHECK (channel IN ('web_form', 'checkout', 'email_link', 'call_centre', 'api')),
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- Evidence; the address is stored truncated (IPv4 /24, IPv6 /48).
    ip_address inet,
    user_agent text,
    form_id text,
    api_key_id uuid REFERENCES api_keys (id),
    request_id text NOT NULL
);

CREATE INDEX consent_events_subject_idx ON consent_events (subject_id, occurred_at DESC, recorded_at DESC);

CREATE TRIGGER consent_events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON consent_events
    FOR EACH ROW EXECUTE FUNCTION reject_change_of_append_only_table();

CREATE TRIGGER consent_events_no_truncate
    BEFORE TRUNCATE ON consent_events
    FOR EACH STATEMENT EXECUTE FUNCTION reject_change_of_append_only_table();

-- The current state per subject and purpose: the event with the latest occurred_at (then recorded_at) wins.
CREATE TABLE consent_states (
    subject_id uuid NOT NULL REFERENCES subjects (id),
    purpose_code text NOT NULL REFERENCES purposes (code),
    event_id uuid NOT NULL REFERENCES consent_events (id),
    action text NOT NULL CHECK (action IN ('grant', 'withdraw')),
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (subject_id, purpose_code)
);
