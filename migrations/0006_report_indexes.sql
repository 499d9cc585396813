-- Indexes that let whole-project reports (agreement) read only what they need.
--
-- Every coded span of a project in document order, without touching the excerpt rows
-- (memos, timestamps) or sorting.
CREATE INDEX excerpts_by_project_document ON excerpts(project_id, document_id, coder_id, consensus, start, end);

-- Document ids, lengths and titles without reading the rows, which hold the whole text
-- (a project's documents table is mostly transcript text).
DROP INDEX documents_by_project;
CREATE INDEX documents_by_project ON documents(project_id, id, length, title);
