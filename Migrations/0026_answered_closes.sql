-- An answered claim is closed like a completed, denied or cancelled request: the dashboard's chart of closed requests
-- counts it, through the partial index it reads.
DROP INDEX subject_request_events_closed_idx;
CREATE INDEX subject_request_events_closed_idx ON subject_request_events (occurred_at)
    WHERE status IN ('completed', 'denied', 'cancelled', 'answered');
