-- Foundation: API keys, data subjects, the append-only audit trail and idempotency records.

CREATE TABLE api_keys (
    id uuid PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    scope text NOT NULL CHECK (scope IN ('shop', 'dpo')),
    -- The public part of the key, used to find the row; the secret is stored only as a SHA-256 hash.
    lookup_id text NOT NULL UNIQUE,
    secret_hash bytea NOT NULL CHECK (length(secret_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

CREATE TABLE subjects (
    id uuid PRIMARY KEY,
    external_ref text NOT NULL,
    full_name text,
    email text,
    phone text,
    registration_address text,
    locale text NOT NULL,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'restricted', 'erased')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX subjects_external_ref_key ON subjects (external_ref);
CREATE UNIQUE INDEX subjects_email_key ON subjects (lower(email));
CREATE INDEX subjects_phone_idx ON subjects (phone, id);

-- One row for every write of personal data and every read of a subject's record.
CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    api_key_id uuid REFERENCES api_keys (id),
    action text NOT NULL,
    subject_id uuid REFERENCES subjects (id),
    request_id text NOT NULL
);

CREATE INDEX audit_log_subject_idx ON audit_log (subject_id, id);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- Responses kept for 24 hours so a retried POST with the same Idempotency-Key replays the first answer.
CREATE TABLE idempotency_keys (
    api_key_id uuid NOT NULL REFERENCES api_keys (id),
    key text NOT NULL,
    request_hash bytea NOT NULL,
    -- Set while the first request runs; a crashed request's key is usable again after this time.
    locked_until timestamptz,
    response_status integer,
    response_location text,
    response_body bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (api_key_id, key)
);

CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
