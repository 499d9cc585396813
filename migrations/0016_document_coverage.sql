-- Characters of each document covered by at least one excerpt (the union: overlapping
-- excerpts count each character once), kept current by triggers like code_usage. The
-- document list sorts and filters by coded share; computing the union on every request
-- ran a window over every excerpt of the project (~150 ms at 128,000 excerpts).
--
-- One row per document and reader view, keyed by `coder_id`:
--    0  every excerpt (all coders and the consensus set): what a non-blind member sees;
--   -1  the consensus set;
--    N  coder N's own excerpts (not consensus): what a blind coder sees.
CREATE TABLE document_coverage (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    coder_id    INTEGER NOT NULL,
    coded       INTEGER NOT NULL,
    PRIMARY KEY (document_id, coder_id)
) WITHOUT ROWID;

-- The union of a view's spans: sorted by start, each span adds what it reaches past the
-- furthest end before it. The same expression is repeated in the triggers below (SQLite
-- has no stored functions); tests compare it with a plain set of covered positions.
INSERT INTO document_coverage (document_id, coder_id, coded)
SELECT document_id, view, SUM(MAX(0, end - MAX(start, COALESCE(reach, start)))) FROM (
    SELECT document_id, view, start, end,
           MAX(end) OVER (PARTITION BY document_id, view ORDER BY start, end
                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
    FROM (SELECT document_id, 0 AS view, start, end FROM excerpts
          UNION ALL
          SELECT document_id, CASE consensus WHEN 1 THEN -1 ELSE coder_id END, start, end
          FROM excerpts))
GROUP BY document_id, view;

-- Recomputes one document's coverage for the "everyone" view and the excerpt's own view
-- (its coder's, or the consensus set's). A document being deleted (its excerpts go by
-- cascade) is skipped: its coverage rows go by cascade too.
CREATE TRIGGER document_coverage_on_insert AFTER INSERT ON excerpts
BEGIN
    INSERT OR REPLACE INTO document_coverage (document_id, coder_id, coded)
    SELECT d.id, v.view, (
        SELECT COALESCE(SUM(MAX(0, end - MAX(start, COALESCE(reach, start)))), 0) FROM (
            SELECT start, end, MAX(end) OVER (ORDER BY start, end
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
            FROM excerpts e
            WHERE e.document_id = d.id
              AND (v.view = 0 OR (v.view = -1 AND e.consensus = 1)
                   OR (e.consensus = 0 AND e.coder_id = v.view))))
    FROM documents d,
         (SELECT 0 AS view UNION ALL
          SELECT CASE NEW.consensus WHEN 1 THEN -1 ELSE NEW.coder_id END) v
    WHERE d.id = NEW.document_id;
END;

CREATE TRIGGER document_coverage_on_delete AFTER DELETE ON excerpts
BEGIN
    INSERT OR REPLACE INTO document_coverage (document_id, coder_id, coded)
    SELECT d.id, v.view, (
        SELECT COALESCE(SUM(MAX(0, end - MAX(start, COALESCE(reach, start)))), 0) FROM (
            SELECT start, end, MAX(end) OVER (ORDER BY start, end
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
            FROM excerpts e
            WHERE e.document_id = d.id
              AND (v.view = 0 OR (v.view = -1 AND e.consensus = 1)
                   OR (e.consensus = 0 AND e.coder_id = v.view))))
    FROM documents d,
         (SELECT 0 AS view UNION ALL
          SELECT CASE OLD.consensus WHEN 1 THEN -1 ELSE OLD.coder_id END) v
    WHERE d.id = OLD.document_id;
END;

-- Coder and coding set never change (excerpts_owner_is_fixed), nor does the document in
-- practice; a moved excerpt recomputes both its old and its new document.
CREATE TRIGGER document_coverage_on_update AFTER UPDATE OF start, end, document_id ON excerpts
BEGIN
    INSERT OR REPLACE INTO document_coverage (document_id, coder_id, coded)
    SELECT d.id, v.view, (
        SELECT COALESCE(SUM(MAX(0, end - MAX(start, COALESCE(reach, start)))), 0) FROM (
            SELECT start, end, MAX(end) OVER (ORDER BY start, end
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
            FROM excerpts e
            WHERE e.document_id = d.id
              AND (v.view = 0 OR (v.view = -1 AND e.consensus = 1)
                   OR (e.consensus = 0 AND e.coder_id = v.view))))
    FROM documents d,
         (SELECT 0 AS view UNION ALL
          SELECT CASE NEW.consensus WHEN 1 THEN -1 ELSE NEW.coder_id END) v
    WHERE d.id IN (OLD.document_id, NEW.document_id);
END;
