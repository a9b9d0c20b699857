"""The description of a document, and the rules every value must follow.

Values arrive as strings (CLI options, manifest CSV cells, sidecar files) or as TOML values;
`Description.from_mapping` validates them all and names the field and the accepted values.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, timedelta
from typing import Any, Mapping

from archive.errors import ImpossibleDate, InvalidMetadata, InvalidPageRange
from archive.vocabulary import ACCESS, DESCRIBED_LANGUAGES, KINDS


def pages_shown(access: str) -> bool:
    """Whether the public sees a document's pages: images, text, snippets, highlights, downloads.

    Only ``open`` documents. An ``on_request`` document shows its description; search still finds
    it and names the pages that match and how often, without their text; copies of its pages go
    through delivery requests.
    """
    return access == "open"


LIST_SEPARATOR = ";"
# Digitisation with scanners began in these libraries long after 1990; a day ahead allows for time zones.
DIGITISED_FROM = date(1990, 1, 1)
PUBLISHED_FROM = 1500  # printed matter
_SOURCE_PAGES = re.compile(r"^(\d{1,5})(?:\s*[-–—]\s*(\d{1,5}))?$")
_PUBLISHED = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_ALIASES = {  # accepted spellings a bibliographer may type
    "kind": {"newspaper": "newspaper_article", "journal": "journal_article", "article": "journal_article"},
    "language": {"kk": "kaz", "kz": "kaz", "ru": "rus"},
}


@dataclass(frozen=True)
class Description:
    kind: str = "other"
    title: str = ""
    authors: tuple[str, ...] = ()
    source: str | None = None
    issue: str | None = None
    published: str | None = None
    source_pages: str | None = None
    language: str = "auto"
    rubrics: tuple[str, ...] = ()
    udc: str | None = None
    notes: str | None = None
    access: str = "open"
    digitised_on: str = field(default_factory=lambda: date.today().isoformat())
    digitised_by: str | None = None
    library: str | None = None       # the holding library's code; None: the default library (or, when editing, as it is)

    FIELDS = ()  # filled below

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], base: "Description | None" = None) -> "Description":
        """Validate ``values`` over ``base`` (or the defaults); unknown keys are errors."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InvalidMetadata(
                f"unknown metadata field '{unknown[0]}'; known fields: {', '.join(sorted(known))}"
            )
        clean: dict[str, Any] = {}
        for name, raw in values.items():
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            clean[name] = _normalise(name, raw)
        return replace(base or cls(), **clean)

    def with_title_default(self, title: str) -> "Description":
        return self if self.title else replace(self, title=title)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["authors"] = list(self.authors)
        data["rubrics"] = list(self.rubrics)
        return data


Description.FIELDS = tuple(f.name for f in fields(Description))


def _normalise(name: str, raw: Any) -> Any:
    if name in ("authors", "rubrics"):
        items = raw if isinstance(raw, (list, tuple)) else str(raw).split(LIST_SEPARATOR)
        return tuple(s for s in (str(item).strip() for item in items) if s)
    value = str(raw).strip()
    if name == "library":
        return value.lower()     # checked against the register when the document is written
    if name in ("kind", "language", "access"):
        value = value.lower()
        value = _ALIASES.get(name, {}).get(value, value)
        allowed = {"kind": KINDS, "language": DESCRIBED_LANGUAGES, "access": ACCESS}[name]
        if value not in allowed:
            raise InvalidMetadata(f"unknown {name} '{raw}'; use one of: {', '.join(allowed)}")
    elif name == "published":
        if isinstance(raw, date):
            value = raw.isoformat()
        if not _PUBLISHED.match(value):
            raise InvalidMetadata(f"published date '{raw}' is not YYYY, YYYY-MM or YYYY-MM-DD")
        if len(value) == 10:
            _parse_date("published", value)
        _check_published(value)
    elif name == "digitised_on":
        digitised = _parse_date(name, raw.isoformat() if isinstance(raw, date) else value)
        latest = date.today() + timedelta(days=1)
        if not DIGITISED_FROM <= digitised <= latest:
            raise ImpossibleDate(f"digitised_on {digitised.isoformat()} cannot be right; give a date from "
                                 f"{DIGITISED_FROM.isoformat()} to {latest.isoformat()} (default: today)")
        value = digitised.isoformat()
    elif name == "source_pages":
        value = source_pages(value)
    elif name == "title" and len(value) > 1000:
        raise InvalidMetadata("title is longer than 1000 characters")
    return value


def _check_published(value: str) -> None:
    """A publication date in the future, or before printing, is a typing error."""
    latest = (date.today() + timedelta(days=1)).isoformat()   # a newspaper may come out the evening before
    if value > latest[:len(value)] or int(value[:4]) < PUBLISHED_FROM:
        raise ImpossibleDate(f"published date '{value}' cannot be right; give a date from {PUBLISHED_FROM} "
                             f"to {latest}")


def source_pages(value: str) -> str:
    """'3', '12-14' or a list of them ('3, 5-7'): page numbers in the source, ranges ascending."""
    parts = [p.strip() for p in re.split(r"[,;]", value)]
    normal = []
    for part in parts:
        match = _SOURCE_PAGES.match(part)
        first, last = (int(match.group(1)), int(match.group(2) or match.group(1))) if match else (0, 0)
        if not match or first < 1 or last < first:
            raise InvalidPageRange(f"source_pages '{value}' is not pages in the source; write a page, a range "
                                   "or a list of them, e.g. 3 or 12-14 or 3, 5-7")
        normal.append(f"{first}-{last}" if match.group(2) else str(first))
    return ", ".join(normal)


def valid_source_pages(value: str | None) -> bool:
    try:
        return bool(value) and bool(source_pages(value))
    except InvalidPageRange:
        return False


def _parse_date(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidMetadata(f"{name} '{value}' is not a date (YYYY-MM-DD)") from None
