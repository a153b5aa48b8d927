-- pgbench: the very SQL the API runs for GET /v1/subjects/{id} with a key it has cached (APIKeyCache: no key lookup):
-- SubjectReadStatement, prepared as the API prepares it (the subject with its wrapped data key, and its audit row
-- when the key may read it), here for a dpo key. Variables (pgbench -D): subjects, key_id.
-- pgbench-protocol: prepared
\set n random(1, :subjects)
WITH subject AS (SELECT s.id, s.external_ref, s.full_name, s.email, s.phone, s.registration_address, s.locale, s.has_account, s.status,
                        s.created_at, s.updated_at, k.kek_id, k.wrapped
                 FROM subjects s LEFT JOIN custodian_keys.subject_keys k ON k.subject_id = s.id WHERE s.id = md5('s' || :n)::uuid),
audited AS (
    INSERT INTO audit_log (api_key_id, user_id, action, subject_id, request_id)
    SELECT :key_id, NULL, 'subject.read', id, 'pgbench' FROM subject
    WHERE status = ANY('{active,restricted,erased}'::text[])  -- a dpo key may read every subject
)
SELECT * FROM subject;
