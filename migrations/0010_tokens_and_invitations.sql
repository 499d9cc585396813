-- API tokens can expire and can be limited to reading (issue 16, item 9). Existing tokens
-- keep working as before: no expiry, full access.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0 CHECK (read_only IN (0, 1));

-- Joining a project takes the invitee's consent (issue 16, item 8): an owner who is not an
-- administrator invites a user name, and the invitation waits until a user of that name
-- accepts or declines it. It is kept by name, not by account, so that inviting says nothing
-- about whether an account of that name exists.
CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    username    TEXT    NOT NULL COLLATE NOCASE,
    role        TEXT    NOT NULL CHECK (role IN ('owner', 'coder', 'viewer')),
    invited_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (project_id, username)
);
CREATE INDEX invitations_by_username ON invitations(username);
