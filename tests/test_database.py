"""The catalog's database layer (archive/db.py): the same SQL on SQLite and PostgreSQL, rows read
by name, transactions, and SQLite catalogs made before PostgreSQL was possible."""
from __future__ import annotations

import sqlite3

import pytest

from archive import db

pytestmark = pytest.mark.databases      # on SQLite and again with the catalog on PostgreSQL


@pytest.fixture
def conn(home, database):
    home.ensure()
    conn = db.connect(database or home.catalog_path)
    yield conn
    conn.close()


def test_rows_read_like_sqlite3_rows(conn):
    conn.execute("INSERT INTO staff_users (name, password_hash, created_at, password_set_at)"
                 " VALUES (:name, 'x', 'now', 'now')", {"name": "aigerim"})
    row = conn.execute("SELECT name, active AS isActive, COUNT(*) AS n FROM staff_users GROUP BY name, active").fetchone()
    assert row["name"] == row[0] == "aigerim" and row["isactive"] == row["ISACTIVE"] == 1
    assert row.keys() in (["name", "isActive", "n"], ["name", "isactive", "n"])    # PostgreSQL folds unquoted names
    assert list(row) == ["aigerim", 1, 1] and dict(row)["n"] == 1 and len(row) == 3
    with pytest.raises(IndexError):
        row["missing"]


def test_named_positional_and_expanding_parameters(conn):
    for name in ("a", "b", "c"):
        conn.execute("INSERT INTO staff_users (name, password_hash, created_at, password_set_at)"
                     " VALUES (?, '?', ?, ?)", (name, "2026", "2026"))     # '?' in a string is no parameter
    found = conn.execute("SELECT name, password_hash FROM staff_users WHERE name IN :names ORDER BY name",
                         {"names": ("a", "c")}).fetchall()
    assert [tuple(r) for r in found] == [("a", "?"), ("c", "?")]
    with pytest.raises(db.exc.ArgumentError, match="empty"):       # PostgreSQL cannot type it: callers leave it out
        conn.execute("SELECT COUNT(*) FROM staff_users WHERE name IN :names", {"names": []})


def test_sums_are_whole_numbers_on_both(conn):
    conn.execute("INSERT INTO plan_loads (year, source_name, source_sha256, loaded_at, loaded_by)"
                 " VALUES (2026, 'a', 'b', 'c', 'd'), (2027, 'a', 'b', 'c', 'd')")
    total = conn.execute("SELECT SUM(year), COALESCE(SUM(year), 0) FROM plan_loads").fetchone()
    assert total[0] == 4053 and type(total[0]) is int and type(total[1]) is int


def test_a_failed_insert_inside_a_savepoint_leaves_the_transaction_usable(conn):
    with db.transaction(conn):
        conn.execute("INSERT INTO staff_users (name, password_hash, created_at, password_set_at)"
                     " VALUES ('a', 'x', 'now', 'now')")
        with pytest.raises(db.IntegrityError):
            with db.savepoint(conn):
                conn.execute("INSERT INTO staff_users (name, password_hash, created_at, password_set_at)"
                             " VALUES ('a', 'y', 'now', 'now')")
        conn.execute("INSERT INTO staff_users (name, password_hash, created_at, password_set_at)"
                     " VALUES ('b', 'x', 'now', 'now')")
    assert [r[0] for r in conn.execute("SELECT name FROM staff_users ORDER BY name")] == ["a", "b"]


def test_a_transaction_rolls_back_on_error(conn):
    with pytest.raises(RuntimeError):
        with db.transaction(conn):
            conn.execute("INSERT INTO staff_users (name, password_hash, created_at, password_set_at)"
                         " VALUES ('a', 'x', 'now', 'now')")
            raise RuntimeError("stop")
    assert not conn.in_transaction
    assert conn.execute("SELECT COUNT(*) FROM staff_users").scalar() == 0


def test_every_migration_is_recorded_once(conn):
    names = [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY name")]
    assert names == [name for name, _ in db.available_migrations()]
    assert db.pending_migrations(conn) == [] and db.migrate(conn) == []


def test_the_index_marks_count_changes_on_both(conn):
    conn.execute("INSERT INTO documents (kind, title, language, digitised_on, page_count, scan_sha256,"
                 " created_at, updated_at) VALUES ('book', 'Кітап', 'kaz', '2026-01-01', 1, 'sha', 'now', 'now')")
    conn.execute("UPDATE documents SET title = 'Кітап 2'")
    assert tuple(conn.execute("SELECT document_id, version FROM index_pending").fetchone()) == (1, 2)


def test_a_sqlite_catalog_from_before_opens_and_keeps_its_plans_order(tmp_path, database):
    """A catalog made by the sqlite3 code (migrations 0001-0007, plan figures in their load order by
    rowid) gets the new migration and reads as before."""
    if database:
        pytest.skip("a SQLite catalog")
    path = tmp_path / "catalog.sqlite"
    old = sqlite3.connect(path, isolation_level=None)
    old.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, script in db.available_migrations()[:7]:
        old.executescript(script)
        old.execute("INSERT INTO _migrations VALUES (?, 'then')", (name,))
    old.execute("PRAGMA journal_mode = WAL")
    old.execute("INSERT INTO plans (year, source_name, source_text, loaded_at, loaded_by) VALUES (2026, 'p', '', 'x', 'y')")
    for row in ("total", "book", "newspaper_article"):
        old.execute("INSERT INTO plan_figures (year, row, measure, quarter, kazakh, value)"
                    " VALUES (2026, ?, 'documents', 0, 0, 1)", (row,))
    old.close()
    conn = db.connect(path)
    try:
        from archive.plans.plan import get_plan

        assert [key[0] for key in get_plan(conn, 2026).rows] == ["total", "book", "newspaper_article"]
        assert db.pending_migrations(conn) == []
        assert conn.execute("PRAGMA journal_mode").scalar() == "wal"
    finally:
        conn.close()
