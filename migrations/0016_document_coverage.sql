-- Characters of each document covered by at least one excerpt (the union: overlapping
-- excerpts count each character once). The document list sorts and filters by coded
-- share; computing the union on every request ran a window over every excerpt of the
-- project (~150 ms at 128,000 excerpts).
--
-- One row per document and reader view, keyed by `coder_id`:
--    0  every excerpt (all coders and the consensus set): what a non-blind member sees;
--   -1  the consensus set;
--    N  coder N's own excerpts (not consensus): what a blind coder sees.
-- No row: nothing of that view is coded there.
CREATE TABLE document_coverage (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    coder_id    INTEGER NOT NULL,
    coded       INTEGER NOT NULL,
    PRIMARY KEY (document_id, coder_id)
) WITHOUT ROWID;

-- Documents whose excerpts changed since their coverage was counted. Recounting in a row
-- trigger cost a window over the document's excerpts per excerpt written (an import of
-- 150,000 excerpts: 50 s); instead the triggers only mark the document, every write
-- transaction recounts what it marked before it commits (`db::coverage::refresh`), and a
-- reader counts a still-marked document itself, so a count is never stale.
-- (No foreign key: a document's deletion marks it through its excerpts' cascade; the
-- recount then finds no excerpts and drops the mark.)
CREATE TABLE coverage_stale (
    document_id INTEGER PRIMARY KEY
);

CREATE TRIGGER coverage_stale_on_insert AFTER INSERT ON excerpts
BEGIN
    INSERT OR IGNORE INTO coverage_stale (document_id) VALUES (NEW.document_id);
END;

CREATE TRIGGER coverage_stale_on_delete AFTER DELETE ON excerpts
BEGIN
    INSERT OR IGNORE INTO coverage_stale (document_id) VALUES (OLD.document_id);
END;

CREATE TRIGGER coverage_stale_on_update AFTER UPDATE OF start, end, document_id ON excerpts
BEGIN
    INSERT OR IGNORE INTO coverage_stale (document_id) VALUES (OLD.document_id), (NEW.document_id);
END;

-- Existing coding is counted on the first write (or when the server starts).
INSERT INTO coverage_stale (document_id) SELECT DISTINCT document_id FROM excerpts;
