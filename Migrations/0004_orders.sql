-- Orders with their items (accounting facts: kept for 5 years) and the delivery block (personal data: erasure
-- removes it while the accounting facts stay). Money is integer minor units, never floating point.

CREATE TABLE orders (
    id uuid PRIMARY KEY,
    subject_id uuid NOT NULL REFERENCES subjects (id),
    external_ref text NOT NULL UNIQUE CHECK (length(external_ref) BETWEEN 1 AND 128),
    status text NOT NULL DEFAULT 'placed' CHECK (status IN ('placed', 'paid', 'shipped', 'delivered', 'cancelled')),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    total_minor bigint NOT NULL CHECK (total_minor >= 0),
    delivery_recipient_name text,
    delivery_phone text,
    delivery_address_lines text[],
    delivery_city text,
    delivery_postal_code text,
    delivery_country text CHECK (delivery_country ~ '^[A-Z]{2}$'),
    placed_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX orders_subject_idx ON orders (subject_id, id);

CREATE TABLE order_items (
    order_id uuid NOT NULL REFERENCES orders (id),
    line_no integer NOT NULL CHECK (line_no >= 1),
    sku text NOT NULL CHECK (length(sku) BETWEEN 1 AND 64),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 1000000),
    unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0),
    PRIMARY KEY (order_id, line_no)
);
