-- The identities an erasure cascade must still send once the subject's own key is gone are sealed under a key of the
-- cascade's own, wrapped like the subjects' keys. The daily sweep deletes it once no request or task of the cascade
-- holds identities any more.
CREATE TABLE custodian_keys.erasure_keys (
    cascade_id uuid PRIMARY KEY,
    kek_id text NOT NULL,
    wrapped bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
