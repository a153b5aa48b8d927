-- The privacy center (issue 23) records consent choices and subject requests with a channel of its own,
-- 'privacy_center', which only it may write (the API and the console refuse it).
ALTER TABLE consent_events DROP CONSTRAINT consent_events_channel_check;
ALTER TABLE consent_events ADD CONSTRAINT consent_events_channel_check
    CHECK (channel IN ('web_form', 'checkout', 'email_link', 'call_centre', 'api', 'privacy_center'));
ALTER TABLE subject_requests DROP CONSTRAINT subject_requests_channel_check;
ALTER TABLE subject_requests ADD CONSTRAINT subject_requests_channel_check
    CHECK (channel IN ('email', 'post', 'web_form', 'phone', 'in_person', 'api', 'privacy_center'));
