-- Electronic document delivery (ЭҚЖ/ЭДД): remote users' requests for copies, their history,
-- the stamped copies sent, the letters to send, and the staff who handle them.
-- Personal data (name, e-mail, phone, purpose, letters, notes) is blanked by `olke requests purge`;
-- the rest stays for the figures.
CREATE TABLE delivery_requests (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    code             TEXT NOT NULL UNIQUE,            -- the tracking code the requester gets: 26-7KQ3-M9PX
    status           TEXT NOT NULL DEFAULT 'new'
                     CHECK (status IN ('new', 'in_progress', 'waiting', 'delivered', 'refused', 'cancelled',
                                       'expired')),
    created_at       TEXT NOT NULL,                   -- UTC ISO 8601
    updated_at       TEXT NOT NULL,
    language         TEXT NOT NULL CHECK (language IN ('kk', 'ru', 'en')),   -- the requester's, for letters
    name             TEXT,                            -- personal data: NULL once anonymised
    email            TEXT,                            -- stored lower-case
    phone            TEXT,
    category         TEXT NOT NULL CHECK (category IN ('researcher', 'teacher', 'student', 'pupil', 'pensioner',
                                                       'other')),
    document_id      INTEGER REFERENCES documents (id) ON DELETE SET NULL,
    cite_title       TEXT,                            -- a free citation, when the work is not in the archive
    cite_author      TEXT,
    cite_source      TEXT,
    cite_year        TEXT,
    cite_issue       TEXT,
    cite_pages       TEXT,
    pages            TEXT NOT NULL DEFAULT '',        -- wanted pages of the document, "1-3,5"; '' = all
    purpose          TEXT,
    needed_by        TEXT,                            -- YYYY-MM-DD or NULL
    consent_version  TEXT NOT NULL,                   -- the wording of the consent the requester agreed to
    consent_at       TEXT NOT NULL,
    rules_acknowledged INTEGER NOT NULL CHECK (rules_acknowledged = 1),
    exceeds_rules    TEXT,                            -- why the request exceeds the copying rules, if it does
    assigned_to      TEXT,                            -- a staff user's name
    refusal_reason   TEXT,                            -- one of archive.requests.statuses.REFUSAL_REASONS
    refusal_text     TEXT,
    delivered_at     TEXT,
    closed_at        TEXT,                            -- delivered, refused, cancelled or expired
    anonymised_at    TEXT
);
CREATE INDEX delivery_requests_email ON delivery_requests (email, created_at);
CREATE INDEX delivery_requests_status ON delivery_requests (status, created_at);
CREATE INDEX delivery_requests_delivered ON delivery_requests (delivered_at);

-- Every status change and every action, with time and user.
CREATE TABLE delivery_events (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id       INTEGER NOT NULL REFERENCES delivery_requests (id) ON DELETE CASCADE,
    at               TEXT NOT NULL,
    "user"           TEXT NOT NULL,                   -- a staff name, 'requester' or 'olke'
    action           TEXT NOT NULL,
    from_status      TEXT,
    to_status        TEXT,
    details          TEXT NOT NULL DEFAULT '{}'       -- JSON
);
CREATE INDEX delivery_events_request ON delivery_events (request_id, id);

-- Notes: internal ones for staff, questions to the requester and the requester's answers.
CREATE TABLE delivery_notes (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id       INTEGER NOT NULL REFERENCES delivery_requests (id) ON DELETE CASCADE,
    at               TEXT NOT NULL,
    author           TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('internal', 'to_requester', 'from_requester')),
    body             TEXT                             -- NULL once anonymised
);
CREATE INDEX delivery_notes_request ON delivery_notes (request_id, id);

-- Pages extracted from an archived PDF, kept to stamp again for another requester.
CREATE TABLE delivery_extracts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id      INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    pages            TEXT NOT NULL,                   -- normalised range; '' = all
    source_sha256    TEXT NOT NULL,                   -- the archived PDF it came from
    path             TEXT NOT NULL,                   -- relative to the data home
    page_count       INTEGER NOT NULL,
    made_at          TEXT NOT NULL,
    UNIQUE (document_id, pages, source_sha256)
);

-- A stamped copy sent to one requester, and its download link's limits.
CREATE TABLE delivery_copies (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id       INTEGER NOT NULL REFERENCES delivery_requests (id) ON DELETE CASCADE,
    extract_id       INTEGER REFERENCES delivery_extracts (id) ON DELETE SET NULL,
    path             TEXT,                            -- relative to the data home; NULL once removed
    page_count       INTEGER NOT NULL,
    size_bytes       INTEGER NOT NULL,
    made_at          TEXT NOT NULL,
    made_by          TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    max_downloads    INTEGER NOT NULL CHECK (max_downloads >= 1),
    downloads        INTEGER NOT NULL DEFAULT 0 CHECK (downloads >= 0),
    revoked          INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
);
CREATE INDEX delivery_copies_request ON delivery_copies (request_id);

-- Letters to requesters: written in the same transaction as what they announce, sent after it;
-- those the mail server did not take are sent again by `olke requests send-mail`.
CREATE TABLE delivery_mail (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id       INTEGER NOT NULL REFERENCES delivery_requests (id) ON DELETE CASCADE,
    letter           TEXT NOT NULL,                   -- received, question, delivered, refused, cancelled, expired
    recipient        TEXT,                            -- NULL once anonymised
    subject          TEXT,
    body             TEXT,
    created_at       TEXT NOT NULL,
    sent_at          TEXT,
    attempts         INTEGER NOT NULL DEFAULT 0,
    error            TEXT
);
CREATE INDEX delivery_mail_unsent ON delivery_mail (sent_at, id);

-- Staff who handle requests in the staff app; managed with `olke staff`.
CREATE TABLE staff_users (
    name             TEXT PRIMARY KEY,
    full_name        TEXT,
    password_hash    TEXT NOT NULL,                   -- werkzeug.security (scrypt)
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at       TEXT NOT NULL,
    password_set_at  TEXT NOT NULL,
    last_login_at    TEXT
)
