"""Delivery requests in the catalog: submit (recognising duplicates), find, and their history."""
from __future__ import annotations

import io
import json
import secrets
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta, timezone

from archive.catalog import now
from archive.clock import local_stamp
from archive.csv_safe import SafeWriter
from archive.db import Connection, IntegrityError, Row, savepoint
from archive.errors import RequestNotFound
from archive.libraries import default as default_library
from archive.vocabulary import CANCELLED, DELIVERED, EXPIRED, LABELS, NEW, OPEN, REFUSED
from archive.delivery.intake import CheckedRequest

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"     # Crockford's: no I, L, O, U
CODE_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V", " ": "", "–": "-", "—": "-"})
REQUESTER = "requester"
SYSTEM = "olke"


@dataclass
class DeliveryRequest:
    id: int
    code: str
    status: str
    created_at: str
    updated_at: str
    language: str
    name: str | None
    email: str | None
    phone: str | None
    category: str
    document_id: int | None
    cite_title: str | None
    cite_author: str | None
    cite_source: str | None
    cite_year: str | None
    cite_issue: str | None
    cite_pages: str | None
    pages: str
    purpose: str | None
    needed_by: str | None
    consent_version: str
    consent_at: str
    rules_acknowledged: int
    exceeds_rules: str | None
    assigned_to: str | None
    refusal_reason: str | None
    refusal_text: str | None
    delivered_at: str | None
    closed_at: str | None
    anonymised_at: str | None
    library: str = "main"                # the library handling it (archive.libraries)
    sent_outside_to: str | None = None   # the library outside the system it went to, if it did
    document_title: str | None = None
    document_pages: int | None = None

    @classmethod
    def from_row(cls, row: Row) -> "DeliveryRequest":
        names = {f.name for f in fields(cls)}
        return cls(**{k: row[k] for k in row.keys() if k in names})

    @property
    def title(self) -> str:
        return self.document_title or self.cite_title or ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def overdue(self, today: date | None = None) -> bool:
        return bool(self.is_open and self.needed_by and self.needed_by < (today or date.today()).isoformat())

    def age_days(self, today: date | None = None) -> int:
        return ((today or date.today()) - local_date(self.created_at)).days

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def local_date(stamp: str) -> date:
    """The server's local date of a stored UTC time: it decides the day and quarter a thing counts in."""
    return datetime.fromisoformat(stamp).astimezone().date()




def fold(text: str | None) -> str | None:
    """Case-folded text for comparisons, made in Python: the databases' lower() and LIKE fold only
    ASCII (SQLite) or as the server's locale says (PostgreSQL), not Kazakh and Russian alike."""
    return text.casefold() if isinstance(text, str) else text


def new_code(year: int) -> str:
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{year % 100:02d}-{chars[:4]}-{chars[4:]}"


def normalise_code(text: str) -> str:
    code = (text or "").strip().upper().translate(CODE_MISREAD)
    if len(code) == 10 and "-" not in code:
        code = f"{code[:2]}-{code[2:6]}-{code[6:]}"
    return code[:20]


SELECT = ("SELECT r.*, d.title AS document_title, d.page_count AS document_pages FROM delivery_requests r"
          " LEFT JOIN documents d ON d.id = r.document_id")


def get(conn: Connection, code: str) -> DeliveryRequest:
    row = conn.execute(SELECT + " WHERE r.code = :code", {"code": normalise_code(code)}).fetchone()
    if row is None:
        raise RequestNotFound(f"no delivery request {code}; check the code (see `olke requests list`)")
    return DeliveryRequest.from_row(row)


def get_by_id(conn: Connection, request_id: int) -> DeliveryRequest:
    row = conn.execute(SELECT + " WHERE r.id = :id", {"id": request_id}).fetchone()
    if row is None:
        raise RequestNotFound(f"no delivery request number {request_id}")
    return DeliveryRequest.from_row(row)


def get_for_requester(conn: Connection, code: str, email: str) -> DeliveryRequest:
    """The request only if the e-mail matches too; the same error either way, so codes cannot be probed."""
    row = conn.execute(SELECT + " WHERE r.code = :code AND r.email = :email AND r.anonymised_at IS NULL",
                       {"code": normalise_code(code), "email": (email or "").strip().lower()}).fetchone()
    if row is None:
        raise RequestNotFound("no request with this code and e-mail; check both against the first letter")
    return DeliveryRequest.from_row(row)


def find_duplicate(conn: Connection, checked: CheckedRequest, hours: int, at: str) -> DeliveryRequest | None:
    wanted = checked.input
    since = (datetime.fromisoformat(at) - timedelta(hours=hours)).isoformat(timespec="seconds")
    same_work = "r.document_id = :document_id" if checked.document else \
        "r.document_id IS NULL AND coalesce(r.cite_pages, '') = :cite_pages"
    rows = conn.execute(
        SELECT + f" WHERE r.email = :email AND {same_work} AND r.pages = :pages AND r.created_at >= :since"
        " AND r.status NOT IN :closed ORDER BY r.id",
        {"email": wanted.email, "document_id": checked.document.id if checked.document else None,
         "cite_pages": wanted.cite_pages, "pages": checked.pages, "since": since,
         "closed": (REFUSED, CANCELLED, EXPIRED)})
    title = fold(wanted.cite_title)
    for row in rows:
        if checked.document or (title is not None and fold(row["cite_title"]) == title):
            return DeliveryRequest.from_row(row)
    return None


COLUMNS = ("code", "status", "created_at", "updated_at", "language", "name", "email", "phone", "category",
           "document_id", "cite_title", "cite_author", "cite_source", "cite_year", "cite_issue", "cite_pages",
           "pages", "purpose", "needed_by", "consent_version", "consent_at", "rules_acknowledged", "exceeds_rules",
           "library")


def insert(conn: Connection, checked: CheckedRequest, exceeds_rules: str | None, at: str) -> int:
    """Store a checked request (inside the caller's transaction); returns its id. It goes to the library
    that holds the document; a free citation to the default library, which may pass it on."""
    wanted = checked.input
    citation = checked.document is None
    values = {
        "status": NEW, "created_at": at, "updated_at": at, "language": wanted.language, "name": wanted.name,
        "email": wanted.email, "phone": wanted.phone or None, "category": wanted.category,
        "document_id": checked.document.id if checked.document else None,
        **{k: (getattr(wanted, k) or None) if citation else None
           for k in ("cite_title", "cite_author", "cite_source", "cite_year", "cite_issue", "cite_pages")},
        "pages": checked.pages, "purpose": wanted.purpose or None, "needed_by": checked.needed_by,
        "consent_version": wanted.consent_version, "consent_at": at, "rules_acknowledged": 1,
        "exceeds_rules": exceeds_rules,
        "library": checked.document.library if checked.document else default_library(conn).code,
    }
    year = datetime.fromisoformat(at).astimezone().year
    for _ in range(20):
        values["code"] = new_code(year)
        try:
            with savepoint(conn):
                return conn.execute(f"INSERT INTO delivery_requests ({', '.join(COLUMNS)}) VALUES "
                                    f"({', '.join(':' + c for c in COLUMNS)}) RETURNING id", values).scalar()
        except IntegrityError as error:
            if "code" not in str(error.orig):
                raise
    raise RuntimeError("could not make a unique tracking code")


def log(conn: Connection, request_id: int, user: str, action: str, from_status: str | None = None,
        to_status: str | None = None, details: dict | None = None, at: str | None = None) -> None:
    conn.execute('INSERT INTO delivery_events (request_id, at, "user", action, from_status, to_status, details)'
                 " VALUES (:request_id, :at, :user, :action, :from_status, :to_status, :details)",
                 {"request_id": request_id, "at": at or now(), "user": user, "action": action,
                  "from_status": from_status, "to_status": to_status,
                  "details": json.dumps(details or {}, ensure_ascii=False)})


def events(conn: Connection, request_id: int) -> list[dict]:
    rows = conn.execute("SELECT * FROM delivery_events WHERE request_id = :id ORDER BY id", {"id": request_id})
    return [dict(row, details=json.loads(row["details"])) for row in rows]


def notes(conn: Connection, request_id: int, kinds: tuple[str, ...] | None = None) -> list[dict]:
    rows = conn.execute("SELECT * FROM delivery_notes WHERE request_id = :id ORDER BY id", {"id": request_id})
    return [dict(row) for row in rows if kinds is None or row["kind"] in kinds]


def queue(conn: Connection, statuses: tuple[str, ...] | None = OPEN, overdue: bool = False,
          older_than_days: int | None = None, assigned_to: str | None = None, unassigned: bool = False,
          limit: int = 500, today: date | None = None, library: str | None = None) -> list[DeliveryRequest]:
    """Requests for staff, oldest first: by status, age (days since received) and overdue; one library's
    only, when ``library`` is given."""
    today = today or date.today()
    where, args = [], {"limit": int(limit)}
    if library is not None:
        where.append("r.library = :library")
        args["library"] = library
    if statuses:
        where.append("r.status IN :statuses")
        args["statuses"] = tuple(statuses)
    if overdue:
        where.append("r.needed_by < :today AND r.status IN :open")
        args.update(today=today.isoformat(), open=OPEN)
    if assigned_to:
        where.append("r.assigned_to = :assigned_to")
        args["assigned_to"] = assigned_to
    if unassigned:
        where.append("r.assigned_to IS NULL")
    sql = SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY r.id LIMIT :limit"
    found = [DeliveryRequest.from_row(row) for row in conn.execute(sql, args)]
    if older_than_days is not None:
        found = [r for r in found if r.age_days(today) >= older_than_days]
    return found


def utc(moment: datetime | None = None) -> str:
    return (moment or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")


# The archive of fulfilled requests for staff: a plain search over code, name, e-mail and title, and CSV.

CSV_COLUMNS = ("code", "id", "status", "received", "delivered", "category", "language", "name", "email",
               "document_id", "title", "author", "source", "year", "issue", "pages", "assigned_to",
               "refusal_reason")


def search(conn: Connection, text: str = "", statuses: tuple[str, ...] = (DELIVERED,),
           limit: int = 1000, library: str | None = None) -> list[DeliveryRequest]:
    """Requests (default: fulfilled ones), newest first, whose code, name, e-mail or title contains ``text``
    (compared case-folded, in Python: see ``fold``); one library's only, when ``library`` is given."""
    where, args = [], {}
    if library is not None:
        where.append("r.library = :library")
        args["library"] = library
    if statuses:
        where.append("r.status IN :statuses")
        args["statuses"] = tuple(statuses)
    text = (text or "").strip()[:200]
    sql = SELECT + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY coalesce(r.delivered_at, r.created_at) DESC, r.id DESC"
    if not text:
        return [DeliveryRequest.from_row(row) for row in conn.execute(sql + " LIMIT :limit", {**args, "limit": int(limit)})]
    code = fold(normalise_code(text) if text.count("-") == 2 else text)
    words = fold(text)
    found = []
    for row in conn.execute(sql, args):
        if code in fold(row["code"]) or any(words in (fold(row[column]) or "")
                                           for column in ("name", "email", "cite_title", "document_title")):
            found.append(DeliveryRequest.from_row(row))
            if len(found) >= limit:
                break
    return found


def as_csv(found: list[DeliveryRequest]) -> str:
    out = io.StringIO()
    writer = SafeWriter(out, quote_all=True)     # names and titles come from requesters
    writer.writerow(CSV_COLUMNS)
    for r in found:
        writer.writerow([r.code, r.id, LABELS[r.status], local_stamp(r.created_at),            # the library's day
                         local_stamp(r.delivered_at) if r.delivered_at else "", r.category,
                         r.language, r.name or "", r.email or "", r.document_id or "", r.title,
                         r.cite_author or "", r.cite_source or "", r.cite_year or "", r.cite_issue or "",
                         r.pages or "all", r.assigned_to or "", r.refusal_reason or ""])
    return out.getvalue()
