-- The rule that completes a subject request when its recipients have settled moves from a trigger to the code
-- (SubjectRequestCompletion in Core, applied by SubjectRequestSettlement in the same transaction as each change).
DROP TRIGGER erasure_requests_complete_subject_request ON erasure_requests;
DROP TRIGGER rectification_notices_complete_subject_request ON rectification_notices;
DROP FUNCTION complete_subject_request_when_settled();
