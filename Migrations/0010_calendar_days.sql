-- The production calendar that working-day deadlines count in: Monday to Friday are working days except the
-- weekdays listed here as 'non_working' (public holidays, days off moved onto weekdays); Saturdays and Sundays are
-- days off except those listed as 'working' (a weekend day worked in exchange). The DPO edits it through the API.
--
-- Seeded: 2026 as the Government decree of 24 September 2025 set it (New Year 1-11 January with 3 and 4 January moved
-- to 9 January and 31 December; 23 February; 9 March; 1 and 11 May; 12 June; 4 November; 31 December), and 2027 with
-- the statutory holidays of Labour Code Art. 112 and their automatic moves off weekends (1 May to 3 May, 9 May to
-- 10 May, 12 June to 14 June). The decree that moves 2027's 2 and 3 January (and any exchanged working Saturday)
-- was not published when this was written: enter it when it is.

CREATE TABLE calendar_days (
    day date PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('non_working', 'working')),
    note text NOT NULL DEFAULT '' CHECK (length(note) <= 200),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- Only exceptions are stored: a non-working weekday or a working weekend day.
    CONSTRAINT calendar_days_exception CHECK (
        CASE kind WHEN 'working' THEN extract(isodow FROM day) >= 6 ELSE extract(isodow FROM day) <= 5 END)
);

INSERT INTO calendar_days (day, kind, note) VALUES
    ('2026-01-01', 'non_working', 'New Year holidays'),
    ('2026-01-02', 'non_working', 'New Year holidays'),
    ('2026-01-05', 'non_working', 'New Year holidays'),
    ('2026-01-06', 'non_working', 'New Year holidays'),
    ('2026-01-07', 'non_working', 'Christmas'),
    ('2026-01-08', 'non_working', 'New Year holidays'),
    ('2026-01-09', 'non_working', 'moved from Saturday 3 January'),
    ('2026-02-23', 'non_working', 'Defender of the Fatherland Day'),
    ('2026-03-09', 'non_working', 'moved from Sunday 8 March'),
    ('2026-05-01', 'non_working', 'Spring and Labour Day'),
    ('2026-05-11', 'non_working', 'moved from Saturday 9 May'),
    ('2026-06-12', 'non_working', 'Russia Day'),
    ('2026-11-04', 'non_working', 'Unity Day'),
    ('2026-12-31', 'non_working', 'moved from Sunday 4 January'),
    ('2027-01-01', 'non_working', 'New Year holidays'),
    ('2027-01-04', 'non_working', 'New Year holidays'),
    ('2027-01-05', 'non_working', 'New Year holidays'),
    ('2027-01-06', 'non_working', 'New Year holidays'),
    ('2027-01-07', 'non_working', 'Christmas'),
    ('2027-01-08', 'non_working', 'New Year holidays'),
    ('2027-02-23', 'non_working', 'Defender of the Fatherland Day'),
    ('2027-03-08', 'non_working', 'International Women''s Day'),
    ('2027-05-03', 'non_working', 'moved from Saturday 1 May'),
    ('2027-05-10', 'non_working', 'moved from Sunday 9 May'),
    ('2027-06-14', 'non_working', 'moved from Saturday 12 June'),
    ('2027-11-04', 'non_working', 'Unity Day');
