-- Usage figures for the reading room, and curated thematic collections.
-- Views and downloads per document and day: the library reports "viewed electronic copies" and
-- "downloaded documents/fragments".
CREATE TABLE usage_daily (
    document_id   INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    day           TEXT NOT NULL,                   -- YYYY-MM-DD, the server's local date
    kind          TEXT NOT NULL CHECK (kind IN ('view', 'download')),
    count         INTEGER NOT NULL DEFAULT 0 CHECK (count >= 0),
    PRIMARY KEY (document_id, day, kind)
);
CREATE INDEX usage_daily_day ON usage_daily (day, kind);

-- A bibliographer groups documents into a named collection, e.g. about a notable person of the region.
CREATE TABLE collections (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL UNIQUE,            -- short name used in the CLI and in URLs: abai-kunanbaiuly
    title_kk      TEXT,
    title_ru      TEXT,
    title_en      TEXT,
    description   TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE collection_documents (
    collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    document_id   INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,                -- the order the documents were added in
    added_at      TEXT NOT NULL,
    PRIMARY KEY (collection_id, document_id)
);
CREATE INDEX collection_documents_document ON collection_documents (document_id)
