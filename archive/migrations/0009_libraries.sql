-- Several libraries, one archive: the libraries of a centralised library system (a central library and
-- its branches, or a regional library and the district libraries it gathers), and which of them holds each
-- document, owns each plan, handles each delivery request and employs each staff user.
-- A catalog made before this has one library, 'main', without names: it holds everything, and an
-- installation with one library never shows or asks about libraries. Plain SQL (TEXT and INTEGER
-- columns), so that it runs on SQLite and PostgreSQL alike.
CREATE TABLE libraries (
    code            TEXT PRIMARY KEY,               -- short, in commands and URLs: pavlodar-obl
    name_kk         TEXT,
    name_ru         TEXT,
    name_en         TEXT,
    town            TEXT,
    address         TEXT,
    email           TEXT,                           -- where its delivery desk is reached
    delivery_terms  TEXT,                           -- its terms of delivery, told to requesters
    is_default      INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),  -- what holds documents no one assigned
    position        INTEGER NOT NULL DEFAULT 0      -- the order libraries are listed in
);
INSERT INTO libraries (code, is_default, position) VALUES ('main', 1, 0);

-- The holding library of each document, and the library handling each delivery request.
ALTER TABLE documents ADD COLUMN library TEXT NOT NULL DEFAULT 'main';
CREATE INDEX documents_library ON documents (library, digitised_on);
ALTER TABLE delivery_requests ADD COLUMN library TEXT NOT NULL DEFAULT 'main';
CREATE INDEX delivery_requests_library ON delivery_requests (library, status, created_at);
-- Where a request went outside the system (the national library, a regional library), when it did.
ALTER TABLE delivery_requests ADD COLUMN sent_outside_to TEXT;

-- A staff user works at one library and sees its queue; NULL: the system's administrator, who sees all
-- (every staff user of a catalog made before this).
ALTER TABLE staff_users ADD COLUMN library TEXT;

-- Plans per library and year: the table is made again with the library in its key (the figures with it).
CREATE TABLE library_plans (
    library       TEXT NOT NULL,
    year          INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    title         TEXT,
    library_name  TEXT,                            -- the library as the plan file names it
    source_name   TEXT NOT NULL,
    source_text   TEXT NOT NULL,
    loaded_at     TEXT NOT NULL,
    loaded_by     TEXT NOT NULL,
    PRIMARY KEY (library, year)
);
INSERT INTO library_plans (library, year, title, library_name, source_name, source_text, loaded_at, loaded_by)
    SELECT 'main', year, title, library, source_name, source_text, loaded_at, loaded_by FROM plans;

CREATE TABLE library_plan_figures (
    library       TEXT NOT NULL,
    year          INTEGER NOT NULL,
    row           TEXT NOT NULL CHECK (row IN ('newspaper_article', 'journal_article', 'book', 'other', 'total',
                                               'electronic_delivery')),
    measure       TEXT NOT NULL CHECK (measure IN ('documents', 'pages', 'requests')),
    quarter       INTEGER NOT NULL CHECK (quarter BETWEEN 0 AND 4),
    kazakh        INTEGER NOT NULL CHECK (kazakh IN (0, 1)),
    value         INTEGER NOT NULL CHECK (value >= 0),
    stated_in     TEXT NOT NULL DEFAULT '',
    position      INTEGER NOT NULL DEFAULT 0,      -- the order the plan states its figures in (0008)
    PRIMARY KEY (library, year, row, measure, quarter, kazakh, stated_in),
    FOREIGN KEY (library, year) REFERENCES library_plans (library, year) ON DELETE CASCADE
);
INSERT INTO library_plan_figures (library, year, row, measure, quarter, kazakh, value, stated_in, position)
    SELECT 'main', year, row, measure, quarter, kazakh, value, stated_in, position FROM plan_figures;

DROP TABLE plan_figures;
DROP TABLE plans;
ALTER TABLE library_plans RENAME TO plans;
ALTER TABLE library_plan_figures RENAME TO plan_figures;

ALTER TABLE plan_loads ADD COLUMN library TEXT NOT NULL DEFAULT 'main';
CREATE INDEX plan_loads_library ON plan_loads (library, year, id);
