-- The DPO console's people: named users with a role, the one-time links they enrol with (password and TOTP), their
-- server-side sessions, and the failed logins that throttle guessing. Tokens are stored as SHA-256 hashes only.

CREATE TABLE console_users (
    id uuid PRIMARY KEY,
    email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    role text NOT NULL CHECK (role IN ('dpo', 'viewer')),
    -- pbkdf2-sha256$ITERATIONS$SALT$HASH, set at enrolment.
    password_hash text,
    -- The TOTP secret (required for the dpo role), and the last step accepted: a code works once.
    totp_secret bytea,
    totp_last_step bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    enrolled_at timestamptz,
    disabled_at timestamptz,
    CHECK (enrolled_at IS NULL OR password_hash IS NOT NULL),
    CHECK (role <> 'dpo' OR enrolled_at IS NULL OR totp_secret IS NOT NULL)
);

CREATE UNIQUE INDEX console_users_email_key ON console_users (email);

CREATE TABLE console_enrolments (
    token_hash bytea PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES console_users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);

CREATE INDEX console_enrolments_user_idx ON console_enrolments (user_id);

CREATE TABLE console_sessions (
    token_hash bytea PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES console_users (id),
    -- The token every state-changing form of this session carries.
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    ended_at timestamptz
);

CREATE INDEX console_sessions_user_idx ON console_sessions (user_id) WHERE ended_at IS NULL;

-- One row per failed login, by account (the e-mail as typed, lowercased) and by client address; old rows are pruned.
CREATE TABLE console_login_failures (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account text NOT NULL,
    client_address text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX console_login_failures_account_idx ON console_login_failures (account, failed_at);
CREATE INDEX console_login_failures_address_idx ON console_login_failures (client_address, failed_at);
