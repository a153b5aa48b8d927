-- The work each kind of subject request does, and the proof it leaves.

-- Jobs name the subject whose data they would disclose, so a restriction can hold them and an erasure cancel them.
-- A held job waits, without spending attempts, until the restriction is lifted.
ALTER TABLE jobs ADD COLUMN subject_id uuid;
ALTER TABLE jobs DROP CONSTRAINT jobs_state_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_state_check
    CHECK (state IN ('available', 'running', 'held', 'succeeded', 'failed', 'cancelled'));
CREATE INDEX jobs_subject_idx ON jobs (subject_id) WHERE subject_id IS NOT NULL AND state IN ('available', 'running', 'held');
-- A held job is still live: no second job with its unique key may be enqueued beside it.
DROP INDEX jobs_live_unique_key;
CREATE UNIQUE INDEX jobs_live_unique_key ON jobs (unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('available', 'running', 'held');

ALTER TABLE job_attempts DROP CONSTRAINT job_attempts_outcome_check;
ALTER TABLE job_attempts ADD CONSTRAINT job_attempts_outcome_check CHECK (outcome IN ('succeeded', 'retry', 'failed', 'held'));

-- A depersonalised subject keeps, at most, keyed hashes of its e-mail and phone to recognise a repeat request.
ALTER TABLE subjects ADD COLUMN email_hash bytea CHECK (length(email_hash) = 32);
ALTER TABLE subjects ADD COLUMN phone_hash bytea CHECK (length(phone_hash) = 32);
ALTER TABLE subjects ADD COLUMN erased_at timestamptz;
CREATE INDEX subjects_email_hash_idx ON subjects (email_hash) WHERE email_hash IS NOT NULL;
CREATE INDEX subjects_phone_hash_idx ON subjects (phone_hash) WHERE phone_hash IS NOT NULL;

ALTER TABLE subject_requests
    -- Rectification: the corrections as the DPO entered them, removed once applied; then only the field names stay.
    ADD COLUMN corrections jsonb,
    ADD COLUMN corrected_fields text[],
    -- Objection: the purposes objected to (NULL: every consent-based purpose).
    ADD COLUMN purposes text[],
    ADD COLUMN cascade_id uuid REFERENCES erasure_cascades (id),
    -- Access: the SHA-256 of the export as first built, and when.
    ADD COLUMN export_sha256 text CHECK (export_sha256 ~ '^[0-9a-f]{64}$'),
    ADD COLUMN fulfilled_at timestamptz,
    ADD COLUMN completed_at timestamptz,
    -- Restriction: when it was lifted.
    ADD COLUMN lifted_at timestamptz;

CREATE INDEX subject_requests_cascade_idx ON subject_requests (cascade_id) WHERE cascade_id IS NOT NULL;

-- Rectification notices (GDPR Art. 19): one per recipient that received a corrected field. The identities the
-- recipient knows the subject by are kept only until the notice is delivered.
CREATE TABLE rectification_notices (
    id uuid PRIMARY KEY,
    request_id uuid NOT NULL REFERENCES subject_requests (id),
    recipient_id uuid NOT NULL REFERENCES recipients (id),
    fields text[] NOT NULL,
    -- The purpose the recipient holds the data for; the delivered notice is logged as a transfer for it.
    purpose_code text NOT NULL REFERENCES purposes (code),
    identities jsonb,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
    job_id bigint,
    failure_reason text,
    delivered_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (request_id, recipient_id)
);

-- A request whose work waits on recipients completes when the last one confirms (or, after following it up by hand,
-- the DPO cancels its job). The trigger locks the request first, so two confirmations committing at once cannot both
-- see the other as still pending.
CREATE FUNCTION complete_subject_request_when_settled() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    request uuid;
BEGIN
    IF TG_TABLE_NAME = 'erasure_requests' THEN
        SELECT id INTO request FROM subject_requests WHERE cascade_id = NEW.cascade_id AND status = 'in_progress' FOR UPDATE;
        IF request IS NULL OR EXISTS (SELECT 1 FROM erasure_requests WHERE cascade_id = NEW.cascade_id
                                      AND status NOT IN ('completed', 'cancelled')) THEN
            RETURN NULL;
        END IF;
    ELSE
        SELECT id INTO request FROM subject_requests WHERE id = NEW.request_id AND status = 'in_progress' FOR UPDATE;
        IF request IS NULL OR EXISTS (SELECT 1 FROM rectification_notices WHERE request_id = NEW.request_id
                                      AND status NOT IN ('delivered', 'cancelled')) THEN
            RETURN NULL;
        END IF;
    END IF;
    UPDATE subject_requests SET status = 'completed', completed_at = now(), updated_at = now() WHERE id = request;
    INSERT INTO subject_request_events (request_id, status, api_key_id) VALUES (request, 'completed', NULL);
    RETURN NULL;
END;
$$;

CREATE TRIGGER erasure_requests_complete_subject_request
    AFTER UPDATE OF status ON erasure_requests
    FOR EACH ROW WHEN (NEW.status IN ('completed', 'cancelled') AND OLD.status NOT IN ('completed', 'cancelled'))
    EXECUTE FUNCTION complete_subject_request_when_settled();

CREATE TRIGGER rectification_notices_complete_subject_request
    AFTER UPDATE OF status ON rectification_notices
    FOR EACH ROW WHEN (NEW.status IN ('delivered', 'cancelled') AND OLD.status NOT IN ('delivered', 'cancelled'))
    EXECUTE FUNCTION complete_subject_request_when_settled();

-- The act of destruction (152-FZ): what was destroyed, where, when, on what grounds and by which key. No personal data.
CREATE TABLE destruction_records (
    id uuid PRIMARY KEY,
    subject_id uuid NOT NULL REFERENCES subjects (id),
    request_id uuid REFERENCES subject_requests (id),
    grounds text NOT NULL CHECK (grounds IN ('subject_request', 'retention_expired')),
    regime text NOT NULL CHECK (regime IN ('fz152', 'gdpr')),
    data_categories text[] NOT NULL,
    tables text[] NOT NULL,
    recipients text[] NOT NULL,
    orders_depersonalised integer NOT NULL,
    consents_withdrawn integer NOT NULL,
    jobs_cancelled integer NOT NULL,
    api_key_id uuid REFERENCES api_keys (id),
    destroyed_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX destruction_records_subject_idx ON destruction_records (subject_id);

-- Consent history is append-only, but erasure removes the evidence that identifies the person (address and user
-- agent) from it: that one change is allowed, nothing else.
CREATE FUNCTION consent_events_allow_only_depersonalisation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.ip_address IS NULL AND NEW.user_agent IS NULL AND NEW.form_id IS NOT DISTINCT FROM OLD.form_id
       AND (NEW.id, NEW.subject_id, NEW.purpose_code, NEW.action, NEW.policy_version_id, NEW.channel, NEW.occurred_at,
            NEW.recorded_at, NEW.api_key_id, NEW.request_id)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.subject_id, OLD.purpose_code, OLD.action, OLD.policy_version_id, OLD.channel, OLD.occurred_at,
            OLD.recorded_at, OLD.api_key_id, OLD.request_id)
       AND EXISTS (SELECT 1 FROM subjects s WHERE s.id = NEW.subject_id AND s.status = 'erased') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'consent_events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER consent_events_no_update_or_delete ON consent_events;
CREATE TRIGGER consent_events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON consent_events
    FOR EACH ROW EXECUTE FUNCTION consent_events_allow_only_depersonalisation();

-- Retention runs once per period however many workers there are: the run claims its period's row.
CREATE TABLE retention_runs (
    period_start timestamptz PRIMARY KEY,
    worker text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    subjects_depersonalised integer
);
