-- The order of a plan's figures as loaded (its rows and columns are shown in it): a column of its
-- own instead of SQLite's rowid, which PostgreSQL does not have. Figures loaded before keep theirs.
ALTER TABLE plan_figures ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE plan_figures SET position = rowid;
