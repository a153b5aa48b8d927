-- Personal data sealed under per-subject data keys (crypto-shredding). Each subject's AES-256 data key, wrapped by a
-- key-encryption key that is never stored here, lives in the schema custodian_keys: keep long-lived backups of the
-- data without it (pg_dump --exclude-schema=custodian_keys) and back the keys up apart, so that an erasure, which
-- deletes the subject's key, reaches every backup taken before it. No foreign key: the two are restored apart.
CREATE SCHEMA custodian_keys;

CREATE TABLE custodian_keys.subject_keys (
    subject_id uuid PRIMARY KEY,
    kek_id text NOT NULL,
    wrapped bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Name, e-mail, phone and registration address now hold sealed text (see DataKey); lookups and uniqueness use keyed
-- blind indexes. Rows written before hold plain text until `custodian encrypt-existing` seals them; until then the
-- plain unique index still guards their e-mails.
ALTER TABLE subjects ADD COLUMN email_index bytea CHECK (length(email_index) = 32);
ALTER TABLE subjects ADD COLUMN phone_index bytea CHECK (length(phone_index) = 32);
ALTER INDEX subjects_email_key RENAME TO subjects_plain_email_key;
CREATE UNIQUE INDEX subjects_email_key ON subjects (email_index);
CREATE INDEX subjects_phone_index_idx ON subjects (phone_index, id);
