-- The data subject acting for itself (issue 23): an unsubscribe link clicked, later the privacy center. Such rows
-- carry no API key and no console user, and say so: actor_kind 'subject'.
ALTER TABLE audit_log ADD COLUMN by_subject boolean NOT NULL DEFAULT false;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_subject_acts_alone CHECK (NOT by_subject OR (api_key_id IS NULL AND user_id IS NULL));
ALTER TABLE audit_log DROP COLUMN actor_kind;
ALTER TABLE audit_log ADD COLUMN actor_kind text GENERATED ALWAYS AS (
    CASE WHEN by_subject THEN 'subject' WHEN user_id IS NOT NULL THEN 'user' WHEN api_key_id IS NOT NULL THEN 'api_key' ELSE 'system' END
) STORED;
