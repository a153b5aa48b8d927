-- Recipients' API tokens and signing secrets are stored sealed by the key-encryption key (which never enters the
-- database): a marker, the KEK's id, the wrapped secret. Secrets written before stay plain until
-- `custodian encrypt-existing` seals them.
ALTER TABLE recipients DROP CONSTRAINT recipients_signing_secret_check;
ALTER TABLE recipients ADD CONSTRAINT recipients_signing_secret_check
    CHECK (signing_secret LIKE 'whsec_%' OR left(signing_secret, 1) = chr(1));
