-- The team lead's workflow: which documents a coder has marked complete, and which
-- documents an owner assigned to whom. Both are per (document, coder); a document may be
-- assigned to several coders (double coding). Deleting a document or an account removes
-- its rows.

CREATE TABLE document_completions (
    document_id  INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    completed_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (document_id, user_id)
) WITHOUT ROWID;
CREATE INDEX document_completions_by_user ON document_completions(user_id);

CREATE TABLE assignments (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    assigned_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    assigned_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (document_id, user_id)
) WITHOUT ROWID;
CREATE INDEX assignments_by_user ON assignments(user_id, document_id);
