-- Destruction acts per RKN Order No. 179 of 28 Oct 2022 (issue 21, part 5). The operator's details, which `serve`
-- and `work` record here from CUSTODIAN_CONTROLLER_* at start, are copied into each destruction record when it is
-- written, with who performed it (the console user, the API key, or for the automatic sweep the responsible person
-- and the rule that fired), the information system, the method and the reason: the act as of that day. Records
-- written before this version keep only the facts they had. Acts are kept 3 years, then pruned by the sweep.

ALTER TABLE controller_settings
    ADD COLUMN operator_name text,
    ADD COLUMN operator_address text,
    ADD COLUMN responsible_name text,
    ADD COLUMN responsible_position text,
    ADD COLUMN processor text;

ALTER TABLE destruction_records
    ADD COLUMN operator_name text,
    ADD COLUMN operator_address text,
    ADD COLUMN processor text,
    ADD COLUMN information_system text,
    ADD COLUMN method text,
    ADD COLUMN reason text,
    ADD COLUMN performed_by_kind text CHECK (performed_by_kind IN ('user', 'api_key', 'responsible_person')),
    ADD COLUMN performed_by_name text,
    ADD COLUMN performed_by_position text,
    ADD COLUMN rule text,
    -- The audit rows of the destruction carry this request id: the act's log extract.
    ADD COLUMN audit_request_id text;

CREATE INDEX destruction_records_destroyed_idx ON destruction_records (destroyed_at, id);
