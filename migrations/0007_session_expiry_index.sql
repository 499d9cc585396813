-- Every new session first deletes the expired ones; without this index that is a scan of
-- the whole table, and anonymous sessions (one per visit to the sign-in form without a
-- cookie) can make the table large.
CREATE INDEX sessions_by_expiry ON sessions(expires_at);
