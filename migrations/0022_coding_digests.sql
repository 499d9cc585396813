-- Each document's coding, packed (`domain::analysis::digest`): every (excerpt, code) pair
-- as a few varints. An analysis across a project (co-occurrence overlap and turn,
-- frequencies, the passages behind a cell) reads one digest per document instead of
-- joining 150,000 excerpts to their codes and turning them into text, which was three
-- quarters of a co-occurrence table's 150-230 ms (issue 13's benchmark).
--
-- A cache, never the record: a digest is written by a reader that found it missing
-- (`db::analysis::store_missing_digests`, under the write gate so what it reads is
-- current) and deleted by the coverage recount whenever its document is marked stale,
-- which every change to an excerpt's place or codes does (0020's triggers). Readers
-- take a document without a digest, or still marked, from the excerpts themselves, so a
-- missing digest is only slower, and a stale one is never read.
CREATE TABLE coding_digests (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    pairs       BLOB    NOT NULL
);
