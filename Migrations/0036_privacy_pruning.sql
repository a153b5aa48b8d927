-- The retention sweep deletes privacy-center codes a day old and expired sessions (issue 23): by these indexes.
CREATE INDEX privacy_verifications_created_idx ON privacy_verifications (created_at);
CREATE INDEX privacy_sessions_expires_idx ON privacy_sessions (expires_at);
