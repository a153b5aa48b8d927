-- The privacy center's e-mail verification (issue 23). One row per code requested for a known address — an unknown
-- address leaves nothing here. The code itself is never stored: it is derived from the row's id under
-- CUSTODIAN_PRIVACY_KEY, which serve and work share. A verified session keeps only the SHA-256 of its token.
CREATE TABLE privacy_verifications (
    id uuid PRIMARY KEY,
    subject_id uuid NOT NULL REFERENCES subjects (id),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    used_at timestamptz
);
CREATE INDEX privacy_verifications_subject_idx ON privacy_verifications (subject_id, created_at DESC);

CREATE TABLE privacy_sessions (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    subject_id uuid NOT NULL REFERENCES subjects (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX privacy_sessions_subject_idx ON privacy_sessions (subject_id);
