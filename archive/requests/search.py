"""The archive of fulfilled requests for staff: a plain search over code, name, e-mail and title, and CSV."""
from __future__ import annotations

import io
import sqlite3

from archive.csv_safe import SafeWriter
from archive.requests import model
from archive.requests.model import DeliveryRequest
from archive.requests.statuses import DELIVERED, LABELS

CSV_COLUMNS = ("code", "id", "status", "received", "delivered", "category", "language", "name", "email",
               "document_id", "title", "author", "source", "year", "issue", "pages", "assigned_to",
               "refusal_reason")


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(conn: sqlite3.Connection, text: str = "", statuses: tuple[str, ...] = (DELIVERED,),
           limit: int = 1000) -> list[DeliveryRequest]:
    """Requests (default: fulfilled ones), newest first, whose code, name, e-mail or title contains ``text``."""
    where, args = [], []
    if statuses:
        where.append(f"r.status IN ({', '.join('?' * len(statuses))})")
        args += list(statuses)
    text = (text or "").strip()[:200]
    if text:
        model.register_fold(conn)
        where.append("(r.code LIKE ? ESCAPE '\\' OR " + " OR ".join(
            f"olke_fold({column}) LIKE ? ESCAPE '\\'" for column in ("r.name", "r.email", "r.cite_title", "d.title"))
            + ")")
        args += [_like(model.normalise_code(text) if text.count("-") == 2 else text)] + [_like(text.casefold())] * 4
    sql = model.SELECT + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY coalesce(r.delivered_at, r.created_at) DESC LIMIT ?"
    return [DeliveryRequest.from_row(row) for row in conn.execute(sql, [*args, int(limit)])]


def as_csv(found: list[DeliveryRequest]) -> str:
    out = io.StringIO()
    writer = SafeWriter(out, quote_all=True)     # names and titles come from requesters
    writer.writerow(CSV_COLUMNS)
    for r in found:
        writer.writerow([r.code, r.id, LABELS[r.status], r.created_at, r.delivered_at or "", r.category,
                         r.language, r.name or "", r.email or "", r.document_id or "", r.title,
                         r.cite_author or "", r.cite_source or "", r.cite_year or "", r.cite_issue or "",
                         r.pages or "all", r.assigned_to or "", r.refusal_reason or ""])
    return out.getvalue()
