-- Per document, code and coding set: how many excerpts carry the code and how many code
-- points they cover (the union of the set's excerpts with the code: overlaps once). The
-- code × attribute and code × document tables and the document-level co-occurrence
-- table add these up; reading every coded excerpt of a 150,000-excerpt project for them
-- cost 100–130 ms before any arithmetic (issue 13's benchmark, `benches/analysis.rs`).
--
-- `coder_id` is the coding set: a coder's own excerpts (N), or the consensus set (-1).
-- Counts of several sets add up: a crosstab counts each set's characters on its own.
-- No row: the set has no excerpt with that code in the document.
--
-- Kept like `document_coverage` (migration 0016): writes mark the document in
-- `coverage_stale`, and `db::coverage::refresh` recounts marked documents before the
-- transaction commits; a reader counts a still-marked document itself.
CREATE TABLE code_coverage (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    code_id     INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
    coder_id    INTEGER NOT NULL,
    excerpts    INTEGER NOT NULL,
    characters  INTEGER NOT NULL,
    PRIMARY KEY (document_id, code_id, coder_id)
) WITHOUT ROWID;

-- Excerpt rows already mark their document (0016); a code applied to or removed from an
-- existing excerpt (and a merge of codes) changes the counts too. A deleted excerpt's
-- codes go while it still exists (`code_usage_on_excerpt_delete`), so its document is
-- still known here.
CREATE TRIGGER coverage_stale_on_apply AFTER INSERT ON excerpt_codes
BEGIN
    INSERT OR IGNORE INTO coverage_stale (document_id)
    SELECT document_id FROM excerpts WHERE id = NEW.excerpt_id;
END;

CREATE TRIGGER coverage_stale_on_remove AFTER DELETE ON excerpt_codes
BEGIN
    INSERT OR IGNORE INTO coverage_stale (document_id)
    SELECT document_id FROM excerpts WHERE id = OLD.excerpt_id;
END;

CREATE TRIGGER coverage_stale_on_recode AFTER UPDATE ON excerpt_codes
BEGIN
    INSERT OR IGNORE INTO coverage_stale (document_id)
    SELECT document_id FROM excerpts WHERE id IN (OLD.excerpt_id, NEW.excerpt_id);
END;

-- Existing coding is counted on the first write (or when the server starts).
INSERT OR IGNORE INTO coverage_stale (document_id) SELECT DISTINCT document_id FROM excerpts;
