"""Query parameters of the reading room, checked: a wrong value is a 400 with a message that says why."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from archive.search.model import SORTS, SearchRequest
from archive.vocabulary import KINDS, LANGUAGES
from search_app.errors import BadParameter

ZOOMS = (50, 75, 100, 150, 200)     # page image width, in % of the viewer column
MAX_QUERY = 500
MAX_VALUE = 300
MAX_PAGE = 1000


# What the reader calls each parameter, for messages about a wrong value (not «from», «q»)
LABELS = {"q": _l("search words"), "from": _l("year from"), "to": _l("year to"), "page": _l("page"),
          "zoom": _l("zoom"), "kind": _l("kind"), "language": _l("language"), "sort": _l("sort order"),
          "source": _l("newspaper or journal"), "rubric": _l("subject"), "width": _l("image width"),
          "per_page": _l("results per page"), "library": _l("library")}


def label(name: str) -> str:
    return str(LABELS.get(name, name))


def text(args: MultiDict, name: str, limit: int = MAX_VALUE) -> str | None:
    value = (args.get(name) or "").strip()
    if len(value) > limit:
        raise BadParameter(_("The value of “%(name)s” is too long: at most %(limit)s characters.",
                             name=label(name), limit=limit))
    return value or None


def query(args: MultiDict) -> tuple[str | None, bool]:
    """The search words (``q``), and whether they were cut to `MAX_QUERY` characters: a pasted
    paragraph is searched by its beginning (cut at a space where one is near) rather than refused."""
    value = (args.get("q") or "").strip()
    if len(value) <= MAX_QUERY:
        return value or None, False
    cut = value[:MAX_QUERY]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    return (cut[:space] if space > MAX_QUERY // 2 else cut).strip(), True


def integer(args: MultiDict, name: str, low: int, high: int, default: int | None = None) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:   # '²' is a digit to isdigit
        raise BadParameter(_("“%(name)s” must be a whole number from %(low)s to %(high)s.",
                             name=label(name), low=low, high=high))
    return int(raw)


def choice(args: MultiDict, name: str, allowed: tuple, default=None):
    value = (args.get(name) or "").strip()
    if not value:
        return default
    if value not in allowed:
        raise BadParameter(_("“%(value)s” is not a valid value of “%(name)s”; use one of: %(allowed)s.",
                             value=value, name=label(name), allowed=", ".join(map(str, allowed))))
    return value


def search_request(args: MultiDict, per_page: int | None = None, cut: bool = False) -> SearchRequest:
    """The search asked for; with `cut`, words past `MAX_QUERY` characters are left out (`query`),
    else they are an error."""
    year_from = integer(args, "from", 1, 2999)
    year_to = integer(args, "to", 1, 2999)
    if year_from and year_to and year_from > year_to:
        raise BadParameter(_("The year range starts (%(start)s) after it ends (%(end)s).",
                             start=year_from, end=year_to))
    words = (query(args)[0] if cut else text(args, "q", MAX_QUERY)) or ""
    return SearchRequest(
        text=words,
        kind=choice(args, "kind", KINDS),
        language=choice(args, "language", LANGUAGES),
        source=text(args, "source"),
        rubric=text(args, "rubric"),
        library=text(args, "library", 40),
        year_from=year_from,
        year_to=year_to,
        sort=choice(args, "sort", SORTS, "relevance" if words else "-date"),    # no words: newest first
        page=integer(args, "page", 1, MAX_PAGE, 1),
        per_page=per_page or current_app.config["OLKE_PER_PAGE"],
    )


def zoom(args: MultiDict) -> int:
    return int(choice(args, "zoom", tuple(str(z) for z in ZOOMS), "100"))
