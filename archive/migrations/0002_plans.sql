-- Digitisation plans: one per year, every figure as the library stated it (inconsistencies included).
CREATE TABLE plans (
    year          INTEGER PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
    title         TEXT,
    library       TEXT,
    source_name   TEXT NOT NULL,                   -- the file it was loaded from
    source_text   TEXT NOT NULL,                   -- the TOML as loaded, to edit and load again
    loaded_at     TEXT NOT NULL,                   -- UTC ISO 8601
    loaded_by     TEXT NOT NULL
);

CREATE TABLE plan_figures (
    year          INTEGER NOT NULL REFERENCES plans (year) ON DELETE CASCADE,
    row           TEXT NOT NULL CHECK (row IN ('newspaper_article', 'journal_article', 'book', 'other', 'total',
                                               'electronic_delivery')),
    measure       TEXT NOT NULL CHECK (measure IN ('documents', 'pages', 'requests')),
    quarter       INTEGER NOT NULL CHECK (quarter BETWEEN 0 AND 4),   -- 0 = the whole year
    kazakh        INTEGER NOT NULL CHECK (kazakh IN (0, 1)),          -- 1 = "of which in Kazakh"
    value         INTEGER NOT NULL CHECK (value >= 0),
    stated_in     TEXT NOT NULL DEFAULT '',        -- '' = the plan's table; else where else the plan states it
    PRIMARY KEY (year, row, measure, quarter, kazakh, stated_in)
);

-- Every load, kept when a later load replaces the plan.
CREATE TABLE plan_loads (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    year          INTEGER NOT NULL,
    source_name   TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    loaded_at     TEXT NOT NULL,
    loaded_by     TEXT NOT NULL
);
CREATE INDEX plan_loads_year ON plan_loads (year, id)
