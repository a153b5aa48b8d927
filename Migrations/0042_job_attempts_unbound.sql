-- Attempt rows are written only from the completion's fenced UPDATE of their job (its RETURNING), so they always
-- belong to a job; the foreign key made every completion check and lock each job row again. Pruning deletes a job's
-- attempts with it.
ALTER TABLE job_attempts DROP CONSTRAINT job_attempts_job_id_fkey;
