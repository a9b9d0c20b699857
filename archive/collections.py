"""Curated thematic collections: a bibliographer groups documents under a named theme.

A collection has a short name (used in the CLI and in web addresses), titles in Kazakh, Russian
and English, a description, and its documents in the order they were added. Deleted documents
stay listed in the table but are never shown.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable

from archive.db import Connection, IntegrityError, transaction
from archive.errors import NotFound, UsageError
from archive.vocabulary import INTERFACE_LANGUAGES

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
TITLE_LANGUAGES = INTERFACE_LANGUAGES


@dataclass
class Collection:
    name: str
    title_kk: str | None
    title_ru: str | None
    title_en: str | None
    description: str | None
    created_at: str
    updated_at: str
    document_ids: list[int] = field(default_factory=list)

    def title(self, language: str = "kk") -> str:
        """The title in ``language``, else in Kazakh, Russian or English, else the name."""
        preferred = getattr(self, f"title_{language}", None) if language in TITLE_LANGUAGES else None
        return preferred or self.title_kk or self.title_ru or self.title_en or self.name

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def check_name(name: str) -> str:
    if not NAME.match(name or ""):
        raise UsageError(f"collection name '{name}' is not valid; use lowercase Latin letters, digits and "
                         "hyphens, e.g. abai-kunanbaiuly")
    return name


def _row_id(conn: Connection, name: str) -> int:
    row = conn.execute("SELECT id FROM collections WHERE name = :name", {"name": name}).fetchone()
    if row is None:
        raise NotFound(f"no collection '{name}'; see `olke collection list`")
    return row[0]


def _active_ids(conn: Connection, collection_id: int) -> list[int]:
    rows = conn.execute(
        "SELECT cd.document_id FROM collection_documents cd JOIN documents d ON d.id = cd.document_id"
        " WHERE cd.collection_id = :id AND d.status = 'active' ORDER BY cd.position, cd.document_id",
        {"id": collection_id})
    return [row[0] for row in rows]




def create(conn: Connection, name: str, title_kk: str | None = None, title_ru: str | None = None,
           title_en: str | None = None, description: str | None = None) -> Collection:
    check_name(name)
    stamp = _now()
    try:
        conn.execute(
            "INSERT INTO collections (name, title_kk, title_ru, title_en, description, created_at, updated_at)"
            " VALUES (:name, :title_kk, :title_ru, :title_en, :description, :now, :now)",
            {"name": name, "title_kk": title_kk, "title_ru": title_ru, "title_en": title_en,
             "description": description, "now": stamp})
    except IntegrityError:
        raise UsageError(f"a collection named '{name}' already exists; see `olke collection show {name}`") from None
    return get(conn, name)


def add(conn: Connection, name: str, document_ids: Iterable[int]) -> list[int]:
    """Add documents at the end of the collection; returns the ids newly added (others were there)."""
    ids = list(dict.fromkeys(document_ids))
    with transaction(conn):
        collection_id = _row_id(conn, name)
        for document_id in ids:
            row = conn.execute("SELECT status FROM documents WHERE id = :id", {"id": document_id}).fetchone()
            if row is None or row[0] != "active":
                raise NotFound(f"no document {document_id} in the archive; see `olke list`")
        present = {r[0] for r in conn.execute(
            "SELECT document_id FROM collection_documents WHERE collection_id = :id", {"id": collection_id})}
        position = conn.execute("SELECT COALESCE(MAX(position), 0) FROM collection_documents"
                                " WHERE collection_id = :id", {"id": collection_id}).fetchone()[0]
        added = [i for i in ids if i not in present]
        stamp = _now()
        for offset, document_id in enumerate(added, start=1):
            conn.execute("INSERT INTO collection_documents (collection_id, document_id, position, added_at)"
                         " VALUES (:collection, :document, :position, :now)",
                         {"collection": collection_id, "document": document_id, "position": position + offset,
                          "now": stamp})
        conn.execute("UPDATE collections SET updated_at = :now WHERE id = :id", {"now": stamp, "id": collection_id})
    return added


def remove(conn: Connection, name: str, document_ids: Iterable[int]) -> list[int]:
    """Take documents out of the collection; returns the ids that were in it."""
    ids = list(dict.fromkeys(document_ids))
    with transaction(conn):
        collection_id = _row_id(conn, name)
        removed = []
        for document_id in ids:
            cursor = conn.execute("DELETE FROM collection_documents WHERE collection_id = :collection"
                                  " AND document_id = :document", {"collection": collection_id, "document": document_id})
            if cursor.rowcount:
                removed.append(document_id)
        conn.execute("UPDATE collections SET updated_at = :now WHERE id = :id", {"now": _now(), "id": collection_id})
    return removed


def delete(conn: Connection, name: str) -> None:
    """Delete the collection itself; its documents stay in the archive."""
    with transaction(conn):
        conn.execute("DELETE FROM collections WHERE id = :id", {"id": _row_id(conn, name)})


def get(conn: Connection, name: str) -> Collection:
    row = conn.execute("SELECT * FROM collections WHERE name = :name", {"name": name}).fetchone()
    if row is None:
        raise NotFound(f"no collection '{name}'; see `olke collection list`")
    data = {k: row[k] for k in row.keys() if k != "id"}
    return Collection(**data, document_ids=_active_ids(conn, row["id"]))


def all_collections(conn: Connection) -> list[Collection]:
    """Every collection, most recently changed first, with its active documents."""
    names = [r[0] for r in conn.execute("SELECT name FROM collections ORDER BY updated_at DESC, name")]
    return [get(conn, name) for name in names]


def containing(conn: Connection, document_id: int) -> list[Collection]:
    """The collections a document belongs to."""
    names = [r[0] for r in conn.execute(
        "SELECT c.name FROM collections c JOIN collection_documents cd ON cd.collection_id = c.id"
        " WHERE cd.document_id = :id ORDER BY c.name", {"id": document_id})]
    return [get(conn, name) for name in names]


class Collections:
    """The collections of one catalog (``Archive.collections``)."""

    def __init__(self, catalog):
        self._catalog = catalog

    def create(self, name: str, title_kk: str | None = None, title_ru: str | None = None, title_en: str | None = None,
               description: str | None = None) -> Collection:
        return create(self._catalog.conn, name, title_kk, title_ru, title_en, description)

    def add(self, name: str, document_ids: Iterable[int]) -> list[int]:
        return add(self._catalog.conn, name, document_ids)

    def remove(self, name: str, document_ids: Iterable[int]) -> list[int]:
        return remove(self._catalog.conn, name, document_ids)

    def delete(self, name: str) -> None:
        delete(self._catalog.conn, name)

    def get(self, name: str) -> Collection:
        return get(self._catalog.conn, name)

    def all(self) -> list[Collection]:
        return all_collections(self._catalog.conn)

    def containing(self, document_id: int) -> list[Collection]:
        return containing(self._catalog.conn, document_id)
