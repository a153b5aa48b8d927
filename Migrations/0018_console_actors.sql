-- Console users act as well as API keys: the records that name the key behind a change name the user instead when a
-- console user made it (a subject request's status events, an erasure cascade, a destruction record).

ALTER TABLE subject_request_events ADD COLUMN user_id uuid REFERENCES console_users (id);
ALTER TABLE erasure_cascades ADD COLUMN user_id uuid REFERENCES console_users (id);
ALTER TABLE destruction_records ADD COLUMN user_id uuid REFERENCES console_users (id);

-- The console's inbox reads open requests by due date; its cascades page reads the recipients' open erasure requests.
CREATE INDEX subject_requests_open_idx ON subject_requests (due_on, id) WHERE status IN ('received', 'in_progress');
CREATE INDEX erasure_requests_open_idx ON erasure_requests (updated_at)
    WHERE status IN ('pending', 'awaiting_confirmation', 'failed');
