-- A disclosure whose outgoing call has started: recorded by a short transaction before the call, which then runs
-- holding no connection, and removed by another when the recipient has answered (success: the transfer is logged;
-- refusal: nothing was disclosed). One left behind by a call that got no answer counts as a possible disclosure.
-- Erasure and restriction count these as disclosures, so the cascade includes a recipient whose call is in flight.

CREATE TABLE disclosures_in_flight (
    job_id bigint PRIMARY KEY,
    subject_id uuid NOT NULL REFERENCES subjects (id),
    recipient_id uuid NOT NULL REFERENCES recipients (id),
    order_id uuid REFERENCES orders (id),
    data_categories text[] NOT NULL,
    purpose_code text NOT NULL REFERENCES purposes (code),
    started_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX disclosures_in_flight_subject_idx ON disclosures_in_flight (subject_id);
