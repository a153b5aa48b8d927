-- A stored response that names a subject is sealed under that subject's key (erasure shreds it, in backups too) and
-- records which subject it names, so the erasure can delete it without reading it.
ALTER TABLE idempotency_keys ADD COLUMN subject_id uuid;
CREATE INDEX idempotency_keys_subject_idx ON idempotency_keys (subject_id) WHERE subject_id IS NOT NULL;
