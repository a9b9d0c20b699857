"""Fulfilment: extract the wanted pages of an archived PDF (kept, to stamp again for the next requester
of the same pages), stamp a copy for this requester, and send the link; or first archive a fresh scan.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pikepdf

from archive import i18n
from archive.db import Connection, transaction
from archive.catalog import Catalog, now
from archive.delivery import consent, links, model, outbox
from archive.delivery import pages as page_ranges
from archive.errors import BadTransition, FulfilmentFailed
from archive.delivery.settings import DeliverySettings
from archive.delivery.stamping import stamp
from archive.delivery.workflow import can_move, move
from archive.vocabulary import DELIVERED, LABELS

DELIVERY_DIR = "delivery"


@dataclass
class Delivered:
    request: model.DeliveryRequest
    copy_id: int
    token: str
    url: str
    letters: list[int]
    reused_extract: bool


def _folder(catalog: Catalog, name: str) -> Path:
    folder = catalog.home.root / DELIVERY_DIR / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _write_aside(final: Path, write) -> None:
    """Write through a temporary name, then move into place in one step."""
    draft = final.with_name(f".{final.name}.{os.getpid()}.part")
    try:
        write(draft)
        draft.replace(final)
    finally:
        draft.unlink(missing_ok=True)


def extract(catalog: Catalog, document_id: int, pages: str) -> tuple[dict, bool]:
    """The extract of ``pages`` of the document's PDF, made now or reused; (row, reused)."""
    document = catalog.get(document_id)
    pdf_file = catalog.files(document_id, "pdf")
    if not pdf_file:
        raise FulfilmentFailed(f"document {document_id} has no archived PDF; run `olke reocr {document_id}`")
    source_sha = pdf_file[0]["sha256"]
    conn = catalog.conn
    same = {"document_id": document_id, "pages": pages, "source_sha256": source_sha}
    row = conn.execute("SELECT * FROM delivery_extracts WHERE document_id = :document_id AND pages = :pages"
                       " AND source_sha256 = :source_sha256", same).fetchone()
    if row is not None and catalog.home.absolute(row["path"]).exists():
        return dict(row), True
    numbers = page_ranges.parse(pages, document.page_count)
    final = _folder(catalog, "extracts") / f"{document_id:06d}-{source_sha[:12]}-{pages or 'all'}.pdf"

    def write(path: Path) -> None:
        with pikepdf.open(catalog.home.absolute(pdf_file[0]["path"])) as source, pikepdf.new() as copy:
            copy.pages.extend(source.pages[n - 1] for n in numbers)
            copy.save(path)

    try:
        _write_aside(final, write)
    except (pikepdf.PdfError, OSError) as error:
        raise FulfilmentFailed(f"could not extract pages {pages or 'all'} of document {document_id} ({error})")
    with transaction(conn):
        row = conn.execute(
            "INSERT INTO delivery_extracts (document_id, pages, source_sha256, path, page_count, made_at)"
            " VALUES (:document_id, :pages, :source_sha256, :path, :page_count, :made_at)"
            " ON CONFLICT (document_id, pages, source_sha256) DO UPDATE SET path = excluded.path,"
            " page_count = excluded.page_count, made_at = excluded.made_at RETURNING *",
            {**same, "path": catalog.home.relative(final), "page_count": len(numbers), "made_at": now()}).fetchone()
    return dict(row), False


def stamp_lines(request: model.DeliveryRequest, settings: DeliverySettings, day: str) -> list[str]:
    request_word = i18n.text(request.language, "stamp.request", "Request")
    for_word = i18n.text(request.language, "stamp.for", "for")
    terms = consent.stamp_terms(request.language)
    return [f"{settings.library} · {request_word} № {request.id} ({request.code}) · {for_word}: {request.name} · {day}",
            terms]


def earlier_fulfilment(conn: Connection, document_id: int, pages: str, but: int | None = None) -> str | None:
    """The code of an earlier delivered request for the same pages of the same document, if any."""
    row = conn.execute("SELECT code FROM delivery_requests WHERE document_id = :document_id AND pages = :pages"
                       " AND status = :status AND id != :but ORDER BY delivered_at DESC LIMIT 1",
                       {"document_id": document_id, "pages": pages, "status": DELIVERED, "but": but or 0}).fetchone()
    return row[0] if row else None


def deliver(catalog: Catalog, code: str, user: str, settings: DeliverySettings, secret: str,
            pages: str | None = None, document_id: int | None = None) -> Delivered:
    """Extract (or reuse), stamp for this requester, record the copy, mark delivered and write the letter."""
    conn = catalog.conn
    request = model.get(conn, code)
    if not can_move(request.status, DELIVERED):
        raise BadTransition(f"request {request.code} is {LABELS[request.status]}; it cannot be delivered")
    document_id = document_id or request.document_id
    if document_id is None:
        raise FulfilmentFailed(f"request {request.code} names no archived document; choose one (--document ID) "
                               "or archive a fresh scan of it (--scan FILE)")
    document = catalog.get(document_id)
    try:
        wanted = page_ranges.normalise(request.pages if pages is None else pages, document.page_count)
    except page_ranges.PageRangeError as error:
        raise FulfilmentFailed(f"pages '{pages}' cannot be read, or go beyond the document's "
                               f"{document.page_count} pages; write them like 1-3,5") from error
    cut, reused = extract(catalog, document_id, wanted)
    stamp_day = datetime.now().date().isoformat()
    final = _folder(catalog, "copies") / f"{request.code}-{datetime.now(timezone.utc):%Y%m%d%H%M%S%f}.pdf"
    _write_aside(final, lambda path: stamp(catalog.home.absolute(cut["path"]), path,
                                           stamp_lines(request, settings, stamp_day), f"{request.code}: {document.title}"))
    expires = datetime.now(timezone.utc) + timedelta(days=settings.link_days)
    try:
        with transaction(conn):
            current = model.get(conn, code)
            if not can_move(current.status, DELIVERED):
                raise BadTransition(f"request {request.code} is {LABELS[current.status]}; it cannot be delivered")
            conn.execute("UPDATE delivery_copies SET revoked = 1 WHERE request_id = :id", {"id": request.id})
            copy_id = conn.execute(
                "INSERT INTO delivery_copies (request_id, extract_id, path, page_count, size_bytes, made_at, made_by,"
                " expires_at, max_downloads) VALUES (:request_id, :extract_id, :path, :page_count, :size_bytes,"
                " :made_at, :made_by, :expires_at, :max_downloads) RETURNING id",
                {"request_id": request.id, "extract_id": cut["id"], "path": catalog.home.relative(final),
                 "page_count": cut["page_count"], "size_bytes": final.stat().st_size, "made_at": now(),
                 "made_by": user, "expires_at": model.utc(expires),
                 "max_downloads": settings.link_downloads}).scalar()
            columns = {"document_id": document_id, "pages": wanted, "assigned_to": current.assigned_to or user}
            if current.delivered_at is None:
                columns["delivered_at"] = columns["closed_at"] = now()
            moved = move(conn, code, DELIVERED, user, "delivered" if current.status != DELIVERED else "sent_again",
                          {"copy": copy_id, "pages": wanted or "all", "reused_extract": reused}, **columns)
            token = links.make_token(secret, copy_id)
            url = links.download_url(settings.public_url, token)
            letter = outbox.queue(conn, moved, "delivered", settings, download_url=url, pages=cut["page_count"],
                                  expires=expires.astimezone().date().isoformat(), downloads=settings.link_downloads,
                                  terms=consent.stamp_terms(moved.language))
    except BaseException:
        final.unlink(missing_ok=True)
        raise
    return Delivered(moved, copy_id, token, url, [letter] if letter else [], reused)
