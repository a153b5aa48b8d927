-- Retention after a consent withdrawal (issue 22, part 1; 152-FZ Art. 21(5)): whether the subject holds an account
-- with the shop (the account and support purposes keep its data while it does; a newsletter-only subscriber holds
-- none), and which withdrawals the sweep has already weighed, so that each is decided once.
ALTER TABLE subjects ADD COLUMN has_account boolean NOT NULL DEFAULT true;

ALTER TABLE consent_states ADD COLUMN swept_at timestamptz;
UPDATE consent_states SET swept_at = now()
WHERE action = 'withdraw' AND subject_id IN (SELECT id FROM subjects WHERE status = 'erased');
CREATE INDEX consent_states_unswept_withdrawals_idx ON consent_states (occurred_at) WHERE action = 'withdraw' AND swept_at IS NULL;
