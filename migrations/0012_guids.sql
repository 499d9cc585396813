-- Persistent GUIDs for REFI-QDA exchange (issue 12): every user, code, document and excerpt
-- keeps one GUID for life, so two exports of a project share GUIDs and a re-import can
-- recognise what it has seen before. Lower-case UUID v4 text, unique across the database.
--
-- SQLite cannot add a column with a non-constant default, so existing rows are backfilled
-- here and new rows get theirs from an AFTER INSERT trigger (no insert path can forget).
-- An insert that names a GUID (an import keeping a peer's GUID) keeps it.

ALTER TABLE users ADD COLUMN guid TEXT;
ALTER TABLE codes ADD COLUMN guid TEXT;
ALTER TABLE documents ADD COLUMN guid TEXT;
ALTER TABLE excerpts ADD COLUMN guid TEXT;
-- The project's consensus set is exported as a user of its own.
ALTER TABLE projects ADD COLUMN consensus_guid TEXT;

UPDATE users SET guid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
UPDATE codes SET guid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
UPDATE documents SET guid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
UPDATE excerpts SET guid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
UPDATE projects SET consensus_guid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));

CREATE UNIQUE INDEX users_guid ON users(guid);
CREATE UNIQUE INDEX codes_guid ON codes(guid);
CREATE UNIQUE INDEX documents_guid ON documents(guid);
CREATE UNIQUE INDEX excerpts_guid ON excerpts(guid);
CREATE UNIQUE INDEX projects_consensus_guid ON projects(consensus_guid);

CREATE TRIGGER users_guid_on_insert AFTER INSERT ON users WHEN NEW.guid IS NULL
BEGIN
    UPDATE users SET guid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))) WHERE id = NEW.id;
END;
CREATE TRIGGER codes_guid_on_insert AFTER INSERT ON codes WHEN NEW.guid IS NULL
BEGIN
    UPDATE codes SET guid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))) WHERE id = NEW.id;
END;
CREATE TRIGGER documents_guid_on_insert AFTER INSERT ON documents WHEN NEW.guid IS NULL
BEGIN
    UPDATE documents SET guid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))) WHERE id = NEW.id;
END;
CREATE TRIGGER excerpts_guid_on_insert AFTER INSERT ON excerpts WHEN NEW.guid IS NULL
BEGIN
    UPDATE excerpts SET guid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))) WHERE id = NEW.id;
END;
CREATE TRIGGER projects_guid_on_insert AFTER INSERT ON projects WHEN NEW.consensus_guid IS NULL
BEGIN
    UPDATE projects SET consensus_guid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))) WHERE id = NEW.id;
END;

-- A GUID is for life: it never changes once set.
CREATE TRIGGER users_guid_is_fixed BEFORE UPDATE OF guid ON users WHEN OLD.guid IS NOT NULL AND NEW.guid IS NOT OLD.guid
BEGIN SELECT RAISE(ABORT, 'a GUID cannot change'); END;
CREATE TRIGGER codes_guid_is_fixed BEFORE UPDATE OF guid ON codes WHEN OLD.guid IS NOT NULL AND NEW.guid IS NOT OLD.guid
BEGIN SELECT RAISE(ABORT, 'a GUID cannot change'); END;
CREATE TRIGGER documents_guid_is_fixed BEFORE UPDATE OF guid ON documents WHEN OLD.guid IS NOT NULL AND NEW.guid IS NOT OLD.guid
BEGIN SELECT RAISE(ABORT, 'a GUID cannot change'); END;
CREATE TRIGGER excerpts_guid_is_fixed BEFORE UPDATE OF guid ON excerpts WHEN OLD.guid IS NOT NULL AND NEW.guid IS NOT OLD.guid
BEGIN SELECT RAISE(ABORT, 'a GUID cannot change'); END;
