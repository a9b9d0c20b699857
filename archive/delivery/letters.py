"""The letters a requester gets, in the requester's language (kk, ru, en): subject and plain text."""
from __future__ import annotations

from datetime import date
from urllib.parse import quote

from babel.dates import format_date

from archive import i18n
from archive.grammar import dative
from archive.vocabulary import INTERFACE_LANGUAGES

# The letters in English; their Kazakh and Russian are in archive/translations (archive.i18n).
SUBJECTS = {
    "received": "Your request is received: {code}",
    "question": "A question about your request: {code}",
    "delivered": "Your copy is ready: {code}",
    "refused": "Your request cannot be fulfilled: {code}",
    "cancelled": "Your request is cancelled: {code}",
    "expired": "Your request has expired: {code}",
    "passed_on": "Your request is passed on to another library: {code}",
    "sent_outside": "Your request is sent on to another library: {code}",
}

BODIES = {
    "received": ("Hello {name},\n\n"
                 "Your request for electronic document delivery is received.\n\n"
                 "Request code: {code}\n"
                 "Asked for: {title}\n\n"
                 "You can follow it with the code and your e-mail address at:\n"
                 "{status_url}\n\n"
                 "Please keep this code."),
    "question": ("Hello {name},\n\n"
                 "To fulfil your request {code}, the library asks:\n\n"
                 "{text}\n\n"
                 "You can answer on your request's page:\n"
                 "{status_url}"),
    "delivered": ("Hello {name},\n\n"
                  "The copy for your request {code} is ready ({pages} pages):\n"
                  "{title}\n\n"
                  "Download it here:\n"
                  "{download_url}\n\n"
                  "The link works until {expires}, for at most {downloads} downloads.\n\n"
                  "{terms}"),
    "refused": ("Hello {name},\n\n"
                "We are sorry: your request {code} cannot be fulfilled.\n"
                "Reason: {reason}\n"
                "{text}\n\n"
                "If you have questions, please contact the library."),
    "cancelled": ("Hello {name},\n\n"
                  "The request {code} is cancelled.\n"
                  "{text}"),
    "expired": ("Hello {name},\n\n"
                "Your request {code} could not be fulfilled in time and is closed. If you still need the copy, please send a new request."),
    "passed_on": ("Hello {name},\n\n"
                  "Your request {code} is passed on to {library_name}, which will fulfil it.\n"
                  "{text}\n\n"
                  "You can follow it with the same code at:\n"
                  "{status_url}"),
    "sent_outside": ("Hello {name},\n\n"
                     "Your request {code} is sent on to {outside}, which holds what you asked for and will "
                     "answer you directly.\n"
                     "{text}"),
}

REASONS = {
    "copyright": "copyright does not allow the copy",
    "not_in_collection": "the document is not in the library's collection",
    "too_much": "more than the copying rules allow",
    "damaged_original": "the original is too damaged to copy",
    "incomplete_request": "the request does not say clearly what is wanted",
    "other": "another reason",
}

SIGNATURE = "\n\n—\n{library}\nElectronic document delivery"


def until_day(value: str, language: str) -> str:
    """An ISO day as the letter's language writes it before "until" (in Kazakh, in the dative:
    "2027 ж. 2 қаңтарға дейін"); anything else as it is."""
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    written = format_date(day, "long", locale=language)
    return dative(written) if language == "kk" else written


def status_url(public_url: str, code: str) -> str:
    return f"{public_url.rstrip('/')}/request/status?code={quote(code)}"


def compose(letter: str, language: str, library: str, **values) -> tuple[str, str]:
    """(subject, body) of ``letter`` in ``language`` (falling back to English)."""
    language = language if language in INTERFACE_LANGUAGES else "en"
    values.setdefault("text", "")
    if "expires" in values:
        values["expires"] = until_day(values["expires"], language)
    if "reason" in values:
        reason = values["reason"] if values["reason"] in REASONS else "other"
        values["reason"] = i18n.text(language, f"refusal.{reason}", REASONS[reason])
    subject = i18n.text(language, f"letter.subject.{letter}", SUBJECTS[letter]).format(**values)
    body = i18n.text(language, f"letter.body.{letter}", BODIES[letter]).format(**values).rstrip()
    return subject, body + i18n.text(language, "letter.signature", SIGNATURE).format(library=library)


def messages() -> list[tuple[str, str]]:
    """Every (context, English text) this module translates."""
    return ([(f"letter.subject.{k}", v) for k, v in SUBJECTS.items()] + [(f"letter.body.{k}", v) for k, v in
            BODIES.items()] + [(f"refusal.{k}", v) for k, v in REASONS.items()] + [("letter.signature", SIGNATURE)])
