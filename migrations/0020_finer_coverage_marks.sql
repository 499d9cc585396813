-- Finer marks for the kept coverage counts (0016 `document_coverage`, 0019 `code_coverage`).
-- A mark used to name only a document, and every commit recounted every view and every
-- (code, set) of each marked document. An auto-code run of one coder with one code over
-- ~500 documents then recounted all four coding sets and all 50 codes of each: 760 ms of
-- its ~1 s (issue 13's benchmark, `benches/analysis.rs`). Marks now say what changed:
--
--   document_coverage_stale (document, set): the set's view and everyone's view (0) of
--     the document need recounting; `set` is the excerpt's coder, or -1 for consensus.
--   code_coverage_stale (document, code, set): that one `code_coverage` row does.
--
-- Readers still treat a document with any mark as not yet counted and count it
-- themselves, so a count is never stale. An excerpt's coder and set never change
-- (`excerpts_owner_is_fixed`, 0005), so a mark names the set from either row.

DROP TRIGGER coverage_stale_on_insert;
DROP TRIGGER coverage_stale_on_delete;
DROP TRIGGER coverage_stale_on_update;
DROP TRIGGER coverage_stale_on_apply;
DROP TRIGGER coverage_stale_on_remove;
DROP TRIGGER coverage_stale_on_recode;

CREATE TABLE document_coverage_stale (
    document_id INTEGER NOT NULL,
    coder_id    INTEGER NOT NULL,
    PRIMARY KEY (document_id, coder_id)
) WITHOUT ROWID;

CREATE TABLE code_coverage_stale (
    document_id INTEGER NOT NULL,
    code_id     INTEGER NOT NULL,
    coder_id    INTEGER NOT NULL,
    PRIMARY KEY (document_id, code_id, coder_id)
) WITHOUT ROWID;

CREATE TRIGGER coverage_stale_on_insert AFTER INSERT ON excerpts
BEGIN
    INSERT OR IGNORE INTO document_coverage_stale (document_id, coder_id)
    VALUES (NEW.document_id, CASE NEW.consensus WHEN 1 THEN -1 ELSE NEW.coder_id END);
END;

-- The excerpt's codes were deleted just before (`code_usage_on_excerpt_delete`), which
-- marked each of its code rows.
CREATE TRIGGER coverage_stale_on_delete AFTER DELETE ON excerpts
BEGIN
    INSERT OR IGNORE INTO document_coverage_stale (document_id, coder_id)
    VALUES (OLD.document_id, CASE OLD.consensus WHEN 1 THEN -1 ELSE OLD.coder_id END);
END;

-- A moved excerpt changes its document's counts and those of every code it carries.
CREATE TRIGGER coverage_stale_on_update AFTER UPDATE OF start, end, document_id ON excerpts
BEGIN
    INSERT OR IGNORE INTO document_coverage_stale (document_id, coder_id)
    VALUES (OLD.document_id, CASE OLD.consensus WHEN 1 THEN -1 ELSE OLD.coder_id END),
           (NEW.document_id, CASE NEW.consensus WHEN 1 THEN -1 ELSE NEW.coder_id END);
    INSERT OR IGNORE INTO code_coverage_stale (document_id, code_id, coder_id)
    SELECT d.document_id, ec.code_id, CASE NEW.consensus WHEN 1 THEN -1 ELSE NEW.coder_id END
    FROM excerpt_codes ec, (SELECT OLD.document_id AS document_id UNION SELECT NEW.document_id) d
    WHERE ec.excerpt_id = NEW.id;
END;

CREATE TRIGGER coverage_stale_on_apply AFTER INSERT ON excerpt_codes
BEGIN
    INSERT OR IGNORE INTO code_coverage_stale (document_id, code_id, coder_id)
    SELECT document_id, NEW.code_id, CASE consensus WHEN 1 THEN -1 ELSE coder_id END
    FROM excerpts WHERE id = NEW.excerpt_id;
END;

CREATE TRIGGER coverage_stale_on_remove AFTER DELETE ON excerpt_codes
BEGIN
    INSERT OR IGNORE INTO code_coverage_stale (document_id, code_id, coder_id)
    SELECT document_id, OLD.code_id, CASE consensus WHEN 1 THEN -1 ELSE coder_id END
    FROM excerpts WHERE id = OLD.excerpt_id;
END;

CREATE TRIGGER coverage_stale_on_recode AFTER UPDATE ON excerpt_codes
BEGIN
    INSERT OR IGNORE INTO code_coverage_stale (document_id, code_id, coder_id)
    SELECT e.document_id, c.code_id, CASE e.consensus WHEN 1 THEN -1 ELSE e.coder_id END
    FROM excerpts e, (SELECT OLD.code_id AS code_id UNION SELECT NEW.code_id) c
    WHERE e.id IN (OLD.excerpt_id, NEW.excerpt_id);
END;

-- Documents left marked under the old scheme: counted afresh on the next write (or when
-- the server starts). Their kept rows go first, so a set whose excerpts are all gone
-- leaves no row behind.
DELETE FROM document_coverage WHERE document_id IN (SELECT document_id FROM coverage_stale);
DELETE FROM code_coverage WHERE document_id IN (SELECT document_id FROM coverage_stale);
INSERT OR IGNORE INTO document_coverage_stale (document_id, coder_id)
SELECT e.document_id, CASE e.consensus WHEN 1 THEN -1 ELSE e.coder_id END
FROM excerpts e WHERE e.document_id IN (SELECT document_id FROM coverage_stale);
INSERT OR IGNORE INTO code_coverage_stale (document_id, code_id, coder_id)
SELECT e.document_id, ec.code_id, CASE e.consensus WHEN 1 THEN -1 ELSE e.coder_id END
FROM excerpts e JOIN excerpt_codes ec ON ec.excerpt_id = e.id
WHERE e.document_id IN (SELECT document_id FROM coverage_stale);
DROP TABLE coverage_stale;
