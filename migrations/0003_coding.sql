-- The codebook and the coding: codes (a tree per project) and excerpts (a coder's span of a
-- document carrying any number of codes).

CREATE TABLE codes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    parent_id   INTEGER REFERENCES codes(id) ON DELETE RESTRICT,
    name        TEXT    NOT NULL,
    color       TEXT    NOT NULL CHECK (color GLOB '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'),
    description TEXT    NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
-- Sibling codes have distinct names (case-insensitively); the same name may recur under
-- different parents ("Positive" under both "Trust" and "Automation").
CREATE UNIQUE INDEX codes_sibling_names ON codes(project_id, COALESCE(parent_id, 0), name COLLATE NOCASE);
CREATE INDEX codes_by_parent ON codes(parent_id);

CREATE TABLE excerpts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    coder_id    INTEGER NOT NULL REFERENCES users(id),
    -- Excerpts of the project's consensus coding set (adjudicated by an owner).
    consensus   INTEGER NOT NULL DEFAULT 0 CHECK (consensus IN (0, 1)),
    start       INTEGER NOT NULL CHECK (start >= 0),
    end         INTEGER NOT NULL CHECK (end > start),
    memo        TEXT    NOT NULL DEFAULT '',
    -- Bumped on every change, for optimistic concurrency (two tabs never overwrite).
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX excerpts_by_document ON excerpts(document_id, start);
CREATE INDEX excerpts_by_project_coder ON excerpts(project_id, coder_id);

CREATE TABLE excerpt_codes (
    excerpt_id INTEGER NOT NULL REFERENCES excerpts(id) ON DELETE CASCADE,
    code_id    INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
    PRIMARY KEY (excerpt_id, code_id)
) WITHOUT ROWID;
CREATE INDEX excerpt_codes_by_code ON excerpt_codes(code_id, excerpt_id);
