-- pgbench: the very SQL the API runs for GET /v1/subjects/{id} with a key it has cached (APIKeyCache: no key lookup):
-- SubjectRepository.read's single statement (the subject and its audit row). Variables (pgbench -D): subjects, key_id; -M extended.
\set n random(1, :subjects)
WITH subject AS (SELECT id, external_ref, full_name, email, phone, registration_address, locale, status, created_at, updated_at
                 FROM subjects WHERE id = md5('s' || :n)::uuid),
audited AS (
    INSERT INTO audit_log (api_key_id, action, subject_id, request_id)
    SELECT :key_id, 'subject.read', id, 'pgbench' FROM subject
)
SELECT id, external_ref, full_name, email, phone, registration_address, locale, status, created_at, updated_at FROM subject;
