-- Pre-trial claims (issue 21, part 3; the shop's policy seeds/004 §8.2): a request kind `claim`, answered within 30
-- calendar days. Its text is the subject's personal data: kept with the request until the subject is erased. A claim
-- closes as `answered`, with the day the answer went out and by which channel.
-- And the second date of a two-stage rule (152-FZ Art. 21(3): stop in 3 working days, destroy in 10), set at
-- registration from now on (requests registered before show the rule without the date).

ALTER TABLE subject_requests DROP CONSTRAINT subject_requests_kind_check;
ALTER TABLE subject_requests ADD CONSTRAINT subject_requests_kind_check
    CHECK (kind IN ('access', 'rectification', 'restriction', 'erasure', 'objection', 'claim'));
ALTER TABLE subject_requests DROP CONSTRAINT subject_requests_status_check;
ALTER TABLE subject_requests ADD CONSTRAINT subject_requests_status_check
    CHECK (status IN ('received', 'in_progress', 'completed', 'denied', 'cancelled', 'answered'));
ALTER TABLE subject_request_events DROP CONSTRAINT subject_request_events_status_check;
ALTER TABLE subject_request_events ADD CONSTRAINT subject_request_events_status_check
    CHECK (status IN ('received', 'in_progress', 'completed', 'denied', 'cancelled', 'answered'));

ALTER TABLE subject_requests DROP CONSTRAINT subject_requests_ground_check;
ALTER TABLE subject_requests ADD CONSTRAINT subject_requests_ground_check CHECK (
    CASE kind
        WHEN 'access' THEN ground IS NULL
        WHEN 'claim' THEN ground IS NULL
        WHEN 'rectification' THEN ground IS NOT NULL AND ground = 'inaccurate'
        WHEN 'restriction' THEN ground IS NOT NULL AND ground IN ('inaccurate', 'unlawful')
        WHEN 'erasure' THEN ground IS NOT NULL AND ground IN ('consent_withdrawn', 'unlawful', 'not_necessary', 'purpose_achieved')
        WHEN 'objection' THEN ground IS NOT NULL AND ground IN ('direct_marketing', 'other')
        ELSE false
    END);

ALTER TABLE subject_requests
    ADD COLUMN claim_text text CHECK (length(claim_text) BETWEEN 1 AND 20000),
    ADD COLUMN answered_on date,
    ADD COLUMN answer_channel text CHECK (answer_channel IN ('email', 'post', 'web_form', 'phone', 'in_person', 'api')),
    ADD COLUMN follow_up_due_on date,
    ADD CONSTRAINT subject_requests_claim_text_kind_check CHECK (claim_text IS NULL OR kind = 'claim'),
    ADD CONSTRAINT subject_requests_answer_check CHECK (
        (status = 'answered') = (answered_on IS NOT NULL) AND (answered_on IS NULL) = (answer_channel IS NULL)
        AND (status <> 'answered' OR kind = 'claim') AND (answered_on IS NULL OR answered_on >= received_on));
