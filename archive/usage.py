"""Usage figures: how often each document was viewed and downloaded, per day.

The reading room counts one view per request of a document's page (not per image) and one
download per PDF or single-page PDF sent. The library's reports read them per period; a system of
several libraries per holding library too (``by_library``, or one library's with ``library``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from archive.db import Connection
from archive.errors import DiskFull, UsageError

KINDS = ("view", "download")


@dataclass
class UsageFigures:
    start: str
    end: str
    views: int = 0
    downloads: int = 0
    by_document: dict[int, dict[str, int]] = field(default_factory=dict)   # id → {"view": n, "download": n}
    by_day: dict[str, dict[str, int]] = field(default_factory=dict)        # day → {"view": n, "download": n}
    by_library: dict[str, dict[str, int]] = field(default_factory=dict)    # holding library → {"view": n, …}
    library: str | None = None          # the one library counted; None: the whole system

    @property
    def documents_viewed(self) -> int:
        return sum(1 for counts in self.by_document.values() if counts.get("view"))

    @property
    def documents_downloaded(self) -> int:
        return sum(1 for counts in self.by_document.values() if counts.get("download"))

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "views": self.views, "downloads": self.downloads,
                "documents_viewed": self.documents_viewed, "documents_downloaded": self.documents_downloaded,
                "by_document": {str(k): v for k, v in self.by_document.items()}, "by_day": self.by_day,
                "by_library": self.by_library, **({"library": self.library} if self.library else {})}


def _day(value: date | str | None) -> str:
    if value is None:
        return date.today().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise UsageError(f"'{value}' is not a date (YYYY-MM-DD)") from None


def record(conn: Connection, document_id: int, kind: str, day: date | str | None = None) -> None:
    """Count one view or download of a document on ``day`` (default today); one statement, so atomic."""
    if kind not in KINDS:
        raise UsageError(f"unknown usage kind '{kind}'; use one of: {', '.join(KINDS)}")
    try:
        conn.execute(
            "INSERT INTO usage_daily (document_id, day, kind, count) VALUES (:document_id, :day, :kind, 1)"
            " ON CONFLICT (document_id, day, kind) DO UPDATE SET count = usage_daily.count + 1",
            {"document_id": document_id, "day": _day(day), "kind": kind},
        )
    except DiskFull:
        return      # the disk is full: the page is served all the same, this view goes uncounted


def figures(conn: Connection, start: date | str, end: date | str, library: str | None = None) -> UsageFigures:
    """Views and downloads from ``start`` to ``end``, both days included: of the documents ``library``
    holds, or (None) of all, with each holding library's sums."""
    first, last = _day(start), _day(end)
    if first > last:
        raise UsageError(f"the period starts ({first}) after it ends ({last})")
    result = UsageFigures(first, last, library=library)
    sql = ("SELECT u.document_id, u.day, u.kind, u.count, d.library FROM usage_daily u"
           " JOIN documents d ON d.id = u.document_id WHERE u.day BETWEEN :first AND :last")
    if library is not None:
        sql += " AND d.library = :library"
    rows = conn.execute(sql + " ORDER BY u.day, u.document_id", {"first": first, "last": last, "library": library})
    for document_id, day, kind, count, holder in rows:
        if kind == "view":
            result.views += count
        else:
            result.downloads += count
        per_document = result.by_document.setdefault(document_id, {"view": 0, "download": 0})
        per_document[kind] += count
        per_day = result.by_day.setdefault(day, {"view": 0, "download": 0})
        per_day[kind] += count
        per_library = result.by_library.setdefault(holder, {"view": 0, "download": 0})
        per_library[kind] += count
    return result


class Usage:
    """The usage counters of one catalog (``Archive.usage``)."""

    def __init__(self, catalog):
        self._catalog = catalog

    def record(self, document_id: int, kind: str, day: date | str | None = None) -> None:
        record(self._catalog.conn, document_id, kind, day)

    def figures(self, start: date | str, end: date | str, library: str | None = None) -> UsageFigures:
        """The period's views and downloads: of one library's holdings, or (None) of all, per library too."""
        if library is not None:
            from archive.libraries import resolve

            library = resolve(self._catalog.conn, library)
        return figures(self._catalog.conn, start, end, library)
