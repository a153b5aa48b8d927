-- Every delivery of personal data is a transfer (issue 22, part 2): the notices that tell a recipient of a subject's
-- withdrawal or erasure, and the opt-out confirmation, are logged under this purpose, a legal obligation
-- (152-FZ Art. 21, GDPR Art. 7(3) and 19). Kept as long as the transfer log's other entries.
INSERT INTO purposes (code, title, description, legal_basis, requires_consent, retention_days, recipient_kinds, data_categories) VALUES
    ('subject_rights', 'Carrying out data subjects'' rights',
        'Telling recipients of a subject''s withdrawal, erasure, rectification or restriction, and confirming a withdrawal to the subject.',
        'legal_obligation', false, 1095, '{email_provider,courier,analytics,other}', '{full_name,email,phone}');
