-- Documents whose search-index entries must be written again. The triggers mark a document in the
-- same transaction that adds, changes or deletes it; the mark is cleared once the index holds the
-- change. A crash in between leaves the mark, and the next ingest, re-OCR or `olke serve` catches up.
CREATE TABLE index_pending (
    document_id INTEGER PRIMARY KEY,
    version     INTEGER NOT NULL            -- counts the changes, so a mark set again while indexing stays
);
CREATE TRIGGER documents_index_pending_insert AFTER INSERT ON documents BEGIN
    INSERT OR REPLACE INTO index_pending (document_id, version)
        VALUES (NEW.id, COALESCE((SELECT version FROM index_pending WHERE document_id = NEW.id), 0) + 1);
END;
CREATE TRIGGER documents_index_pending_update AFTER UPDATE ON documents BEGIN
    INSERT OR REPLACE INTO index_pending (document_id, version)
        VALUES (NEW.id, COALESCE((SELECT version FROM index_pending WHERE document_id = NEW.id), 0) + 1);
END;
