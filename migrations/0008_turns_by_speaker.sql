-- The project's speakers table counts turns and documents per speaker label. Without an
-- index on the label that was a scan of the project's turns for every speaker (quadratic:
-- 8,000 labels in one file took 12 s); with this one it is one pass over the index,
-- which also holds everything the count needs.
CREATE INDEX turns_by_document_speaker ON turns(document_id, speaker);
