"""Interface languages: Kazakh (default), Russian and English, chosen by ``?lang=`` and kept in a cookie.

Also the translated names of kinds and languages, and dates and numbers in the reader's language.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from babel.dates import format_skeleton
from flask import Flask, current_app, request
from flask_babel import Babel, format_date, format_decimal, format_percent, format_time, get_locale, to_user_timezone
from flask_babel import lazy_gettext as _l

from archive import rubrics
from archive.grammar import dative

KIND_NAMES = {"newspaper_article": _l("Newspaper article"), "journal_article": _l("Journal article"),
              "book": _l("Book"), "other": _l("Other document")}
KIND_PLURALS = {"newspaper_article": _l("Newspaper articles"), "journal_article": _l("Journal articles"),
                "book": _l("Books"), "other": _l("Other documents")}
LANGUAGE_NAMES = {"kaz": _l("Kazakh"), "rus": _l("Russian")}
CONTENT_LANG = {"kaz": "kk", "rus": "ru"}          # ISO 639-3 of documents → BCP 47 for lang=""
INTERFACE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}   # each in its own language
SORT_NAMES = {"relevance": _l("Relevance"), "-date": _l("Newest first"), "date": _l("Oldest first")}


def select_locale() -> str:
    languages = current_app.config["OLKE_LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        return asked
    kept = request.cookies.get(current_app.config["OLKE_LANG_COOKIE"])
    return kept if kept in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def interface_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def remember_language(response):
    asked = request.args.get("lang")
    if asked in current_app.config["OLKE_LANGUAGES"] and asked != request.cookies.get(
            current_app.config["OLKE_LANG_COOKIE"]):
        response.set_cookie(current_app.config["OLKE_LANG_COOKIE"], asked, max_age=365 * 24 * 3600,
                            samesite="Lax", httponly=True, secure=request.is_secure)
    response.vary.add("Cookie")
    return response


def published(value: str | None) -> str:
    """A publication date (YYYY, YYYY-MM or YYYY-MM-DD) in the reader's language."""
    if not value:
        return ""
    try:
        if len(value) == 10:
            return format_date(date.fromisoformat(value), "long")
        if len(value) == 7:
            return format_skeleton("yMMMM", date.fromisoformat(value + "-01"), locale=get_locale())
    except ValueError:
        pass
    return value


def moment(value) -> datetime | None:
    """A stored time (ISO, UTC when it says no zone) as a datetime; None if it is not one."""
    if isinstance(value, datetime):
        found = value
    else:
        try:
            found = datetime.fromisoformat(str(value))
        except ValueError:
            return None
    return found if found.tzinfo else found.replace(tzinfo=timezone.utc)


def when(value) -> str:
    """A stored UTC time in the library's time zone and the reader's language: 2026 ж. 1 наурыз, 13:01."""
    if not value:
        return ""
    found = moment(value)
    if found is None:
        return str(value)
    local = to_user_timezone(found)
    return f"{format_date(local, 'long', rebase=False)}, {format_time(local, 'short', rebase=False)}"


def day(value) -> str:
    """A day (YYYY-MM-DD) as it is, or a stored UTC time's day in the library's time zone."""
    if not value:
        return ""
    if isinstance(value, str) and len(value) == 10:
        try:
            return format_date(date.fromisoformat(value), "long")
        except ValueError:
            return value
    found = moment(value)
    if found is None:
        return str(value)
    return format_date(to_user_timezone(found), "long", rebase=False)


def until(value: str | None) -> str:
    """A day as "until" wants it: in Kazakh in the dative (2 қаңтарға дейін), elsewhere as ``day``."""
    shown = day(value)
    return dative(shown) if shown and interface_language() == "kk" else shown


def number(value) -> str:
    return format_decimal(value or 0)


def rubric_name(value: str | None) -> str:
    """A rubric (its key, or a name in any language) in the reader's language; an unknown one as written."""
    return rubrics.label(value, interface_language()) if value else ""


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)
    app.after_request(remember_language)
    app.add_template_filter(published, "published")
    app.add_template_filter(day, "day")
    app.add_template_filter(when, "when")
    app.add_template_filter(until, "until")
    app.add_template_filter(number, "number")
    app.add_template_filter(rubric_name, "rubric_name")
    app.add_template_filter(rubrics.key_of, "rubric_key")
    app.jinja_env.globals.update(format_decimal=format_decimal, format_percent=format_percent)

    app.jinja_env.globals.update(kind_names=KIND_NAMES, kind_plurals=KIND_PLURALS, language_names=LANGUAGE_NAMES,
                                 content_lang=CONTENT_LANG, interface_names=INTERFACE_NAMES, sort_names=SORT_NAMES)

    @app.context_processor
    def reader_language():
        return {"lang": interface_language()}
