-- A subject request's legal ground, from a closed list per kind, which decides its deadline (issue 21). Requests
-- registered before grounds existed take the ground whose rule they followed.

ALTER TABLE subject_requests ADD COLUMN ground text;

UPDATE subject_requests SET ground = CASE kind
    WHEN 'rectification' THEN 'inaccurate'
    WHEN 'restriction' THEN 'inaccurate'
    WHEN 'erasure' THEN 'consent_withdrawn'
    WHEN 'objection' THEN 'other'
END
WHERE kind <> 'access';

ALTER TABLE subject_requests ADD CONSTRAINT subject_requests_ground_check CHECK (
    CASE kind
        WHEN 'access' THEN ground IS NULL
        WHEN 'rectification' THEN ground IS NOT NULL AND ground = 'inaccurate'
        WHEN 'restriction' THEN ground IS NOT NULL AND ground IN ('inaccurate', 'unlawful')
        WHEN 'erasure' THEN ground IS NOT NULL AND ground IN ('consent_withdrawn', 'unlawful', 'not_necessary', 'purpose_achieved')
        WHEN 'objection' THEN ground IS NOT NULL AND ground IN ('direct_marketing', 'other')
        ELSE false
    END);
