"""Requesters' personal data: blanked after ``keep_days`` (or at once, on the person's request), and
exported for the person who asks. What stays after blanking is anonymous: category, language, the
work and pages asked for, dates, status and refusal reason, so the figures do not change.
"""
from __future__ import annotations

from datetime import date, timedelta

from archive.db import Connection, transaction
from archive.catalog import now
from archive.home import Home
from archive.delivery import model
from archive.delivery.model import DeliveryRequest
from archive.vocabulary import CANCELLED, CLOSED, OPEN

PERSONAL_COLUMNS = ("name", "email", "phone", "purpose", "refusal_text")


def due_for_purge(conn: Connection, keep_days: int, today: date | None = None) -> list[DeliveryRequest]:
    cutoff = (today or date.today()) - timedelta(days=keep_days)
    rows = conn.execute(model.SELECT + " WHERE r.anonymised_at IS NULL AND r.status IN :closed ORDER BY r.id",
                        {"closed": CLOSED}).fetchall()
    found = [DeliveryRequest.from_row(row) for row in rows]
    return [r for r in found if model.local_date(r.closed_at or r.updated_at) <= cutoff]


def anonymise(conn: Connection, home: Home, request: DeliveryRequest, user: str) -> None:
    """Blank one request's personal data (inside the caller's transaction); stamped copies bear the name, so go."""
    stamp = now()
    conn.execute(f"UPDATE delivery_requests SET {', '.join(f'{c} = NULL' for c in PERSONAL_COLUMNS)},"
                 " anonymised_at = :now, updated_at = :now WHERE id = :id", {"now": stamp, "id": request.id})
    conn.execute("UPDATE delivery_notes SET body = NULL WHERE request_id = :id", {"id": request.id})
    conn.execute("UPDATE delivery_mail SET recipient = NULL, subject = NULL, body = NULL WHERE request_id = :id",
                 {"id": request.id})
    for row in conn.execute("SELECT id, path FROM delivery_copies WHERE request_id = :id AND path IS NOT NULL",
                            {"id": request.id}).fetchall():
        home.absolute(row["path"]).unlink(missing_ok=True)
        conn.execute("UPDATE delivery_copies SET path = NULL, revoked = 1 WHERE id = :id", {"id": row["id"]})
    model.log(conn, request.id, user, "anonymised", request.status, request.status, at=stamp)


def purge(conn: Connection, home: Home, keep_days: int, user: str, today: date | None = None,
          dry_run: bool = False) -> list[DeliveryRequest]:
    """Blank the personal data of requests closed more than ``keep_days`` ago."""
    found = due_for_purge(conn, keep_days, today)
    if not dry_run:
        with transaction(conn):
            for request in found:
                anonymise(conn, home, request, user)
    return found


def erase_person(conn: Connection, home: Home, email: str, user: str, dry_run: bool = False
                 ) -> list[DeliveryRequest]:
    """Blank every request of one person now (their right to erasure); open ones are cancelled first."""
    found = requests_of(conn, email)
    if dry_run:
        return found
    from archive.delivery.workflow import move

    with transaction(conn):
        for request in found:
            if request.status in OPEN:
                request = move(conn, request.code, CANCELLED, user, "cancelled", {"by": "erasure"})
            anonymise(conn, home, request, user)
    return found


def requests_of(conn: Connection, email: str) -> list[DeliveryRequest]:
    rows = conn.execute(model.SELECT + " WHERE r.email = :email ORDER BY r.id", {"email": (email or "").strip().lower()})
    return [DeliveryRequest.from_row(row) for row in rows]


def export_person(conn: Connection, email: str) -> dict:
    """Everything Olke holds about the person with this e-mail, as one JSON-ready dict."""
    found = requests_of(conn, email)
    return {
        "email": (email or "").strip().lower(),
        "exported_at": now(),
        "requests": [{
            **{k: v for k, v in r.as_dict().items() if k not in ("document_pages",)},
            "history": [{k: e[k] for k in ("at", "action", "from_status", "to_status")}
                        for e in model.events(conn, r.id)],
            "notes": [{k: n[k] for k in ("at", "kind", "body")} for n in model.notes(conn, r.id)],
            "letters": [dict(row) for row in conn.execute(
                "SELECT letter, created_at, sent_at, subject, body FROM delivery_mail WHERE request_id = :id"
                " ORDER BY id", {"id": r.id})],
            "copies": [dict(row) for row in conn.execute(
                "SELECT made_at, page_count, expires_at, max_downloads, downloads FROM delivery_copies"
                " WHERE request_id = :id ORDER BY id", {"id": r.id})],
        } for r in found],
    }

