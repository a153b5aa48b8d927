-- A subject request's statuses name the subject when it acted itself (issue 23: a request filed in the privacy
-- center, an objection to marketing fulfilled at registration), not "the system".
ALTER TABLE subject_request_events ADD COLUMN by_subject boolean NOT NULL DEFAULT false;
ALTER TABLE subject_request_events ADD CONSTRAINT subject_request_events_subject_acts_alone
    CHECK (NOT by_subject OR (api_key_id IS NULL AND user_id IS NULL));
