-- Blocking from the moment a request is received (issue 21, 152-FZ Art. 21(1)-(2)): a subject with an open
-- restriction request, or an open rectification or erasure request saying its data are inaccurate or unlawfully
-- processed, is restricted now, as registration does from this version on. Its disclosing jobs wait: each is held
-- when the worker finds the subject restricted (DisclosureRule).
UPDATE subjects SET status = 'restricted', updated_at = now()
WHERE status = 'active' AND id IN (
    SELECT subject_id FROM subject_requests
    WHERE status = 'received'
      AND (kind = 'restriction' OR (kind IN ('rectification', 'erasure') AND ground IN ('inaccurate', 'unlawful'))));
