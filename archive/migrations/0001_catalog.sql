-- The catalog: documents, their pages, stored files and what happened to them.
CREATE TABLE documents (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL CHECK (kind IN ('newspaper_article', 'journal_article', 'book', 'other')),
    title         TEXT NOT NULL,
    authors       TEXT NOT NULL DEFAULT '[]',      -- JSON list of names
    source        TEXT,                            -- newspaper or journal title
    issue         TEXT,
    published     TEXT,                            -- YYYY, YYYY-MM or YYYY-MM-DD
    source_pages  TEXT,                            -- pages in the source, e.g. "3" or "12-14"
    language      TEXT NOT NULL CHECK (language IN ('kaz', 'rus')),
    rubrics       TEXT NOT NULL DEFAULT '[]',      -- JSON list
    udc           TEXT,
    notes         TEXT,
    access        TEXT NOT NULL DEFAULT 'open' CHECK (access IN ('open', 'on_request')),
    digitised_on  TEXT NOT NULL,                   -- YYYY-MM-DD; decides the plan quarter
    digitised_by  TEXT,
    page_count    INTEGER NOT NULL CHECK (page_count >= 0),
    scan_sha256   TEXT NOT NULL,                   -- hash of the input scans, for duplicates
    ocr_engine    TEXT,
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deleted')),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX documents_active_scan ON documents (scan_sha256) WHERE status = 'active';
CREATE INDEX documents_digitised_on ON documents (digitised_on);

CREATE TABLE pages (
    document_id   INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    number        INTEGER NOT NULL CHECK (number >= 1),
    text          TEXT NOT NULL DEFAULT '',
    words         TEXT NOT NULL DEFAULT '[]',      -- JSON [[word, x0, y0, x1, y1, conf], ...], boxes as fractions of the page
    confidence    REAL,                            -- mean word confidence 0-100; NULL for born-digital text
    language      TEXT CHECK (language IN ('kaz', 'rus')),
    width_pt      REAL,
    height_pt     REAL,
    PRIMARY KEY (document_id, number)
);

CREATE TABLE files (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id   INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (role IN ('pdf', 'original', 'page_image', 'thumbnail')),
    page          INTEGER,                         -- for page images and thumbnails
    path          TEXT NOT NULL,                   -- relative to the data home
    media_type    TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    sha256        TEXT NOT NULL
);
CREATE INDEX files_document ON files (document_id, role, page);

CREATE TABLE events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id   INTEGER REFERENCES documents (id) ON DELETE SET NULL,
    action        TEXT NOT NULL CHECK (action IN ('ingested', 'reocred', 'deleted', 'metadata_edited')),
    at            TEXT NOT NULL,                   -- UTC ISO 8601
    "user"        TEXT NOT NULL,                   -- quoted: a reserved word in PostgreSQL
    details       TEXT NOT NULL DEFAULT '{}'       -- JSON
);
CREATE INDEX events_document ON events (document_id, at);
