-- Corrections of pages' text by staff, and what the machine had read before each.
-- action: corrected (a person fixed the text), accepted (a person found the reading good as it is),
-- reread (a person kept a new reading made with other OCR options).
-- machine_text, machine_words, machine_verdict, machine_reasons: the page as it was before the action;
-- the first row of a page holds the machine reading as ingest stored it.
-- text, words: the page after the action; pages.text and pages.words hold the same.
-- details: JSON, e.g. the OCR options of a re-reading.
CREATE TABLE page_corrections (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id     INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    number          INTEGER NOT NULL CHECK (number >= 1),
    action          TEXT NOT NULL CHECK (action IN ('corrected', 'accepted', 'reread')),
    machine_text    TEXT NOT NULL,
    machine_words   TEXT NOT NULL DEFAULT '[]',
    machine_verdict TEXT,
    machine_reasons TEXT NOT NULL DEFAULT '[]',
    text            TEXT NOT NULL,
    words           TEXT NOT NULL DEFAULT '[]',
    "user"          TEXT NOT NULL,
    at              TEXT NOT NULL,
    details         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX page_corrections_page ON page_corrections (document_id, number, id);
