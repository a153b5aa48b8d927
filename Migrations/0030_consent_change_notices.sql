-- Consent changes propagate (issue 22, part 4). Analytics and advertising receive a pseudonymous subject id — a
-- keyed hash per recipient, under the recipient's own key — and never a name, e-mail or phone (the shop policies
-- promise analytics receives no name, e-mail or IP and that its data are anonymous). Each grant or withdrawal of a
-- propagating purpose becomes one notice per recipient, delivered as a signed consent.changed webhook.
ALTER TABLE purposes DROP CONSTRAINT purposes_data_categories_check;
ALTER TABLE purposes ADD CONSTRAINT purposes_data_categories_check CHECK (data_categories <@ ARRAY[
    'full_name', 'email', 'phone', 'registration_address', 'delivery_address', 'pseudonymous_id']);
ALTER TABLE recipients DROP CONSTRAINT recipients_data_categories_check;
ALTER TABLE recipients ADD CONSTRAINT recipients_data_categories_check CHECK (data_categories <@ ARRAY[
    'full_name', 'email', 'phone', 'registration_address', 'delivery_address', 'pseudonymous_id']);

UPDATE purposes SET data_categories = '{pseudonymous_id}', updated_at = now(),
    description = 'Measuring how the shop is used to improve it. Analytics receives a pseudonymous id only: no name, e-mail, phone or IP address.'
WHERE code = 'analytics';
UPDATE purposes SET data_categories = '{pseudonymous_id}', updated_at = now(),
    description = 'Showing the shop''s advertising on other sites and networks. Advertising partners receive a pseudonymous id only: no name, e-mail or phone.'
WHERE code = 'advertising';

-- The recipient's own pseudonym key (32 random bytes); never sent, never shown.
ALTER TABLE recipients ADD COLUMN pseudonym_key bytea NOT NULL
    DEFAULT (uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())) CHECK (length(pseudonym_key) = 32);

CREATE TABLE consent_change_notices (
    id uuid PRIMARY KEY,
    consent_event_id uuid NOT NULL REFERENCES consent_events (id),
    subject_id uuid NOT NULL REFERENCES subjects (id),
    recipient_id uuid NOT NULL REFERENCES recipients (id),
    purpose_code text NOT NULL REFERENCES purposes (code),
    action text NOT NULL CHECK (action IN ('grant', 'withdraw')),
    occurred_at timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
    job_id bigint,
    failure_reason text,
    delivered_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (consent_event_id, recipient_id)
);
CREATE INDEX consent_change_notices_subject_idx ON consent_change_notices (subject_id, purpose_code);
CREATE INDEX consent_change_notices_job_idx ON consent_change_notices (job_id);
