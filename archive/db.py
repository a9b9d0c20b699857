"""The catalog's database: SQLite in the data home (the default), or PostgreSQL when
``OLKE_DATABASE_URL`` names one. Both are reached through SQLAlchemy Core; the SQL in archive/ is
written once, portably: named parameters (``:name``; a list or tuple value expands for ``IN :ids``),
``INSERT … ON CONFLICT``, ``RETURNING id``, dates computed in Python.

A ``Connection`` is one database connection for one catalog, used as sqlite3's was: ``execute``
returns rows that read by column name or position (``row["title"]``, ``row[0]``, ``dict(row)``).
Statements outside ``transaction`` commit at once; ``transaction`` takes the catalog's write lock at
its start, on both databases, so writers take turns as they always have on SQLite:

- SQLite: ``BEGIN IMMEDIATE``, in WAL mode with a busy timeout; a catalog on a full disk opens
  read-only (reads work, writes raise DiskFull).
- PostgreSQL: ``BEGIN`` and a transaction-scoped advisory lock of the catalog's database.

Migrations are the .sql files in archive/migrations, applied in name order and recorded in the
``_migrations`` table. They are written in SQLite's dialect, and the runner translates their
column types for PostgreSQL (``translate_ddl``); a migration that cannot be shared (a trigger)
has a PostgreSQL twin, ``NNNN_name.postgresql.sql``, applied and recorded under the same name.
"""
from __future__ import annotations

import fcntl
import re
import sqlite3
import time
from collections.abc import Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.pool import NullPool

from archive.errors import DiskFull, UsageError, is_disk_full

MIGRATIONS_TABLE = "_migrations"
BUSY_SECONDS = 30       # a statement waits this long for another writer before "database is locked"

# PostgreSQL advisory-lock keys (per database): one for writers, one for the first set-up.
WRITE_LOCK = 0x6F6C6B65          # "olke"
SETUP_LOCK = WRITE_LOCK + 1

# What callers catch (the layers above name no driver): SQLAlchemy's exceptions, the same for both databases.
DatabaseError = exc.DBAPIError
IntegrityError = exc.IntegrityError


class Row:
    """A result row as sqlite3.Row reads: by position, by column name (case-insensitive),
    ``keys()``, ``dict(row)``; iterating gives the values."""

    __slots__ = ("_values", "_index", "_keys")

    def __init__(self, values: tuple, index: dict[str, int], keys: list[str]):
        self._values = values
        self._index = index
        self._keys = keys

    def __getitem__(self, key):
        if isinstance(key, str):
            try:
                return self._values[self._index[key.lower()]]
            except KeyError:
                raise IndexError(f"no such column: {key}") from None
        return self._values[key]

    def keys(self) -> list[str]:
        return list(self._keys)

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other) -> bool:
        if isinstance(other, Row):
            return self._values == other._values and self._keys == other._keys
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._keys, self._values))!r})"


class Result:
    """The rows of one statement (read them as from a sqlite3 cursor) and, for writes, ``rowcount``."""

    def __init__(self, result: sa.CursorResult):
        self._result = result
        self.rowcount = result.rowcount
        self._index: dict[str, int] | None = None
        if result.returns_rows:
            self._keys = list(result.keys())
            self._index = {}
            for position, name in enumerate(self._keys):
                self._index.setdefault(name.lower(), position)

    def _row(self, values) -> Row:
        return Row(tuple(values), self._index, self._keys)

    def fetchone(self) -> Row | None:
        if self._index is None:
            return None
        values = self._result.fetchone()
        return None if values is None else self._row(values)

    def fetchall(self) -> list[Row]:
        if self._index is None:
            return []
        return [self._row(values) for values in self._result.fetchall()]

    def scalar(self):
        row = self.fetchone()
        return None if row is None else row[0]

    def __iter__(self) -> Iterator[Row]:
        if self._index is None:
            return iter(())
        return (self._row(values) for values in self._result)


class Connection:
    """One connection to the catalog's database (see the module's notes).

    ``dialect`` is "sqlite" or "postgresql"; ``path`` is the SQLite file (None on PostgreSQL);
    ``full_disk`` names the data home when the SQLite catalog had to be opened read-only because
    the disk is full.
    """

    full_disk: Path | None = None

    def __init__(self, engine: sa.Engine, path: Path | None = None):
        self.engine = engine
        self.dialect = engine.dialect.name
        self.path = path
        self._conn = engine.connect()

    # --- statements ----------------------------------------------------------------------------

    def execute(self, sql: str, params: Mapping[str, Any] | Iterable | None = None) -> Result:
        """Run one statement with named parameters (``:name`` and a dict). Positional ``?``
        parameters with a sequence are accepted too, for SQL written for sqlite3."""
        statement, values = _statement(sql, params)
        return Result(self._run(lambda: self._conn.execute(statement, values)))

    def executemany(self, sql: str, rows: Iterable[Mapping[str, Any] | Iterable]) -> Result:
        rows = list(rows)
        if not rows:
            return Result(self._run(lambda: self._conn.exec_driver_sql("SELECT 1 WHERE 1 = 0")))
        statement, first = _statement(sql, rows[0])
        values = [first] + [_statement(sql, row)[1] for row in rows[1:]]
        return Result(self._run(lambda: self._conn.execute(statement, values)))

    def run_script(self, sql: str) -> None:
        """A migration's statements, as written (no parameters)."""
        if self.dialect == "postgresql":
            self._run(lambda: self._conn.connection.driver_connection.execute(sql))
        else:
            for statement in statements(sql):
                self._run(lambda: self._conn.exec_driver_sql(statement))

    def _run(self, step):
        try:
            return step()
        except (exc.DBAPIError, sqlite3.Error, OSError) as error:
            if self.dialect == "sqlite" and isinstance(error, (exc.DBAPIError, sqlite3.Error)) and (
                    is_disk_full(error, self.path) or (self.full_disk and _writes(error))):
                raise DiskFull.at(self.full_disk or self.path.parent) from error
            raise

    # --- transactions --------------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        driver = self._conn.connection.driver_connection
        if self.dialect == "sqlite":
            return driver.in_transaction
        return driver.info.transaction_status != 0        # psycopg: IDLE is 0

    def begin(self) -> None:
        """Start a write transaction holding the catalog's write lock (other writers wait)."""
        if self.dialect == "sqlite":
            self._run(lambda: self._conn.exec_driver_sql("BEGIN IMMEDIATE"))
        else:
            self._run(lambda: self._conn.exec_driver_sql("BEGIN"))
            self._run(lambda: self._conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})"))

    def commit(self) -> None:
        """End the transaction; as with sqlite3, nothing to do when none is open (statements commit at once)."""
        if self.in_transaction:
            self._run(lambda: self._conn.exec_driver_sql("COMMIT"))

    def rollback(self) -> None:
        if self.in_transaction:
            self._run(lambda: self._conn.exec_driver_sql("ROLLBACK"))

    def has_table(self, name: str) -> bool:
        return sa.inspect(self._conn).has_table(name)

    def close(self) -> None:
        try:
            self._conn.close()
        finally:
            self.engine.dispose()


def _writes(error: BaseException) -> bool:
    return isinstance(error, (exc.OperationalError, sqlite3.OperationalError))


def _statement(sql: str, params) -> tuple[sa.TextClause, dict]:
    if params is None:
        return _text(sql, ()), {}
    if isinstance(params, Mapping):
        values = dict(params)
    else:
        sql, values = _positional(sql, params)
    expanding = tuple(sorted(k for k, v in values.items() if isinstance(v, (list, tuple, set, frozenset))))
    for name in expanding:
        if not values[name]:
            # PostgreSQL cannot type an empty IN list against a text column: callers leave it out
            raise exc.ArgumentError(f"the list :{name} is empty; leave the condition out instead")
    values = {k: list(v) if k in expanding else v for k, v in values.items()}
    return _text(sql, expanding), values


@lru_cache(maxsize=1024)
def _text(sql: str, expanding: tuple[str, ...]) -> sa.TextClause:
    clause = sa.text(sql)
    if expanding:
        clause = clause.bindparams(*(sa.bindparam(name, expanding=True) for name in expanding))
    return clause


_QMARK = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\?""")


@lru_cache(maxsize=1024)
def _qmark_to_named(sql: str) -> tuple[str, int]:
    count = 0

    def name(match: re.Match) -> str:
        nonlocal count
        if match.group(0) != "?":
            return match.group(0)
        count += 1
        return f":_{count}"
    return _QMARK.sub(name, sql), count


def _positional(sql: str, params) -> tuple[str, dict]:
    named, count = _qmark_to_named(sql)
    values = list(params)
    if len(values) != count:
        raise exc.ArgumentError(f"the statement has {count} '?' parameters, {len(values)} values were given")
    return named, {f"_{n}": value for n, value in enumerate(values, start=1)}


# --- opening ---------------------------------------------------------------------------------------

def connect(target: Path | str) -> Connection:
    """Open the catalog: a SQLite file (a path) or a database URL (``postgresql://…``), creating
    and migrating it the first time."""
    if isinstance(target, str) and "://" in target:
        url = sa.make_url(target)
        if url.get_backend_name() == "sqlite":
            return connect(Path(url.database))
        if url.get_backend_name() != "postgresql":
            raise UsageError(f"OLKE_DATABASE_URL: unsupported database '{url.drivername}'; "
                             "use postgresql://user@host/dbname (or leave it unset for SQLite in the data home)")
        return _connect_postgresql(url)
    return _connect_sqlite(Path(target))


def _connect_postgresql(url: sa.URL) -> Connection:
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    engine = sa.create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT",
                              connect_args={"connect_timeout": 10})
    _exact_numbers(engine)
    conn = Connection(engine)
    try:
        if pending_migrations(conn):
            conn.execute(f"SELECT pg_advisory_lock({SETUP_LOCK})")
            try:
                migrate(conn)
            finally:
                conn.execute(f"SELECT pg_advisory_unlock({SETUP_LOCK})")
    except BaseException:
        conn.close()
        raise
    return conn


def _exact_numbers(engine: sa.Engine) -> None:
    """PostgreSQL's SUM and AVG of integers are numeric, which psycopg reads as Decimal; the catalog
    reads them, as from SQLite, as int (whole numbers) or float."""
    from psycopg.types.numeric import NumericLoader

    class Loader(NumericLoader):
        def load(self, data):
            value = super().load(data)
            return int(value) if value == value.to_integral_value() else float(value)

    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.adapters.register_loader("numeric", Loader)


def _connect_sqlite(path: Path) -> Connection:
    """Two processes opening a new catalog at once take turns (a lock file beside it), so neither
    sees "database is locked" while the other switches it to WAL or applies migrations. On a full
    disk, where SQLite cannot even create its shared-memory file, the catalog opens read-only.
    """
    def set_up(conn: Connection) -> None:
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal" or pending_migrations(conn):
            with _setup_lock(path):
                conn.execute("PRAGMA journal_mode = WAL")
                migrate(conn)

    conn = None
    try:
        conn = _open(path)
        _retry_locked(lambda: set_up(conn))
        return conn
    except (exc.DBAPIError, sqlite3.Error, OSError, DiskFull) as error:
        if conn is not None:
            conn.close()
        if not is_disk_full(error, path):
            raise
        return _open_read_only(path)


def _open(path: Path, uri: str | None = None) -> Connection:
    def create() -> sqlite3.Connection:
        raw = sqlite3.connect(uri or path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False,
                              uri=uri is not None)
        raw.execute(f"PRAGMA busy_timeout = {BUSY_SECONDS * 1000}")
        raw.execute("PRAGMA foreign_keys = ON")
        return raw

    engine = sa.create_engine("sqlite://", creator=create, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    return Connection(engine, path)


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
        except (exc.OperationalError, sqlite3.OperationalError) as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


# --- migrations ------------------------------------------------------------------------------------

def pending_migrations(conn: Connection) -> list[str]:
    done = set()
    if conn.has_table(MIGRATIONS_TABLE):
        done = {row[0] for row in conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE}")}
    return [name for name, _ in available_migrations(conn.dialect) if name not in done]


def available_migrations(dialect: str = "sqlite") -> list[tuple[str, str]]:
    """The migrations in name order, as (name, script) for ``dialect``: a PostgreSQL twin
    (``NNNN_name.postgresql.sql``) stands in for ``NNNN_name.sql`` there, else the shared script's
    types are translated (``translate_ddl``)."""
    folder = resources.files("archive") / "migrations"
    files = {p.name: p for p in folder.iterdir() if p.name.endswith(".sql")}
    found = []
    for name in sorted(n for n in files if n.count(".") == 1):
        twin = files.get(name.removesuffix(".sql") + f".{dialect}.sql")
        if twin is not None:
            found.append((name, twin.read_text(encoding="utf-8")))
        else:
            script = files[name].read_text(encoding="utf-8")
            found.append((name, translate_ddl(script) if dialect == "postgresql" else script))
    return found


_DDL_TYPES = [
    (re.compile(r"\bINTEGER PRIMARY KEY AUTOINCREMENT\b"), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
]


def translate_ddl(script: str) -> str:
    """A migration written for SQLite as PostgreSQL DDL, the one translation the runner makes:
    SQLite's 64-bit INTEGER and AUTOINCREMENT key become BIGINT and an identity column, its 8-byte
    REAL becomes DOUBLE PRECISION (PostgreSQL's REAL has 4 bytes). Only upper-case type names
    change; the rest of the script (TEXT, CHECK, partial indexes, ALTER TABLE ADD COLUMN) is
    read alike by both."""
    for pattern, replacement in _DDL_TYPES:
        script = pattern.sub(replacement, script)
    return script


def migrate(conn: Connection) -> list[str]:
    """Apply the migrations not yet recorded; returns the names applied."""
    conn.execute(f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE}")}
    applied = []
    for name, sql in available_migrations(conn.dialect):
        if name in done:
            continue
        conn.begin()
        try:
            # Re-check inside the lock: another process may have just applied it.
            if conn.execute(f"SELECT 1 FROM {MIGRATIONS_TABLE} WHERE name = :name", {"name": name}).fetchone():
                conn.rollback()
                continue
            conn.run_script(sql)
            conn.execute(f"INSERT INTO {MIGRATIONS_TABLE} (name, applied_at) VALUES (:name, :at)",
                         {"name": name, "at": datetime.now(timezone.utc).isoformat(timespec="seconds")})
            conn.commit()
        except BaseException:
            conn.rollback()
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
def transaction(conn: Connection) -> Iterator[Connection]:
    """A write transaction that takes the catalog's write lock at once (other writers wait).
    A full disk, at any step, is DiskFull and leaves the catalog as it was."""
    if getattr(conn, "full_disk", None):
        raise DiskFull.at(conn.full_disk)
    try:
        conn.begin()
        try:
            yield conn
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    except (exc.DBAPIError, OSError) as error:
        if conn.dialect == "sqlite" and is_disk_full(error, conn.path):
            raise DiskFull.at(conn.path) from error
        raise


@contextmanager
def savepoint(conn: Connection) -> Iterator[Connection]:
    """Inside a transaction: a step that may fail (a unique key taken) and be tried again. PostgreSQL
    ends a transaction at a failed statement unless it is undone to a savepoint; SQLite undoes the
    statement alone, and takes the same savepoint statements."""
    conn.execute("SAVEPOINT olke_step")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK TO SAVEPOINT olke_step")
        conn.execute("RELEASE SAVEPOINT olke_step")
        raise
    conn.execute("RELEASE SAVEPOINT olke_step")


