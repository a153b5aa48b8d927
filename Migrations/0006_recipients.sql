-- Third parties that receive personal data: e-mail providers, couriers, analytics and others.

CREATE TABLE recipients (
    id uuid PRIMARY KEY,
    code text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_-]{1,63}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind text NOT NULL CHECK (kind IN ('email_provider', 'courier', 'analytics', 'other')),
    base_url text NOT NULL,
    -- Credential for the recipient's API; write-only through the API.
    api_token text,
    -- Standard Webhooks secret (whsec_…) that signs requests to the recipient and verifies its callbacks.
    signing_secret text NOT NULL CHECK (signing_secret LIKE 'whsec_%'),
    country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    -- Whether the country ensures adequate protection (152-FZ Art. 12); otherwise transfers need consent.
    country_adequate boolean NOT NULL,
    data_categories text[] NOT NULL DEFAULT '{}'
        CHECK (data_categories <@ ARRAY['full_name', 'email', 'phone', 'registration_address', 'delivery_address']),
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
