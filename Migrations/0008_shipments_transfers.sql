-- Hand-over of orders to couriers, and the record of every disclosure of personal data to a third party.

CREATE TABLE shipments (
    id uuid PRIMARY KEY,
    order_id uuid NOT NULL REFERENCES orders (id),
    recipient_id uuid NOT NULL REFERENCES recipients (id),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
    tracking_reference text,
    failure_reason text,
    job_id bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX shipments_order_idx ON shipments (order_id);

-- One row per disclosure: who received which categories of whose data, for which purpose, on which basis, when.
CREATE TABLE transfers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recipient_id uuid NOT NULL REFERENCES recipients (id),
    subject_id uuid NOT NULL REFERENCES subjects (id),
    order_id uuid REFERENCES orders (id),
    shipment_id uuid REFERENCES shipments (id),
    data_categories text[] NOT NULL,
    purpose_code text NOT NULL REFERENCES purposes (code),
    legal_basis text NOT NULL,
    transferred_at timestamptz NOT NULL DEFAULT now(),
    job_id bigint
);

CREATE INDEX transfers_subject_idx ON transfers (subject_id, id);
