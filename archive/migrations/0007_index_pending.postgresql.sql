-- PostgreSQL's form of 0007_index_pending.sql (the same table; its triggers call a function).
CREATE TABLE index_pending (
    document_id BIGINT PRIMARY KEY,
    version     BIGINT NOT NULL             -- counts the changes, so a mark set again while indexing stays
);
CREATE FUNCTION olke_mark_index_pending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO index_pending (document_id, version) VALUES (NEW.id, 1)
        ON CONFLICT (document_id) DO UPDATE SET version = index_pending.version + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER documents_index_pending_insert AFTER INSERT ON documents
    FOR EACH ROW EXECUTE FUNCTION olke_mark_index_pending();
CREATE TRIGGER documents_index_pending_update AFTER UPDATE ON documents
    FOR EACH ROW EXECUTE FUNCTION olke_mark_index_pending();
