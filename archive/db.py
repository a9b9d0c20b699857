"""SQLite connection and schema migrations recorded in the database."""
from __future__ import annotations

import fcntl
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

from archive.errors import DiskFull, is_disk_full

MIGRATIONS_TABLE = "_migrations"
DatabaseError = sqlite3.Error   # what the catalog's database raises, named for the layers above (no sqlite3 there)
BUSY_SECONDS = 30       # a statement waits this long for another writer before "database is locked"


class Connection(sqlite3.Connection):
    """A catalog connection; ``full_disk`` names the data home when it had to be opened read-only
    because the disk is full (reads work, writes raise DiskFull)."""

    full_disk: Path | None = None


def connect(path: Path) -> Connection:
    """Open the catalog, creating and migrating it the first time.

    Two processes opening a new catalog at once take turns (a lock file beside it), so neither
    sees "database is locked" while the other switches it to WAL or applies migrations. On a full
    disk, where SQLite cannot even create its shared-memory file, the catalog opens read-only.
    """
    def set_up(conn: Connection) -> None:
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal" or pending_migrations(conn):
            with _setup_lock(path):
                conn.execute("PRAGMA journal_mode = WAL")
                migrate(conn)

    try:
        conn = _open(path)
        _retry_locked(lambda: set_up(conn))
        return conn
    except (sqlite3.OperationalError, OSError) as error:
        if not is_disk_full(error, path):
            raise
        return _open_read_only(path)


def _open(path: Path, uri: str | None = None) -> Connection:
    conn = sqlite3.connect(uri or path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False,
                           factory=Connection, uri=uri is not None)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_SECONDS * 1000}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _open_read_only(path: Path) -> Connection:
    """The catalog as last committed, read without writing anything: possible when its write-ahead
    log is empty (every process that wrote closed it cleanly), else the disk must be freed first."""
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise DiskFull.at(path)
    conn = _open(path, f"file:{quote(str(path))}?mode=ro&immutable=1")
    conn.full_disk = path.parent
    return conn


@contextmanager
def _setup_lock(path: Path) -> Iterator[None]:
    with open(path.with_name(path.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _retry_locked(step, seconds: float = BUSY_SECONDS):
    """Run `step`, retrying while another connection holds the lock it needs: switching to WAL,
    and opening a WAL database while another connection recovers or closes it, return "database
    is locked" at once, without waiting as other statements do."""
    deadline = time.monotonic() + seconds
    delay = 0.02
    while True:
        try:
            return step()
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def pending_migrations(conn: sqlite3.Connection) -> list[str]:
    try:
        done = {row[0] for row in conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE}")}
    except sqlite3.OperationalError:
        done = set()
    return [name for name, _ in available_migrations() if name not in done]


def available_migrations() -> list[tuple[str, str]]:
    folder = resources.files("archive") / "migrations"
    scripts = sorted(p for p in folder.iterdir() if p.name.endswith(".sql"))
    return [(p.name, p.read_text(encoding="utf-8")) for p in scripts]


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply the migrations not yet recorded; returns the names applied."""
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = {row[0] for row in conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE}")}
    applied = []
    for name, sql in available_migrations():
        if name in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-check inside the lock: another process may have just applied it.
            if conn.execute(f"SELECT 1 FROM {MIGRATIONS_TABLE} WHERE name = ?", (name,)).fetchone():
                conn.execute("ROLLBACK")
                continue
            for statement in statements(sql):
                conn.execute(statement)
            conn.execute(
                f"INSERT INTO {MIGRATIONS_TABLE} (name, applied_at) VALUES (?, ?)",
                (name, datetime.now(timezone.utc).isoformat(timespec="seconds")),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied


def statements(sql: str) -> list[str]:
    """A migration script's statements, split where SQLite says one is complete (a comment after the
    semicolon, or a semicolon inside a string, does not split it)."""
    found, current = [], ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            found.append(current.strip())
            current = ""
    if current.strip() and not all(part.strip().startswith("--") or not part.strip()
                                   for part in current.splitlines()):
        found.append(current.strip())
    return found


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction that takes the database's write lock at once (other writers wait).
    A full disk, at any step, is DiskFull and leaves the catalog as it was."""
    if getattr(conn, "full_disk", None):
        raise DiskFull.at(conn.full_disk)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    except (sqlite3.OperationalError, OSError) as error:
        path = database_path(conn)
        if is_disk_full(error, path):
            raise DiskFull.at(path) from error
        raise


def database_path(conn: sqlite3.Connection) -> Path:
    row = conn.execute("PRAGMA database_list").fetchone()
    return Path(row[2]) if row and row[2] else Path.cwd()
