-- Audit rows name who acted: an API key, a console user, or nobody for the system's own work (the worker, retention).
-- The data subject acting through the privacy center comes later. The kind follows from the actor columns, so no row
-- can name one kind and carry another's id.
ALTER TABLE audit_log ADD COLUMN user_id uuid REFERENCES console_users (id);
ALTER TABLE audit_log ADD CONSTRAINT audit_log_one_actor CHECK (api_key_id IS NULL OR user_id IS NULL);
ALTER TABLE audit_log ADD COLUMN actor_kind text GENERATED ALWAYS AS (
    CASE WHEN user_id IS NOT NULL THEN 'user' WHEN api_key_id IS NOT NULL THEN 'api_key' ELSE 'system' END
) STORED;
