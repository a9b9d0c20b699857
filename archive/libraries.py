"""The libraries of the system (``Archive.libraries``): a central library and its branches, or a regional
library and the district libraries whose local-history work it gathers, served from one installation.

Every document is held by one library, every plan and delivery request is one library's, and a staff user
works at one (or, without a library, administers the whole system). A catalog starts with one library,
``main``, without names: while it is the only one, nothing anywhere shows or asks about libraries.
Documents, plans and requests that name no library go to the default library (``main`` unless changed).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields

from archive.db import Connection, Row, transaction
from archive.errors import NotFound, UsageError

CODE = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
DEFAULT_CODE = "main"
EDITABLE = ("name_kk", "name_ru", "name_en", "town", "address", "email", "delivery_terms")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class Library:
    code: str
    name_kk: str | None = None
    name_ru: str | None = None
    name_en: str | None = None
    town: str | None = None
    address: str | None = None
    email: str | None = None
    delivery_terms: str | None = None
    is_default: int = 0
    position: int = 0

    @classmethod
    def from_row(cls, row: Row) -> "Library":
        names = {f.name for f in fields(cls)}
        return cls(**{k: row[k] for k in row.keys() if k in names})

    def name(self, lang: str = "kk") -> str:
        """Its name in ``lang`` (kk, ru, en), else in Kazakh, Russian or English, else its code."""
        order = {"kk": ("kk", "ru", "en"), "ru": ("ru", "kk", "en")}.get(lang, ("en", "kk", "ru"))
        return next((getattr(self, f"name_{x}") for x in order if getattr(self, f"name_{x}")), self.code)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def check_code(code: str) -> str:
    if not CODE.match(code or ""):
        raise UsageError(f"library code '{code}' is not valid; use 2-32 lowercase Latin letters, digits or '-', "
                         "starting with a letter, e.g. pavlodar-obl")
    return code


def _clean(values: dict) -> dict:
    unknown = sorted(set(values) - set(EDITABLE))
    if unknown:
        raise UsageError(f"unknown library field '{unknown[0]}'; known fields: {', '.join(EDITABLE)}")
    clean = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in values.items()}
    if clean.get("email") and not _EMAIL.match(clean["email"]):
        raise UsageError(f"'{clean['email']}' is not an e-mail address")
    if clean.get("email"):
        clean["email"] = clean["email"].lower()
    return clean


def all_libraries(conn: Connection) -> list[Library]:
    return [Library.from_row(r) for r in conn.execute("SELECT * FROM libraries ORDER BY position, code")]


def get(conn: Connection, code: str) -> Library:
    row = conn.execute("SELECT * FROM libraries WHERE code = :code", {"code": code}).fetchone()
    if row is None:
        known = ", ".join(lib.code for lib in all_libraries(conn))
        raise NotFound(f"no library '{code}' in the archive; the libraries are: {known} (see `olke library list`)")
    return Library.from_row(row)


def default(conn: Connection) -> Library:
    row = conn.execute("SELECT * FROM libraries ORDER BY is_default DESC, position, code").fetchone()
    return Library.from_row(row)


def add(conn: Connection, code: str, **values) -> Library:
    check_code(code)
    clean = _clean(values)
    with transaction(conn):
        if conn.execute("SELECT 1 FROM libraries WHERE code = :code", {"code": code}).fetchone():
            raise UsageError(f"library '{code}' already exists; change it with: olke library edit {code}")
        position = conn.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM libraries").fetchone()[0]
        columns = ["code", "position", *clean]
        conn.execute(f"INSERT INTO libraries ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})",
                     {"code": code, "position": position, **clean})
    return get(conn, code)


def edit(conn: Connection, code: str, make_default: bool = False, **values) -> Library:
    clean = _clean(values)
    with transaction(conn):
        get(conn, code)
        if clean:
            conn.execute(f"UPDATE libraries SET {', '.join(f'{k} = :{k}' for k in clean)} WHERE code = :code",
                         {**clean, "code": code})
        if make_default:
            conn.execute("UPDATE libraries SET is_default = CASE WHEN code = :code THEN 1 ELSE 0 END", {"code": code})
    return get(conn, code)


def resolve(conn: Connection, code: str | None) -> str:
    """The code of the library meant: ``code`` if the register has it, the default library's for None."""
    if code is None or not str(code).strip():
        return default(conn).code
    code = str(code).strip().lower()
    if not conn.execute("SELECT 1 FROM libraries WHERE code = :code", {"code": code}).fetchone():
        known = ", ".join(lib.code for lib in all_libraries(conn))
        raise UsageError(f"unknown library '{code}'; use one of: {known} (add one with: olke library add CODE)")
    return code


def count(conn: Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM libraries").fetchone()[0]


def holdings(conn: Connection) -> dict[str, tuple[int, int]]:
    """Per library: (documents, pages) held, active documents only."""
    rows = conn.execute("SELECT library, COUNT(*), COALESCE(SUM(page_count), 0) FROM documents"
                        " WHERE status = 'active' GROUP BY library")
    return {row[0]: (row[1], row[2]) for row in rows}


def recent(conn: Connection, code: str, limit: int = 10) -> list[int]:
    """The library's documents most recently archived, newest first (their ids)."""
    rows = conn.execute("SELECT id FROM documents WHERE status = 'active' AND library = :code"
                        " ORDER BY created_at DESC, id DESC LIMIT :limit", {"code": code, "limit": int(limit)})
    return [row[0] for row in rows]


class Libraries:
    """The register of the system's libraries, bound to one catalog."""

    def __init__(self, catalog):
        self._catalog = catalog

    @property
    def _conn(self):
        return self._catalog.conn

    def all(self) -> list[Library]:
        return all_libraries(self._conn)

    def get(self, code: str) -> Library:
        return get(self._conn, code)

    def default(self) -> Library:
        return default(self._conn)

    def several(self) -> bool:
        """Whether the installation serves more than one library (else nothing shows libraries)."""
        return count(self._conn) > 1

    def add(self, code: str, **values) -> Library:
        return add(self._conn, code, **values)

    def edit(self, code: str, make_default: bool = False, **values) -> Library:
        return edit(self._conn, code, make_default, **values)

    def resolve(self, code: str | None) -> str:
        return resolve(self._conn, code)

    def holdings(self) -> dict[str, tuple[int, int]]:
        return holdings(self._conn)

    def recent(self, code: str, limit: int = 10) -> list[int]:
        return recent(self._conn, code, limit)

    def names(self, lang: str = "kk") -> dict[str, str]:
        return {lib.code: lib.name(lang) for lib in self.all()}
