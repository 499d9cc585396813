-- Adjudication: the lead's decisions on disagreements, so the walk through them can
-- continue where it stopped. The decided coding itself lives in `excerpts` with
-- consensus = 1 (the project's consensus set).

CREATE TABLE adjudications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    code_id     INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start       INTEGER NOT NULL CHECK (start >= 0),
    end         INTEGER NOT NULL CHECK (end > start),
    -- 'coder:<username>' (that coder's version accepted), 'drawn' (a new excerpt), or
    -- 'none' (the code does not apply here).
    decision    TEXT    NOT NULL,
    decided_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX adjudications_by_code ON adjudications(project_id, code_id, document_id);
