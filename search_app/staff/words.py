"""The staff desk's words: statuses, reasons, letters and the history of a request in the interface language.

The staff app speaks Kazakh (default), Russian and English from the reading room's catalogs
(``search_app/translations``), chosen like the reading room's (``?lang=`` and a cookie of its own).
Times are stored in UTC (``2026-03-01T08:01:56+00:00``) and shown in the library's time zone
(``BABEL_DEFAULT_TIMEZONE``, Asia/Almaty by default) and the interface language.
"""
from __future__ import annotations


from babel import dates as babel_dates
from flask import Flask, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext, to_user_timezone

from werkzeug.routing import BuildError

from archive.errors import (BadTransition, FulfilmentFailed, InvalidRequest, NotFound, OlkeError, RequestNotFound,
                            StaffLoginFailed)
from archive.delivery.model import REQUESTER, SYSTEM
from search_app.delivery import CATEGORY_NAMES, PROBLEMS, REASON_NAMES
from search_app.i18n import interface_language, moment, when

STATUS_NAMES = {"new": _l("new"), "in_progress": _l("in progress"), "waiting": _l("waiting for the requester"),
                "delivered": _l("delivered"), "refused": _l("refused"), "cancelled": _l("cancelled"),
                "expired": _l("expired")}
LETTER_NAMES = {"received": _l("request received"), "question": _l("question to the requester"),
                "delivered": _l("copy ready, with the link"), "refused": _l("request refused"),
                "cancelled": _l("request cancelled"), "expired": _l("request expired"),
                "passed_on": _l("passed on to another library"), "sent_outside": _l("sent outside the system")}
ACCESS_NAMES = {"on_request": _l("on request"), "open": _l("open")}
# The fields of the desk's forms, as a message about one names them
FIELD_NAMES = {"text": _l("the text (the reason, the note, the question or the answer)")}
LETTER_LANGUAGES = {"kk": _l("Kazakh"), "ru": _l("Russian"), "en": _l("English")}


def when_in(value, locale: str) -> str:
    """``when`` in a language of its own (a report's, which may differ from the interface's)."""
    found = moment(value) if value else None
    if found is None:
        return str(value or "")
    local = to_user_timezone(found)
    return f"{babel_dates.format_date(local, 'long', locale=locale)}, " \
           f"{babel_dates.format_time(local, 'short', locale=locale)}"


def status_name(status: str | None) -> str:
    return str(STATUS_NAMES.get(status, status or "—"))


def reason_name(reason: str | None) -> str:
    return str(REASON_NAMES.get(reason, reason or ""))


def category_name(category: str | None) -> str:
    return str(CATEGORY_NAMES.get(category, category or ""))


def letter_name(letter: str | None) -> str:
    return str(LETTER_NAMES.get(letter, (letter or "").replace("_", " ")))


def pages_count(count: int | None) -> str:
    """1 page / 2 pages; in Kazakh no plural after a numeral (2 бет)."""
    return ngettext("%(num)s page", "%(num)s pages", int(count or 0))


def days_ago(count: int) -> str:
    return _("today") if int(count) == 0 else ngettext("%(num)s day ago", "%(num)s days ago", int(count))


def mail_error(error: str | None) -> str:
    """Why a letter was not sent: the mail server's own answer as it is, Olke's known reasons in words."""
    if not error:
        return ""
    if interface_language() != "en":
        if error.startswith("no mail server is set"):
            return _("no mail server is set: the administrator sets [mail] host in delivery.toml, then the "
                     "letters are sent with olke requests send-mail")
        if error == "sending":
            return _("being sent")
    return error


def rules_message(verdict) -> str:
    """The copying rules' verdict on a request (archive.delivery.rules.RuleCheck) in words."""
    if verdict.basis == "over_share":
        return _("asks for %(share)s%% of the document; the copying rules allow %(limit)s%% of a book",
                 share=f"{verdict.share:.0f}", limit=f"{verdict.limit:g}")
    if verdict.basis == "share":
        return _("%(share)s%% of the document, within the %(limit)s%% allowed", share=f"{verdict.share:.0f}",
                 limit=f"{verdict.limit:g}")
    return {"public_domain": _("a public-domain work: may be copied in full"),
            "whole_article": _("an article: may be copied whole"),
            "citation": _("not in the archive: check the copying rules by hand")}.get(verdict.basis, verdict.message)


# --- the history of a request --------------------------------------------------------------------

def _who(user: str | None, people: dict[str, str]) -> str:
    if user == REQUESTER:
        return _("the requester")
    if user == SYSTEM:
        return _("Olke")
    if user in people and people[user] != user:
        return people[user]                 # a full name says who without a title
    return _("librarian %(name)s", name=user or "—")


def _pages(value) -> str:
    return _("all pages") if value in (None, "", "all") else _("pages %(pages)s", pages=value)


def event_sentence(event: dict, people: dict[str, str] | None = None) -> str:
    """One event of a request's history (archive.delivery.model.log) as a sentence, without its time;
    staff users by their full names (`people`, login → name) where they have one."""
    people = people or {}
    action, details = event.get("action") or "", event.get("details") or {}
    if not isinstance(details, dict):
        details = {}
    who = _who(event.get("user"), people)
    if action == "submitted":
        text = _("%(who)s sent the request", who=who)
        if details.get("consent_version"):
            text += " " + _("(consent to the terms, version %(version)s)", version=details["consent_version"])
    elif action == "duplicate_recognised":
        text = _("%(who)s sent the same request again; it was recognised as this one", who=who)
    elif action == "claimed":
        text = _("%(who)s took the request", who=who)
    elif action == "assigned":
        to = details.get("to")
        text = _("%(who)s gave the request to %(to)s", who=who, to=people.get(to, to) if to else "—")
    elif action == "asked_requester":
        text = _("%(who)s asked the requester a question", who=who)
    elif action == "requester_answered":
        text = _("%(who)s answered the question", who=who)
    elif action == "refused":
        text = _("%(who)s refused the request: %(reason)s", who=who, reason=reason_name(details.get("reason")))
    elif action == "passed_on":
        text = _("%(who)s passed the request on from library %(source)s to library %(target)s", who=who,
                 source=details.get("from") or "—", target=details.get("to") or "—")
    elif action == "sent_outside":
        text = _("%(who)s sent the request outside the system, to %(target)s", who=who, target=details.get("to") or "—")
    elif action == "cancelled":
        if details.get("by") == "requester":
            text = _("%(who)s cancelled the request at the requester's wish", who=who)
        elif details.get("by") == "erasure":
            text = _("%(who)s cancelled the request when the requester's data was erased", who=who)
        else:
            text = _("%(who)s cancelled the request", who=who)
    elif action == "expired":
        text = _("the request expired: the day it was needed by has passed") if details.get("why") == "needed_by" \
            else _("the request expired: it waited too long")
    elif action in ("delivered", "sent_again"):
        pages = _pages(details.get("pages"))
        text = _("%(who)s delivered a copy (%(pages)s)", who=who, pages=pages) if action == "delivered" else \
            _("%(who)s sent a new copy (%(pages)s)", who=who, pages=pages)
        if details.get("reused_extract"):
            text += "; " + _("the pages extracted for an earlier request were reused")
    elif action == "downloaded":
        text = _("%(who)s downloaded the copy (download %(num)s)", who=who, num=details.get("download", "?"))
    elif action == "anonymised":
        text = _("%(who)s removed the requester's personal data", who=who)
    else:
        text = _("%(who)s: “%(action)s”", who=who, action=action.replace("_", " ") or "—")
    before, after = event.get("from_status"), event.get("to_status")
    if before and after and before != after:
        text += " " + _("(status: %(before)s → %(after)s)", before=status_name(before), after=status_name(after))
    return text


def history(events: list[dict], people: dict[str, str] | None = None) -> list[dict]:
    """The events as lines: when (in the library's time zone) and what happened, in a sentence."""
    return [{"at": when(e.get("at")), "text": event_sentence(e, people)} for e in events]


# --- errors --------------------------------------------------------------------------------------

def explain(error: OlkeError, code: str | None = None) -> str:
    """An error of the archive (its messages are the command line's, in English) in the interface language."""
    if interface_language() == "en" or getattr(error, "translated", False):
        return error.message
    if isinstance(error, StaffLoginFailed):
        return _("The name or the password is wrong, or the user is disabled.")
    if isinstance(error, InvalidRequest):
        problems = "; ".join((f"{FIELD_NAMES[field]}: " if field in FIELD_NAMES else "")
                             + (str(PROBLEMS[problem]) % values if problem in PROBLEMS else problem)
                             for field, (problem, values) in error.problems.items())
        return _("The form is not complete: %(problems)s", problems=problems)
    if isinstance(error, BadTransition):
        return _("This cannot be done to the request in its present status; reload the page to see it.")
    if isinstance(error, RequestNotFound):
        return _("There is no request with this code; check the code.")
    if isinstance(error, FulfilmentFailed):
        return _("The copy could not be made: %(detail)s", detail=error.message)
    if isinstance(error, NotFound):       # (the archive's own words name commands: for the CLI)
        return _("Not found: the archive has no such document, page, plan or request.")
    return _("The archive could not do this: %(detail)s", detail=error.message)


def switch_url(code: str) -> str:
    """This page in another interface language (the queue's, when this page cannot be asked for again)."""
    if request.endpoint and request.method == "GET" and request.endpoint != "static":
        try:
            return url_for(request.endpoint, **{**(request.view_args or {}), **request.args.to_dict(), "lang": code})
        except BuildError:
            pass
    return url_for("desk.queue", lang=code)


def init_app(app: Flask) -> None:
    for name, function in (("status_name", status_name),
                           ("reason_name", reason_name), ("category_name", category_name),
                           ("letter_name", letter_name), ("mail_error", mail_error), ("pages_count", pages_count), ("days_ago", days_ago)):
        app.add_template_filter(function, name)
    app.jinja_env.globals.update(status_names=STATUS_NAMES, access_names=ACCESS_NAMES,
                                 letter_languages=LETTER_LANGUAGES, switch_url=switch_url)
