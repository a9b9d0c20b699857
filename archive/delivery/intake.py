"""A request as the requester wrote it, and the checks every field must pass.

Problems are codes with values (``("too_long", {"max": 200})``), so the web form and the CLI each
say them in their own words, beside the field. Nothing is stored until every field passes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Callable

from email_validator import EmailNotValidError, validate_email

from archive.catalog import Document, parse_id
from archive.errors import InvalidRequest, NotFound
from archive.delivery import consent
from archive.delivery import pages as page_ranges
from archive.vocabulary import CATEGORIES, INTERFACE_LANGUAGES

MAX_LENGTH = {"name": 200, "email": 254, "phone": 40, "cite_title": 500, "cite_author": 300, "cite_source": 300,
              "cite_year": 20, "cite_issue": 50, "cite_pages": 100, "pages": page_ranges.MAX_TEXT,
              "purpose": 2000, "needed_by": 10, "category": 20, "language": 5, "consent_version": 20,
              "document_id": 12}
MULTILINE = ("purpose",)
# Beyond what email-validator checks: '%' and '!' route a letter on through a relay
# (x%victim@example.kz reaches victim on servers that still honour it), and no reader needs them.
EMAIL_LOCAL_PART = re.compile(r"^[\w.+-]{1,64}$")
PHONE = re.compile(r"^\+?[0-9 ()\-]{5,40}$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NEEDED_BY_HORIZON = timedelta(days=730)

Problems = dict[str, tuple[str, dict]]


@dataclass
class RequestInput:
    name: str = ""
    email: str = ""
    phone: str = ""
    category: str = ""
    language: str = "kk"
    document_id: str = ""          # as typed or prefilled; '' for a free citation
    cite_title: str = ""
    cite_author: str = ""
    cite_source: str = ""
    cite_year: str = ""
    cite_issue: str = ""
    cite_pages: str = ""
    pages: str = ""
    purpose: str = ""
    needed_by: str = ""
    consent: bool = False
    consent_version: str = ""
    rules_acknowledged: bool = False

    @classmethod
    def from_mapping(cls, values) -> "RequestInput":
        made = cls()
        for f in fields(cls):
            if f.name in values and values[f.name] is not None:
                raw = values[f.name]
                setattr(made, f.name, _truthy(raw) if f.type == "bool" else str(raw))
        return made


@dataclass
class CheckedRequest:
    """Clean values, ready to store."""

    input: RequestInput
    document: Document | None
    pages: str                      # normalised; '' = every page
    needed_by: str | None


def _truthy(raw) -> bool:
    return raw is True or str(raw).strip().lower() in ("1", "y", "yes", "on", "true")


def _clean(value: str, multiline: bool) -> str:
    value = value.replace("\r\n", "\n").strip()
    return value if multiline else " ".join(value.split())


def check(wanted: RequestInput, find_document: Callable[[int], Document], today: date | None = None
          ) -> CheckedRequest:
    """Clean ``wanted`` in place and check it; raises InvalidRequest naming every bad field."""
    today = today or date.today()
    problems: Problems = {}
    for name, limit in MAX_LENGTH.items():
        value = getattr(wanted, name)
        if CONTROL.search(value):
            problems[name] = ("bad_text", {})
            continue
        value = _clean(value, name in MULTILINE)
        setattr(wanted, name, value)
        if len(value) > limit:
            problems[name] = ("too_long", {"max": limit})
    wanted.email = wanted.email.lower()
    _required(wanted, problems, "name", "email")
    if "email" not in problems and not valid_email(wanted.email):
        problems["email"] = ("bad_email", {})
    if wanted.phone and "phone" not in problems and not PHONE.match(wanted.phone):
        problems["phone"] = ("bad_phone", {})
    for name, allowed in (("category", CATEGORIES), ("language", INTERFACE_LANGUAGES)):
        if name not in problems and getattr(wanted, name) not in allowed:
            problems[name] = ("required" if not getattr(wanted, name) else "bad_choice", {})
    document = _document(wanted, find_document, problems)
    pages = _pages(wanted, document, problems)
    needed_by = _needed_by(wanted, today, problems)
    if not wanted.consent:
        problems["consent"] = ("no_consent", {})
    elif wanted.consent_version != consent.CURRENT:
        problems["consent"] = ("consent_outdated", {})
    if not wanted.rules_acknowledged:
        problems["rules_acknowledged"] = ("no_rules", {})
    if problems:
        raise InvalidRequest(problems)
    return CheckedRequest(wanted, document, pages, needed_by)


def _required(wanted: RequestInput, problems: Problems, *names: str) -> None:
    for name in names:
        if name not in problems and not getattr(wanted, name):
            problems[name] = ("required", {})


def valid_email(address: str) -> bool:
    """A deliverable-looking address by RFC 5321/5322 and IDNA (email-validator, no DNS look-up)."""
    try:
        checked = validate_email(address, check_deliverability=False, allow_quoted_local=False,
                                 allow_domain_literal=False, allow_display_name=False)
    except EmailNotValidError:
        return False
    return bool(EMAIL_LOCAL_PART.match(checked.local_part))


def _document(wanted: RequestInput, find_document, problems: Problems) -> Document | None:
    if "document_id" in problems:
        return None
    if not wanted.document_id:
        _required(wanted, problems, "cite_title")
        return None
    if parse_id(wanted.document_id) is None:
        problems["document_id"] = ("no_such_document", {})
        return None
    try:
        return find_document(parse_id(wanted.document_id))
    except NotFound:
        problems["document_id"] = ("no_such_document", {})
        return None


def _pages(wanted: RequestInput, document: Document | None, problems: Problems) -> str:
    if "pages" in problems:
        return ""
    try:
        return page_ranges.normalise(wanted.pages, document.page_count if document else None)
    except page_ranges.PageRangeError as error:
        problems["pages"] = (error.code, {"last": error.last} if error.last else {})
        return ""


def _needed_by(wanted: RequestInput, today: date, problems: Problems) -> str | None:
    if not wanted.needed_by or "needed_by" in problems:
        return None
    try:
        day = date.fromisoformat(wanted.needed_by)
    except ValueError:
        problems["needed_by"] = ("bad_date", {})
        return None
    if day < today:
        problems["needed_by"] = ("date_past", {})
    elif day > today + NEEDED_BY_HORIZON:
        problems["needed_by"] = ("date_far", {})
    return day.isoformat()
