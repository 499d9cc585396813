-- Imported documents. `text` is the canonical NFC text: it never changes after import,
-- because every offset in Gloss (turns, excerpts) is a code-point position into it.

CREATE TABLE documents (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id    INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    title         TEXT    NOT NULL,
    -- The identifier the source gave this interview (CSV id column, header "Transcript ID",
    -- or the file name); unique within a project so a data set is not imported twice.
    external_id   TEXT,
    source_name   TEXT    NOT NULL DEFAULT '',
    source_format TEXT    NOT NULL DEFAULT '',
    text          TEXT    NOT NULL,
    length        INTEGER NOT NULL CHECK (length >= 0), -- in code points
    turn_count    INTEGER NOT NULL DEFAULT 0,
    created_by    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX documents_by_project ON documents(project_id, id);
CREATE UNIQUE INDEX documents_external_id ON documents(project_id, external_id)
    WHERE external_id IS NOT NULL;

-- Metadata: header fields ("Transcript ID", "Date") and the other columns of a CSV data set.
CREATE TABLE document_attributes (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL, -- source order, for display
    name        TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    PRIMARY KEY (document_id, name)
);
CREATE INDEX document_attributes_by_value ON document_attributes(name, value);

-- Speaker turns: half-open code-point spans [start, end) of the turn's body.
CREATE TABLE turns (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    speaker     TEXT    NOT NULL,
    start       INTEGER NOT NULL CHECK (start >= 0),
    end         INTEGER NOT NULL CHECK (end >= start),
    start_ms    INTEGER,
    end_ms      INTEGER,
    PRIMARY KEY (document_id, seq)
) WITHOUT ROWID;

-- Per project, whether a speaker label is the interviewer or a participant.
CREATE TABLE speakers (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    label      TEXT    NOT NULL,
    role       TEXT    NOT NULL CHECK (role IN ('interviewer', 'participant')),
    PRIMARY KEY (project_id, label)
) WITHOUT ROWID;
