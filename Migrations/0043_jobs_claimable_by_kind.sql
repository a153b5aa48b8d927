-- Each claim loop claims one kind. With the claimable index ordered by priority alone, a kind with nothing due walked
-- past every due job of the other kinds on each claim (all of a backlog, every wake-up); led by the kind, the index
-- gives each loop its own jobs in claim order. jobs_kind_state_idx served only the administration's counts (a scan
-- of the table does as well) and cost an index entry on every claim and every completion.
CREATE INDEX jobs_claimable_by_kind_idx ON jobs (kind, priority DESC, run_at, id) WHERE state = 'available';
DROP INDEX jobs_claimable_idx;
DROP INDEX jobs_kind_state_idx;
