-- Every change to api_keys (a revocation, a scope or name changed, a row deleted, by the CLI or by hand) is told on
-- the channel custodian_api_keys when its transaction commits. The API caches keys it has looked up only while it
-- listens there, and empties its cache on every notification (APIKeyCache).
CREATE FUNCTION notify_api_keys_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('custodian_api_keys', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER api_keys_changed
    AFTER UPDATE OR DELETE OR TRUNCATE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION notify_api_keys_changed();
