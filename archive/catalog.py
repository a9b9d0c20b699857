"""The catalog: documents, pages, files and events in SQLite (or PostgreSQL), kept consistent with the files.

A document enters in one transaction, and its staged folder is moved into place inside it, so
the catalog never names a file that is not there. A run cut off half-way leaves at most an
orphan folder, which the next `Catalog` removes.
"""
from __future__ import annotations

import getpass
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from archive import db
from archive.crashpoints import crash_point
from archive.db import connect
from archive.errors import DuplicateScan, NotFound
from archive.home import Home
from archive.libraries import DEFAULT_CODE as DEFAULT_LIBRARY, resolve as resolve_library
from archive.metadata import Description
from archive.storage import StagedDocument, clear_abandoned_staging, file_rows

DOCUMENT_COLUMNS = ("kind", "title", "authors", "source", "issue", "published", "source_pages", "language",
                    "rubrics", "udc", "notes", "access", "digitised_on", "digitised_by")


MAX_ID = 2**63 - 1   # the largest id (SQLite's INTEGER, PostgreSQL's BIGINT); ids from outside are checked against it
_ID = re.compile(r"[0-9]{1,19}")


def parse_id(text: str | None) -> int | None:
    """A document id typed or sent from outside, or None: ASCII digits, from 1 to MAX_ID."""
    text = (text or "").strip()
    return int(text) if _ID.fullmatch(text) and 0 < int(text) <= MAX_ID else None


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def current_user() -> str:
    return os.environ.get("OLKE_USER") or getpass.getuser()


@dataclass
class Document:
    id: int
    kind: str
    title: str
    authors: list[str]
    source: str | None
    issue: str | None
    published: str | None
    source_pages: str | None
    language: str
    rubrics: list[str]
    udc: str | None
    notes: str | None
    access: str
    digitised_on: str
    digitised_by: str | None
    page_count: int
    scan_sha256: str
    ocr_engine: str | None
    status: str
    created_at: str
    updated_at: str
    library: str = DEFAULT_LIBRARY      # the holding library's code (archive.libraries)

    @classmethod
    def from_row(cls, row: db.Row) -> "Document":
        data = dict(row)
        data["authors"] = json.loads(data["authors"])
        data["rubrics"] = json.loads(data["rubrics"])
        return cls(**data)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Holdings:
    documents: int = 0
    pages: int = 0
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)       # kind → (documents, pages)
    by_language: dict[str, tuple[int, int]] = field(default_factory=dict)   # language → (documents, pages)


class Catalog:
    def __init__(self, home: Home):
        self.home = home
        home.ensure()
        self.conn = connect(home.database_url or home.catalog_path)
        self.recover()

    def close(self) -> None:
        self.conn.close()

    @property
    def full_disk(self) -> Path | None:
        """The data home, when the catalog had to be opened read-only because its disk is full."""
        return self.conn.full_disk

    def transaction(self):
        return db.transaction(self.conn)

    def recover(self) -> None:
        """Remove what an interrupted run left behind: abandoned staging and orphan folders.

        Runs under the catalog's write lock: another process moves a document's folder into
        place inside its write transaction, so a folder without a committed row seen here is
        truly orphaned, never one that is about to be committed.
        """
        clear_abandoned_staging(self.home)
        if self.conn.full_disk:
            return      # opened read-only on a full disk: nothing can be moved now, the next run will
        with self.transaction() as conn:
            known = {row[0] for row in conn.execute("SELECT id FROM documents WHERE status = 'active'")}
            for folder in self.home.files_dir.iterdir():
                number, _, suffix = folder.name.partition(".")
                if suffix == "old" and not folder.with_name(number).exists():
                    folder.rename(folder.with_name(number))  # a re-OCR cut off before its commit
                elif suffix == "old" and not (folder.with_name(number) / "originals").exists():
                    (folder / "originals").rename(folder.with_name(number) / "originals")
                    shutil.rmtree(folder, ignore_errors=True)
                elif suffix or (number.isdigit() and int(number) not in known):
                    shutil.rmtree(folder, ignore_errors=True)

    # --- reading -----------------------------------------------------------------------------

    def get(self, document_id: int, include_deleted: bool = False) -> Document:
        in_range = 0 < document_id <= MAX_ID
        row = self.conn.execute("SELECT * FROM documents WHERE id = :id", {"id": document_id}).fetchone() if in_range \
            else None
        if row is None or (row["status"] != "active" and not include_deleted):
            raise NotFound(f"no document {document_id} in the archive; see `olke list`")
        return Document.from_row(row)

    def find_by_scan(self, scan_sha256: str) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM documents WHERE scan_sha256 = :sha AND status = 'active'", {"sha": scan_sha256}
        ).fetchone()
        return row[0] if row else None

    def documents(self, kind: str | None = None, language: str | None = None, limit: int | None = None,
                  include_deleted: bool = False, library: str | None = None) -> list[Document]:
        where, args = [], {}
        if not include_deleted:
            where.append("status = 'active'")
        if library:
            where.append("library = :library")
            args["library"] = library
        if kind:
            where.append("kind = :kind")
            args["kind"] = kind
        if language:
            where.append("language = :language")
            args["language"] = language
        sql = "SELECT * FROM documents" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY id DESC" + (f" LIMIT {int(limit)}" if limit else "")
        return [Document.from_row(row) for row in self.conn.execute(sql, args)]

    def pages(self, document_id: int) -> list[dict]:
        rows = self.conn.execute(
            "SELECT * FROM pages WHERE document_id = :id ORDER BY number", {"id": document_id}
        ).fetchall()
        return [dict(row, words=json.loads(row["words"])) for row in rows]

    def page(self, document_id: int, number: int) -> dict:
        """One page of a document, with its words, without reading the others."""
        row = self.conn.execute("SELECT * FROM pages WHERE document_id = :id AND number = :number",
                                {"id": document_id, "number": number}).fetchone()
        if row is None:
            raise NotFound(f"document {document_id} has no page {number}")
        return dict(row, words=json.loads(row["words"]))

    def published_counts(self, within: str = "") -> list[tuple[str, int]]:
        """Documents by date of publication, one step finer than ``within``: by year (``""``), by
        month of a year (``"1998"``), by day of a month (``"1998-05"``); oldest first."""
        width = {0: 4, 4: 7, 7: 10}[len(within)]
        rows = self.conn.execute(
            "SELECT substr(published, 1, :width) AS part, COUNT(*) FROM documents WHERE status = 'active'"
            " AND published LIKE :within AND length(published) >= :width GROUP BY part ORDER BY part",
            {"width": width, "within": f"{within}%"})
        return [(part, count) for part, count in rows]

    def published_in(self, prefix: str) -> list[Document]:
        """The documents published on a day, in a month or a year (``1998-05-14``, ``1998-05``, ``1998``)."""
        rows = self.conn.execute("SELECT * FROM documents WHERE status = 'active' AND published LIKE :prefix"
                                 " ORDER BY published, source, issue, id", {"prefix": f"{prefix}%"})
        return [Document.from_row(row) for row in rows]

    def sources(self) -> list[tuple[str, int]]:
        """Newspapers and journals with the number of their archived articles."""
        rows = self.conn.execute("SELECT source, COUNT(*) FROM documents WHERE status = 'active' AND source IS NOT NULL"
                                 " AND source != '' GROUP BY source ORDER BY source")
        return [(source, count) for source, count in rows]

    def issues(self, source: str) -> list[tuple[str | None, str | None, list[Document]]]:
        """A newspaper's or journal's archived issues, oldest first: (issue, date, its documents)."""
        rows = self.conn.execute("SELECT * FROM documents WHERE status = 'active' AND source = :source"
                                 " ORDER BY published, issue, id", {"source": source})
        found: dict[tuple, list[Document]] = {}
        for row in rows:
            document = Document.from_row(row)
            found.setdefault((document.issue, document.published), []).append(document)
        return [(issue, published, documents) for (issue, published), documents in found.items()]

    def holdings(self) -> Holdings:
        """What the archive holds: documents and pages, by kind and by language."""
        result = Holdings()
        rows = self.conn.execute("SELECT kind, language, COUNT(*), COALESCE(SUM(page_count), 0) FROM documents"
                                 " WHERE status = 'active' GROUP BY kind, language ORDER BY kind, language")
        for kind, language, documents, pages in rows:
            result.documents += documents
            result.pages += pages
            for key, table in ((kind, result.by_kind), (language, result.by_language)):
                before = table.get(key, (0, 0))
                table[key] = (before[0] + documents, before[1] + pages)
        return result

    def files(self, document_id: int, role: str | None = None) -> list[dict]:
        sql = "SELECT * FROM files WHERE document_id = :id" + (" AND role = :role" if role else "")
        args = {"id": document_id, "role": role}
        return [dict(row) for row in self.conn.execute(sql + " ORDER BY role, page, path", args)]

    def file_path(self, document_id: int, role: str, page: int | None = None) -> Path:
        sql = "SELECT path FROM files WHERE document_id = :id AND role = :role" + (" AND page = :page" if page else "")
        args = {"id": document_id, "role": role, "page": page}
        row = self.conn.execute(sql, args).fetchone()
        if row is None:
            raise NotFound(f"document {document_id} has no {role}" + (f" for page {page}" if page else ""))
        return self.home.absolute(row[0])

    def events(self, document_id: int) -> list[dict]:
        rows = self.conn.execute("SELECT * FROM events WHERE document_id = :id ORDER BY id", {"id": document_id})
        return [dict(row, details=json.loads(row["details"])) for row in rows]

    # --- writing -----------------------------------------------------------------------------

    def add_document(self, description: Description, staged: StagedDocument, scan_sha256: str,
                     user: str | None = None, details: dict | None = None) -> int:
        values = description.as_dict()
        values["authors"] = json.dumps(values["authors"], ensure_ascii=False)
        values["rubrics"] = json.dumps(values["rubrics"], ensure_ascii=False)
        stamp = now()
        with self.transaction() as conn:
            existing = self.find_by_scan(scan_sha256)
            if existing is not None:
                raise DuplicateScan(f"already in the archive as document {existing}", existing_id=existing)
            library = resolve_library(conn, description.library)
            columns = (*DOCUMENT_COLUMNS, "page_count", "scan_sha256", "ocr_engine", "created_at", "updated_at",
                       "library")
            document_id = conn.execute(
                f"INSERT INTO documents ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
                " RETURNING id",
                {**{c: values[c] for c in DOCUMENT_COLUMNS}, "page_count": len(staged.pages),
                 "scan_sha256": scan_sha256, "ocr_engine": staged.ocr_engine, "created_at": stamp, "updated_at": stamp,
                 "library": library},
            ).scalar()
            self._write_pages_and_files(document_id, staged)
            self._event(document_id, "ingested", user, {"pages": len(staged.pages), **(details or {})})
            crash_point("before-commit")
        crash_point("after-commit")
        return document_id

    def replace_content(self, document_id: int, staged: StagedDocument, user: str | None = None,
                        details: dict | None = None) -> None:
        """Swap in a re-OCRed PDF, pages and images; the old folder goes only after the commit."""
        self.get(document_id)
        final_dir = self.home.document_dir(document_id)
        old_dir = final_dir.with_name(final_dir.name + ".old")
        with self.transaction() as conn:
            conn.execute("DELETE FROM pages WHERE document_id = :id", {"id": document_id})
            conn.execute("DELETE FROM files WHERE document_id = :id AND role != 'original'", {"id": document_id})
            conn.execute(
                "UPDATE documents SET page_count = :pages, ocr_engine = :engine, updated_at = :now WHERE id = :id",
                {"pages": len(staged.pages), "engine": staged.ocr_engine, "now": now(), "id": document_id},
            )
            final_dir.rename(old_dir)
            try:
                # the originals move over unchanged, so their catalog rows stay valid
                (old_dir / "originals").rename(staged.originals_dir)
                self._write_pages_and_files(document_id, staged, keep_originals=True)
            except BaseException:
                if staged.originals_dir.exists():
                    staged.originals_dir.rename(old_dir / "originals")
                old_dir.rename(final_dir)
                raise
            self._event(document_id, "reocred", user, {"pages": len(staged.pages), **(details or {})})
        shutil.rmtree(old_dir, ignore_errors=True)

    def update_description(self, document_id: int, description: Description, user: str | None = None) -> None:
        before = self.get(document_id)
        values = description.as_dict()
        changed = {c: values[c] for c in DOCUMENT_COLUMNS if values[c] != getattr(before, c)}
        if description.library is not None:     # None: the holding library stays
            library = resolve_library(self.conn, description.library)
            if library != before.library:
                changed["library"] = library
        if not changed:
            return
        stored = {c: json.dumps(v, ensure_ascii=False) if c in ("authors", "rubrics") else v
                  for c, v in changed.items()}
        with self.transaction() as conn:
            conn.execute(
                f"UPDATE documents SET {', '.join(f'{c} = :{c}' for c in stored)}, updated_at = :now WHERE id = :id",
                {**stored, "now": now(), "id": document_id},
            )
            self._event(document_id, "metadata_edited", user, {"changed": sorted(changed)})

    def delete(self, document_id: int, user: str | None = None) -> None:
        """Mark the document deleted and remove its files; the record and its events remain."""
        document = self.get(document_id)
        final_dir = self.home.document_dir(document_id)
        trash = final_dir.with_name(final_dir.name + ".deleted")
        with self.transaction() as conn:
            conn.execute("UPDATE documents SET status = 'deleted', updated_at = :now WHERE id = :id",
                         {"now": now(), "id": document_id})
            conn.execute("DELETE FROM files WHERE document_id = :id", {"id": document_id})
            self._event(document_id, "deleted", user, {"title": document.title, "pages": document.page_count})
            if final_dir.exists():
                final_dir.rename(trash)
        shutil.rmtree(trash, ignore_errors=True)

    def _write_pages_and_files(self, document_id: int, staged: StagedDocument, keep_originals: bool = False):
        final_dir = self.home.document_dir(document_id)
        rows = file_rows(self.home, final_dir, staged)
        if keep_originals:
            rows = [r for r in rows if r["role"] != "original"]
        self.conn.executemany(
            "INSERT INTO pages (document_id, number, text, words, confidence, language, width_pt, height_pt,"
            " verdict, verdict_reasons, ocr_steps) VALUES (:document_id, :number, :text, :words, :confidence,"
            " :language, :width_pt, :height_pt, :verdict, :verdict_reasons, :ocr_steps)",
            [{"document_id": document_id, "number": p.number, "text": p.text,
              "words": json.dumps([w.as_row() for w in p.words], ensure_ascii=False),
              "confidence": p.confidence, "language": p.language, "width_pt": p.width_pt, "height_pt": p.height_pt,
              "verdict": p.verdict, "verdict_reasons": json.dumps(p.reasons),
              "ocr_steps": json.dumps(p.steps, ensure_ascii=False)} for p in staged.pages],
        )
        self.conn.executemany(
            "INSERT INTO files (document_id, role, page, path, media_type, size_bytes, sha256)"
            " VALUES (:document_id, :role, :page, :path, :media_type, :size_bytes, :sha256)",
            [dict(r, document_id=document_id) for r in rows],
        )
        # The move is the last step inside the transaction: if it fails, nothing was recorded.
        staged.directory.rename(final_dir)

    def _event(self, document_id: int, action: str, user: str | None, details: dict) -> None:
        self.conn.execute(
            'INSERT INTO events (document_id, action, at, "user", details)'
            " VALUES (:document_id, :action, :at, :user, :details)",
            {"document_id": document_id, "action": action, "at": now(), "user": user or current_user(),
             "details": json.dumps(details, ensure_ascii=False)},
        )
