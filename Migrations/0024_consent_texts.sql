-- Consent as a document of its own (issue 21, part 4; 152-FZ Art. 9 as amended by 156-FZ, in force since
-- 1 September 2025): the consent texts the shop shows, registered apart from the policy versions, each with the
-- purposes it asks consent for. Every consent event may name the text the customer was shown; once any text is
-- registered, every grant must (the rule is in Core).

CREATE TABLE consent_texts (
    id uuid PRIMARY KEY,
    label text NOT NULL UNIQUE CHECK (length(label) BETWEEN 1 AND 64),
    url text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    text_sha256 text NOT NULL CHECK (text_sha256 ~ '^[0-9a-f]{64}$'),
    effective_at timestamptz NOT NULL,
    purposes text[] NOT NULL CHECK (cardinality(purposes) BETWEEN 1 AND 50),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- What a customer was shown is proof: a registered text never changes.
CREATE TRIGGER consent_texts_no_update_or_delete
    BEFORE UPDATE OR DELETE ON consent_texts
    FOR EACH ROW EXECUTE FUNCTION reject_change_of_append_only_table();

ALTER TABLE consent_events ADD COLUMN consent_text_id uuid REFERENCES consent_texts (id);

-- Depersonalisation may still clear only the evidence; the consent text an event names is as fixed as the rest.
CREATE OR REPLACE FUNCTION consent_events_allow_only_depersonalisation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.ip_address IS NULL AND NEW.user_agent IS NULL AND NEW.form_id IS NOT DISTINCT FROM OLD.form_id
       AND (NEW.id, NEW.subject_id, NEW.purpose_code, NEW.action, NEW.policy_version_id, NEW.channel, NEW.occurred_at,
            NEW.recorded_at, NEW.api_key_id, NEW.request_id, NEW.consent_text_id)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.subject_id, OLD.purpose_code, OLD.action, OLD.policy_version_id, OLD.channel, OLD.occurred_at,
            OLD.recorded_at, OLD.api_key_id, OLD.request_id, OLD.consent_text_id)
       AND EXISTS (SELECT 1 FROM subjects s WHERE s.id = NEW.subject_id AND s.status = 'erased') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'consent_events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
