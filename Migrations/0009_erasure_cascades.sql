-- Erasure cascades: asking every recipient that holds a subject's data to erase it (OpenDSR 2.0), and the proof
-- of each answer.

CREATE TABLE erasure_cascades (
    id uuid PRIMARY KEY,
    subject_id uuid NOT NULL REFERENCES subjects (id),
    regulation text NOT NULL CHECK (regulation IN ('gdpr', 'fz152')),
    api_key_id uuid REFERENCES api_keys (id),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX erasure_cascades_subject_idx ON erasure_cascades (subject_id, created_at DESC);

-- One erasure request per recipient. Its id is the OpenDSR `subject_request_id` the recipient sees and calls back
-- with. `identities` holds what the request must name (the recipient's copy of the e-mail, phone, order references)
-- only until the request has been delivered or has failed: then it is cleared, so nothing outlives its need.
CREATE TABLE erasure_requests (
    id uuid PRIMARY KEY,
    cascade_id uuid NOT NULL REFERENCES erasure_cascades (id),
    recipient_id uuid NOT NULL REFERENCES recipients (id),
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'awaiting_confirmation', 'completed', 'failed', 'cancelled')),
    identities jsonb,
    job_id bigint,
    failure_reason text,
    expected_completion_at timestamptz,
    sent_at timestamptz,
    completed_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (cascade_id, recipient_id)
);

-- Every verified status callback from a recipient. The unique webhook id per recipient is the replay protection:
-- a message already received changes nothing.
CREATE TABLE erasure_callbacks (
    recipient_id uuid NOT NULL REFERENCES recipients (id),
    webhook_id text NOT NULL,
    erasure_request_id uuid NOT NULL REFERENCES erasure_requests (id),
    request_status text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (recipient_id, webhook_id)
);
