-- Restriction notices (issue 22, part 5; GDPR Art. 19): when a restriction request is fulfilled, and when it is
-- lifted, every recipient holding the subject's data is told, named by the identities it holds (cleared once
-- delivered). Not a new disclosure: sent to any recipient in any country, logged under subject_rights.
CREATE TABLE restriction_notices (
    id uuid PRIMARY KEY,
    subject_id uuid NOT NULL REFERENCES subjects (id),
    request_id uuid REFERENCES subject_requests (id),
    recipient_id uuid NOT NULL REFERENCES recipients (id),
    action text NOT NULL CHECK (action IN ('restricted', 'lifted')),
    identities jsonb,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
    job_id bigint,
    failure_reason text,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX restriction_notices_subject_idx ON restriction_notices (subject_id);
CREATE INDEX restriction_notices_job_idx ON restriction_notices (job_id);

-- Recipients without an API (issue 22, part 3). A `manual` recipient — analytics or another vendor with no endpoint —
-- is told of an erasure, a rectification or a consent change by the DPO: each becomes a task carrying the identities
-- the recipient holds (the text is rendered from a ru/en template when read), closed with evidence of how it was
-- sent. The served record (erasure request or notice) stays pending until then, so the cascade waits on the task.
-- A restriction notice for such a recipient becomes a task too.
ALTER TABLE recipients ADD COLUMN delivery_mode text NOT NULL DEFAULT 'api' CHECK (delivery_mode IN ('api', 'manual'));
ALTER TABLE recipients ADD COLUMN contact text CHECK (length(contact) BETWEEN 1 AND 500);
ALTER TABLE recipients ADD COLUMN language text NOT NULL DEFAULT 'ru' CHECK (language IN ('ru', 'en'));
ALTER TABLE recipients ALTER COLUMN base_url DROP NOT NULL;
ALTER TABLE recipients ADD CONSTRAINT recipients_api_has_base_url CHECK (delivery_mode = 'manual' OR base_url IS NOT NULL);

CREATE TABLE manual_tasks (
    id uuid PRIMARY KEY,
    recipient_id uuid NOT NULL REFERENCES recipients (id),
    subject_id uuid NOT NULL REFERENCES subjects (id),
    kind text NOT NULL CHECK (kind IN ('erasure_request', 'rectification_notice', 'consent_change', 'restriction_notice')),
    erasure_request_id uuid UNIQUE REFERENCES erasure_requests (id),
    rectification_notice_id uuid UNIQUE REFERENCES rectification_notices (id),
    consent_change_notice_id uuid UNIQUE REFERENCES consent_change_notices (id),
    restriction_notice_id uuid UNIQUE REFERENCES restriction_notices (id),
    -- What the recipient holds, as it knows the subject; cleared when the task is closed or cancelled.
    identities jsonb,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'cancelled')),
    -- The evidence: who sent it, when, how, and the reference (a message id, a letter's tracking number).
    performed_by text CHECK (length(performed_by) BETWEEN 1 AND 200),
    performed_at timestamptz,
    method text CHECK (method IN ('email', 'post', 'phone', 'portal', 'other')),
    reference text CHECK (length(reference) BETWEEN 1 AND 200),
    note text CHECK (length(note) <= 2000),
    closed_by_user_id uuid REFERENCES console_users (id),
    closed_by_api_key_id uuid REFERENCES api_keys (id),
    closed_at timestamptz,
    cancel_reason text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (num_nonnulls(erasure_request_id, rectification_notice_id, consent_change_notice_id, restriction_notice_id) = 1),
    CHECK (status <> 'closed' OR (performed_by IS NOT NULL AND performed_at IS NOT NULL AND method IS NOT NULL AND reference IS NOT NULL))
);
CREATE INDEX manual_tasks_status_idx ON manual_tasks (status, created_at, id);
CREATE INDEX manual_tasks_subject_idx ON manual_tasks (subject_id);

-- A served record that is cancelled (superseded, its subject erased, its job cancelled) cancels its open task.
CREATE FUNCTION cancel_manual_task_of_served_record() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE manual_tasks SET status = 'cancelled', identities = NULL, updated_at = now(),
        cancel_reason = COALESCE(NEW.failure_reason, 'the ' || TG_ARGV[0] || ' was cancelled')
    WHERE status = 'open' AND CASE TG_ARGV[0]
        WHEN 'erasure request' THEN erasure_request_id = NEW.id
        WHEN 'rectification notice' THEN rectification_notice_id = NEW.id
        WHEN 'restriction notice' THEN restriction_notice_id = NEW.id
        ELSE consent_change_notice_id = NEW.id END;
    RETURN NULL;
END;
$$;
CREATE TRIGGER erasure_requests_cancel_task AFTER UPDATE OF status ON erasure_requests
    FOR EACH ROW WHEN (NEW.status = 'cancelled' AND OLD.status <> 'cancelled')
    EXECUTE FUNCTION cancel_manual_task_of_served_record('erasure request');
CREATE TRIGGER rectification_notices_cancel_task AFTER UPDATE OF status ON rectification_notices
    FOR EACH ROW WHEN (NEW.status = 'cancelled' AND OLD.status <> 'cancelled')
    EXECUTE FUNCTION cancel_manual_task_of_served_record('rectification notice');
CREATE TRIGGER consent_change_notices_cancel_task AFTER UPDATE OF status ON consent_change_notices
    FOR EACH ROW WHEN (NEW.status = 'cancelled' AND OLD.status <> 'cancelled')
    EXECUTE FUNCTION cancel_manual_task_of_served_record('consent change notice');
CREATE TRIGGER restriction_notices_cancel_task AFTER UPDATE OF status ON restriction_notices
    FOR EACH ROW WHEN (NEW.status = 'cancelled' AND OLD.status <> 'cancelled')
    EXECUTE FUNCTION cancel_manual_task_of_served_record('restriction notice');
