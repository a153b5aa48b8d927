-- Subject requests (access, rectification, restriction, erasure, objection) registered by the DPO, with the legal
-- deadline computed when the request is received and stored. A request whose identity matches no subject is kept
-- (denied with reason no_match) without the identity it named. Every status change is an event with its time and key.

CREATE TABLE subject_requests (
    id uuid PRIMARY KEY,
    subject_id uuid REFERENCES subjects (id),
    kind text NOT NULL CHECK (kind IN ('access', 'rectification', 'restriction', 'erasure', 'objection')),
    regime text NOT NULL CHECK (regime IN ('fz152', 'gdpr')),
    channel text NOT NULL CHECK (channel IN ('email', 'post', 'web_form', 'phone', 'in_person', 'api')),
    status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'in_progress', 'completed', 'denied', 'cancelled')),
    received_at timestamptz NOT NULL,
    -- The day of receipt in the controller's time zone, and the last day of the legal period counted from it.
    received_on date NOT NULL,
    due_on date NOT NULL CHECK (due_on >= received_on),
    -- Set once, when the deadline is extended: the due date before, why, and when.
    original_due_on date,
    extension_reason text CHECK (length(extension_reason) BETWEEN 1 AND 2000),
    extended_at timestamptz,
    denial_reason text CHECK (denial_reason IN ('no_match', 'identity_not_verified', 'legal_obligation', 'manifestly_unfounded', 'other')),
    denial_explanation text CHECK (length(denial_explanation) <= 2000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'denied') = (denial_reason IS NOT NULL)),
    CHECK (subject_id IS NOT NULL OR denial_reason = 'no_match'),
    CHECK ((original_due_on IS NULL) = (extension_reason IS NULL) AND (original_due_on IS NULL) = (extended_at IS NULL))
);

CREATE INDEX subject_requests_due_idx ON subject_requests (due_on, id);
CREATE INDEX subject_requests_subject_idx ON subject_requests (subject_id, received_at);

CREATE TABLE subject_request_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id uuid NOT NULL REFERENCES subject_requests (id),
    status text NOT NULL CHECK (status IN ('received', 'in_progress', 'completed', 'denied', 'cancelled')),
    occurred_at timestamptz NOT NULL DEFAULT now(),
    api_key_id uuid REFERENCES api_keys (id)
);

CREATE INDEX subject_request_events_request_idx ON subject_request_events (request_id, id);
