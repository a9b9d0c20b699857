"""What happens to a request: submitted, claimed, assigned, noted, asked, answered, refused, cancelled, expired.

Each step runs in one transaction that re-reads the request, checks the move is allowed, changes
it, logs who did what and when, and writes any letter to the requester into the outbox; the
caller sends the letters after the commit (``outbox.send_pending``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable

from archive.db import Connection, transaction
from archive.catalog import Document, now
from archive.errors import BadTransition, InvalidRequest, UsageError
from archive import libraries
from archive.delivery import model, outbox, rules, staff
from archive.delivery.model import REQUESTER, SYSTEM, DeliveryRequest
from archive.delivery.settings import DeliverySettings
from archive.delivery.intake import RequestInput, check
from archive.vocabulary import (CANCELLED, DELIVERED, EXPIRED, IN_PROGRESS, LABELS, NEW, OPEN, REFUSAL_REASONS, REFUSED,
                                WAITING)

MAX_NOTE = 4000
SENT_OUTSIDE = "sent_outside"    # the refusal reason of a request sent outside the system (not a refusal)


@dataclass
class Submitted:
    request: DeliveryRequest
    created: bool                  # False: the same request came in shortly before; this is that one
    letters: list[int]
    rule_check: rules.RuleCheck


MOVES = {
    NEW: (IN_PROGRESS, WAITING, DELIVERED, REFUSED, CANCELLED, EXPIRED),
    IN_PROGRESS: (WAITING, DELIVERED, REFUSED, CANCELLED, EXPIRED),
    WAITING: (IN_PROGRESS, DELIVERED, REFUSED, CANCELLED, EXPIRED),
    DELIVERED: (DELIVERED,),              # a new copy may be sent (a fresh link)
    REFUSED: (), CANCELLED: (), EXPIRED: (),
}


def can_move(current: str, target: str) -> bool:
    return target in MOVES.get(current, ())


def submit(conn: Connection, wanted: RequestInput, settings: DeliverySettings,
           find_document: Callable[[int], Document], at: str | None = None, today: date | None = None) -> Submitted:
    """Check and store a request in one transaction, or find the same one sent shortly before."""
    checked = check(wanted, find_document, today)
    verdict = rules.check(checked.document, checked.pages, settings.rules)
    at = at or now()
    with transaction(conn):
        existing = model.find_duplicate(conn, checked, settings.duplicate_hours, at)
        if existing is not None:
            model.log(conn, existing.id, REQUESTER, "duplicate_recognised", at=at)
            return Submitted(existing, False, [], verdict)
        request_id = model.insert(conn, checked, None if verdict.allowed else verdict.message, at)
        model.log(conn, request_id, REQUESTER, "submitted", None, NEW,
                  {"consent_version": wanted.consent_version, "rules": verdict.basis}, at=at)
        request = model.get_by_id(conn, request_id)
        letter = outbox.queue(conn, request, "received", settings)
    return Submitted(request, True, [letter] if letter else [], verdict)


def move(conn: Connection, code: str, target: str | None, user: str, action: str,
         details: dict | None = None, **columns) -> DeliveryRequest:
    """Inside a transaction: change status (None: keep it) and columns, and log it."""
    request = model.get(conn, code)
    if target is not None and not can_move(request.status, target):
        raise BadTransition(f"request {request.code} is {LABELS[request.status]}; it cannot become "
                            f"{LABELS[target]}")
    stamp = now()
    if target in (REFUSED, CANCELLED, EXPIRED):
        columns["closed_at"] = stamp
    changes = {"updated_at": stamp, **columns, **({"status": target} if target else {})}
    conn.execute(f"UPDATE delivery_requests SET {', '.join(f'{k} = :{k}' for k in changes)} WHERE id = :row_id",
                 {**changes, "row_id": request.id})
    model.log(conn, request.id, user, action, request.status, target or request.status, details, at=stamp)
    return model.get_by_id(conn, request.id)


def _text(text: str | None, required: bool = True) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise InvalidRequest({"text": ("required", {})})
    if len(text) > MAX_NOTE:
        raise InvalidRequest({"text": ("too_long", {"max": MAX_NOTE})})
    return text


def _open(request: DeliveryRequest, doing: str) -> None:
    if not request.is_open:
        raise BadTransition(f"request {request.code} is {LABELS[request.status]}; it cannot be {doing}")


def claim(conn: Connection, code: str, user: str) -> DeliveryRequest:
    return assign(conn, code, user, user)


def assign(conn: Connection, code: str, to_user: str, by_user: str) -> DeliveryRequest:
    staff.require_active(conn, to_user)
    with transaction(conn):
        request = model.get(conn, code)
        _open(request, "assigned")
        target = IN_PROGRESS if request.status == NEW else None
        action = "claimed" if to_user == by_user else "assigned"
        return move(conn, code, target, by_user, action, {"to": to_user}, assigned_to=to_user)


def add_note(conn: Connection, code: str, user: str, text: str) -> None:
    body = _text(text)
    with transaction(conn):
        request = model.get(conn, code)
        conn.execute("INSERT INTO delivery_notes (request_id, at, author, kind, body)"
                     " VALUES (:id, :at, :author, 'internal', :body)",
                     {"id": request.id, "at": now(), "author": user, "body": body})


def ask(conn: Connection, code: str, user: str, question: str, settings: DeliverySettings) -> list[int]:
    """Ask the requester for details: the request waits for the answer (and is the asker's if nobody's)."""
    body = _text(question)
    with transaction(conn):
        current = model.get(conn, code)
        request = move(conn, code, WAITING, user, "asked_requester", assigned_to=current.assigned_to or user)
        conn.execute("INSERT INTO delivery_notes (request_id, at, author, kind, body)"
                     " VALUES (:id, :at, :author, 'to_requester', :body)",
                     {"id": request.id, "at": now(), "author": user, "body": body})
        letter = outbox.queue(conn, request, "question", settings, text=body)
    return [letter] if letter else []


def reply(conn: Connection, code: str, email: str, text: str) -> DeliveryRequest:
    """The requester's answer (from the status page): back to staff."""
    body = _text(text)
    with transaction(conn):
        request = model.get_for_requester(conn, code, email)
        _open(request, "answered")
        conn.execute("INSERT INTO delivery_notes (request_id, at, author, kind, body)"
                     " VALUES (:id, :at, :author, 'from_requester', :body)",
                     {"id": request.id, "at": now(), "author": REQUESTER, "body": body})
        target = IN_PROGRESS if request.status == WAITING else None
        return move(conn, request.code, target, REQUESTER, "requester_answered")


def refuse(conn: Connection, code: str, user: str, reason: str, text: str | None,
           settings: DeliverySettings) -> list[int]:
    if reason not in REFUSAL_REASONS:
        raise UsageError(f"unknown refusal reason '{reason}'; use one of: {', '.join(REFUSAL_REASONS)}")
    body = _text(text, required=reason == "other")
    with transaction(conn):
        request = move(conn, code, REFUSED, user, "refused", {"reason": reason},
                        refusal_reason=reason, refusal_text=body or None)
        letter = outbox.queue(conn, request, "refused", settings, reason=reason, text=body)
    return [letter] if letter else []


def cancel(conn: Connection, code: str, user: str, text: str | None, settings: DeliverySettings,
           email: str | None = None) -> list[int]:
    """Cancel: by staff (the requester is told), or by the requester (``email`` given; no letter)."""
    body = _text(text, required=False)
    with transaction(conn):
        if email is not None:
            model.get_for_requester(conn, code, email)
        request = move(conn, code, CANCELLED, user, "cancelled", {"by": "requester" if email else "staff"},
                        refusal_text=body or None)
        if email is not None:
            return []
        letter = outbox.queue(conn, request, "cancelled", settings, text=body)
    return [letter] if letter else []


def pass_on(conn: Connection, code: str, user: str, to_library: str, text: str | None,
            settings: DeliverySettings) -> list[int]:
    """Pass an open request on to another library of the system (the one that holds what is asked for):
    it enters that library's queue as new, nobody's yet, and the requester is told where it went."""
    body = _text(text, required=False)
    with transaction(conn):
        request = model.get(conn, code)
        _open(request, "passed on")
        target = libraries.get(conn, to_library)
        if target.code == request.library:
            raise UsageError(f"request {request.code} is already library '{target.code}''s")
        stamp = now()
        conn.execute("UPDATE delivery_requests SET library = :library, status = :status, assigned_to = NULL,"
                     " updated_at = :at WHERE id = :id",
                     {"library": target.code, "status": NEW, "at": stamp, "id": request.id})
        model.log(conn, request.id, user, "passed_on", request.status, NEW,
                  {"from": request.library, "to": target.code, **({"text": body} if body else {})}, at=stamp)
        moved = model.get_by_id(conn, request.id)
        letter = outbox.queue(conn, moved, "passed_on", settings, library_name=target.name(moved.language),
                              text=body)
    return [letter] if letter else []


def send_outside(conn: Connection, code: str, user: str, to: str, text: str | None,
                 settings: DeliverySettings) -> list[int]:
    """Record that the request was sent to a library outside the system (the national library, a regional
    one), which answers the requester itself: the request is closed here (counted apart from refusals)
    and the requester told where it went."""
    outside = _text(to)[:300]
    body = _text(text, required=False)
    with transaction(conn):
        request = move(conn, code, REFUSED, user, "sent_outside", {"to": outside},
                       refusal_reason=SENT_OUTSIDE, refusal_text=body or None, sent_outside_to=outside)
        letter = outbox.queue(conn, request, "sent_outside", settings, outside=outside, text=body)
    return [letter] if letter else []


def due_to_expire(conn: Connection, settings: DeliverySettings, today: date) -> list[DeliveryRequest]:
    cutoff = today - timedelta(days=settings.expire_days)
    return [r for r in model.queue(conn, OPEN, limit=1_000_000, today=today)
            if (r.needed_by and r.needed_by < today.isoformat()) or model.local_date(r.created_at) <= cutoff]


def expire(conn: Connection, settings: DeliverySettings, today: date | None = None,
           dry_run: bool = False) -> tuple[list[DeliveryRequest], list[int]]:
    """Close the open requests past their needed-by date or older than ``expire_days``."""
    today = today or date.today()
    found = due_to_expire(conn, settings, today)
    letters: list[int] = []
    if dry_run:
        return found, letters
    with transaction(conn):
        for request in found:
            why = "needed_by" if request.needed_by and request.needed_by < today.isoformat() else "age"
            moved = move(conn, request.code, EXPIRED, SYSTEM, "expired", {"why": why})
            letter = outbox.queue(conn, moved, "expired", settings)
            letters += [letter] if letter else []
    return found, letters
