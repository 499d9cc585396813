-- How many excerpts carry each code, per coder and coding set, kept current by triggers.
-- The codebook panel shows these counts on every document page; counting them from
-- excerpt_codes scans every excerpt of the project (~140 ms at 150,000 excerpts), reading
-- them here costs one row per code and coder.

CREATE TABLE code_usage (
    code_id   INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
    coder_id  INTEGER NOT NULL,
    consensus INTEGER NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (code_id, coder_id, consensus)
) WITHOUT ROWID;

INSERT INTO code_usage (code_id, coder_id, consensus, n)
SELECT ec.code_id, e.coder_id, e.consensus, COUNT(*)
FROM excerpt_codes ec JOIN excerpts e ON e.id = ec.excerpt_id
GROUP BY ec.code_id, e.coder_id, e.consensus;

-- `INSERT OR IGNORE` that ignores a row fires no trigger, so merges count correctly.
-- (`WHERE true` resolves the parser ambiguity between a join and an upsert clause.)
CREATE TRIGGER code_usage_on_apply AFTER INSERT ON excerpt_codes
BEGIN
    INSERT INTO code_usage (code_id, coder_id, consensus, n)
    SELECT NEW.code_id, e.coder_id, e.consensus, 1 FROM excerpts e WHERE e.id = NEW.excerpt_id AND true
    ON CONFLICT (code_id, coder_id, consensus) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER code_usage_on_remove AFTER DELETE ON excerpt_codes
BEGIN
    UPDATE code_usage SET n = n - 1
    WHERE code_id = OLD.code_id
      AND (coder_id, consensus) = (SELECT coder_id, consensus FROM excerpts WHERE id = OLD.excerpt_id);
END;

-- An excerpt's codes are removed while the excerpt still exists, so the trigger above can
-- still see whose they were (a cascade would run after the excerpt is gone).
CREATE TRIGGER code_usage_on_excerpt_delete BEFORE DELETE ON excerpts
BEGIN
    DELETE FROM excerpt_codes WHERE excerpt_id = OLD.id;
END;

-- Counts are kept per coder and coding set, which never change after creation.
CREATE TRIGGER excerpts_owner_is_fixed BEFORE UPDATE OF coder_id, consensus ON excerpts
WHEN NEW.coder_id IS NOT OLD.coder_id OR NEW.consensus IS NOT OLD.consensus
BEGIN
    SELECT RAISE(ABORT, 'an excerpt''s coder and coding set cannot change');
END;
