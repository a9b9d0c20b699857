"""Staff users of the staff app: added, given passwords and disabled from the CLI; passwords hashed (scrypt)."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from werkzeug.security import check_password_hash, generate_password_hash

from archive.catalog import now
from archive.db import Connection, IntegrityError, Row
from archive.errors import NotFound, StaffLoginFailed, UsageError
from archive.libraries import resolve as resolve_library

NAME = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 200
# Compared against when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("olke-no-such-user")


def check_name(name: str) -> str:
    if not NAME.match(name or ""):
        raise UsageError(f"staff name '{name}' is not valid; use 2-32 lowercase Latin letters, digits, '.', '_' "
                         "or '-', starting with a letter, e.g. librarian.one")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password is too short; use at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UsageError(f"the password is too long; use at most {MAX_PASSWORD} characters")
    return password


def add(conn: Connection, name: str, password: str, full_name: str | None = None,
        library: str | None = None) -> None:
    """Add a staff user of ``library`` (a code), or, without one, the system's administrator."""
    check_name(name)
    library = resolve_library(conn, library) if library is not None else None
    stamp = now()
    try:
        conn.execute("INSERT INTO staff_users (name, full_name, password_hash, created_at, password_set_at, library)"
                     " VALUES (:name, :full_name, :hash, :created_at, :password_set_at, :library)",
                     {"name": name, "full_name": full_name, "hash": generate_password_hash(check_password(password)),
                      "created_at": stamp, "password_set_at": _password_stamp(), "library": library})
    except IntegrityError:
        raise UsageError(f"staff user '{name}' already exists; change the password with: olke staff passwd "
                         f"{name}") from None


def _existing(conn: Connection, name: str) -> Row:
    row = conn.execute("SELECT * FROM staff_users WHERE name = :name", {"name": name}).fetchone()
    if row is None:
        raise NotFound(f"no staff user '{name}'; see `olke staff list`")
    return row


def get(conn: Connection, name: str) -> dict:
    row = _existing(conn, name)
    return {k: row[k] for k in ("name", "full_name", "active", "created_at", "password_set_at", "last_login_at",
                                "library")}


def library_of(conn: Connection, name: str) -> str | None:
    """The library a staff user works at; None for the system's administrator (or an unknown name)."""
    row = conn.execute("SELECT library FROM staff_users WHERE name = :name", {"name": name}).fetchone()
    return row[0] if row else None


def set_library(conn: Connection, name: str, library: str | None) -> None:
    """Move a staff user to ``library``; None makes them the system's administrator."""
    _existing(conn, name)
    library = resolve_library(conn, library) if library is not None else None
    conn.execute("UPDATE staff_users SET library = :library WHERE name = :name", {"library": library, "name": name})


def _password_stamp() -> str:
    """When a password was set (or a user signed in or out), to the microsecond: sessions from
    before a change must end even when the change comes within the same second."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def set_password(conn: Connection, name: str, password: str) -> None:
    _existing(conn, name)
    conn.execute("UPDATE staff_users SET password_hash = :hash, password_set_at = :at WHERE name = :name",
                 {"hash": generate_password_hash(check_password(password)), "at": _password_stamp(), "name": name})


def set_active(conn: Connection, name: str, active: bool) -> None:
    _existing(conn, name)
    conn.execute("UPDATE staff_users SET active = :active WHERE name = :name", {"active": int(active), "name": name})


def all_users(conn: Connection) -> list[dict]:
    rows = conn.execute("SELECT name, full_name, active, created_at, password_set_at, last_login_at, library"
                        " FROM staff_users ORDER BY name")
    return [dict(row) for row in rows]


def active_names(conn: Connection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT name FROM staff_users WHERE active = 1 ORDER BY name")]


def require_active(conn: Connection, name: str) -> None:
    if not _existing(conn, name)["active"]:
        raise UsageError(f"staff user '{name}' is disabled; enable with: olke staff enable {name}")


def verify(conn: Connection, name: str, password: str) -> dict:
    """The user, if the name and password match an active user; else StaffLoginFailed."""
    row = conn.execute("SELECT * FROM staff_users WHERE name = :name", {"name": (name or "").strip().lower()}).fetchone()
    good = check_password_hash(row["password_hash"] if row else _DUMMY_HASH, (password or "")[:MAX_PASSWORD])
    if not (row and good and row["active"]):
        raise StaffLoginFailed("the name or the password is wrong, or the user is disabled")
    signed_in = _password_stamp()          # to the microsecond, as signing out is
    conn.execute("UPDATE staff_users SET last_login_at = :now WHERE name = :name", {"now": now(), "name": row["name"]})
    return {"name": row["name"], "full_name": row["full_name"], "password_set_at": row["password_set_at"],
            "signed_in_at": signed_in}


def still_valid(conn: Connection, name: str, password_set_at: str, signed_in_at: str | None = None) -> bool:
    """A session stays valid while the user is active, the password unchanged since login, and the
    user has not signed out since (signing out ends every session of theirs begun before)."""
    row = conn.execute("SELECT active, password_set_at, signed_out_at FROM staff_users WHERE name = :name",
                       {"name": name}).fetchone()
    if not (row and row["active"] and row["password_set_at"] == password_set_at):
        return False
    return row["signed_out_at"] is None or bool(signed_in_at and signed_in_at > row["signed_out_at"])


def sign_out(conn: Connection, name: str) -> None:
    """End the user's sessions: their cookies, kept or copied, no longer sign them in."""
    conn.execute("UPDATE staff_users SET signed_out_at = :now WHERE name = :name",
                 {"now": _password_stamp(), "name": name})


class StaffUsers:
    """The staff users of one catalog (``Archive.staff``), for `olke staff` and the staff app's sign-in."""

    def __init__(self, catalog):
        self._catalog = catalog

    def add(self, name: str, password: str, full_name: str | None = None, library: str | None = None) -> None:
        add(self._catalog.conn, name, password, full_name, library)

    def library_of(self, name: str) -> str | None:
        return library_of(self._catalog.conn, name)

    def set_library(self, name: str, library: str | None) -> None:
        set_library(self._catalog.conn, name, library)

    def get(self, name: str) -> dict:
        return get(self._catalog.conn, name)

    def all(self) -> list[dict]:
        return all_users(self._catalog.conn)

    def active_names(self) -> list[str]:
        return active_names(self._catalog.conn)

    def set_password(self, name: str, password: str) -> None:
        set_password(self._catalog.conn, name, password)

    def set_active(self, name: str, active: bool) -> None:
        set_active(self._catalog.conn, name, active)

    def verify(self, name: str, password: str) -> dict:
        return verify(self._catalog.conn, name, password)

    def still_valid(self, name: str, password_set_at: str, signed_in_at: str | None = None) -> bool:
        return still_valid(self._catalog.conn, name, password_set_at, signed_in_at)

    def sign_out(self, name: str) -> None:
        sign_out(self._catalog.conn, name)
