-- Each step of a job delivered to a recipient: proof of what was sent where, and what makes a retried job skip the
-- steps that already succeeded (the same webhook-id is used on every retry of a step).

CREATE TABLE outbound_deliveries (
    job_id bigint NOT NULL,
    step text NOT NULL CHECK (length(step) BETWEEN 1 AND 64),
    recipient_id uuid NOT NULL REFERENCES recipients (id),
    webhook_id text NOT NULL,
    http_status integer NOT NULL,
    delivered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, step)
);
