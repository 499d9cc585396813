-- Administrators can deactivate an account (issue 15): it can no longer sign in, its
-- sessions end and its tokens are revoked, and everything it did stays attributed to it.
-- NULL: active.
ALTER TABLE users ADD COLUMN deactivated_at TEXT;
