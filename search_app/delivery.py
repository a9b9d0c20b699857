"""Electronic document delivery in the reading room: the request form, the status page (code + e-mail,
no account) and the download of a stamped copy by its expiring link.

The staff side is a separate app (``search_app.staff``); nothing here shows requesters' data except
to the requester who gives the code and the e-mail. The archive does the work (``archive.delivery``);
this module only reads forms, guards them (CSRF, honeypot, minimum fill time, rate limit per address,
size limits) and says what happened in the reader's language.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from flask import (Blueprint, Flask, abort, current_app, redirect, render_template, request, send_file, session,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from wtforms import BooleanField, HiddenField, StringField, TextAreaField

from archive.catalog import parse_id
from archive.errors import InvalidRequest, LinkExpired, LinkInvalid, NotFound, RequestNotFound
from archive.home import Home
from archive.delivery import consent, links, model, outbox, rules
from archive.delivery.settings import DeliverySettings, LiveSettings, secret_key
from archive.vocabulary import OPEN, WAITING
from archive.delivery.intake import MAX_LENGTH, RequestInput, check
from search_app.i18n import interface_language
from search_app.store import get_store

delivery = Blueprint("delivery", __name__)
MAX_BODY = 32 * 1024                 # bytes of one form; every field has its own limit too
FORM_MAX_AGE = 24 * 3600             # a form open longer than a day is given anew
SENT_KEY, SEEN_KEY = "delivery_sent", "delivery_seen"

CATEGORY_NAMES = {"researcher": _l("Researcher"), "teacher": _l("Teacher"), "student": _l("Student"),
                  "pupil": _l("School pupil"), "pensioner": _l("Pensioner"), "other": _l("Other")}
STATUS_NAMES = {"new": _l("Received, waiting for a librarian"), "in_progress": _l("A librarian is working on it"),
                "waiting": _l("Waiting for your answer"), "delivered": _l("Delivered: the copy is ready"),
                "refused": _l("Cannot be fulfilled"), "cancelled": _l("Cancelled"), "expired": _l("Expired")}
REASON_NAMES = {"copyright": _l("copyright does not allow the copy"),
                "not_in_collection": _l("the document is not in the library's collection"),
                "too_much": _l("more than the copying rules allow"),
                "damaged_original": _l("the original is too damaged to copy"),
                "incomplete_request": _l("the request does not say clearly what is wanted"),
                "other": _l("another reason")}
PROBLEMS = {
    "required": _l("Please fill this in."),
    "too_long": _l("This is too long: at most %(max)s characters."),
    "bad_email": _l("This does not look like an e-mail address; write it like name@example.kz."),
    "bad_phone": _l("Write the phone number with digits, e.g. +7 701 123 45 67."),
    "bad_choice": _l("Choose one of the options."),
    "no_such_document": _l("There is no such document in the archive; describe what you need instead."),
    "bad_pages": _l("Write the pages like 3, or 5-7, or 3-5, 8."),
    "pages_outside": _l("The document has %(last)s pages: choose pages from 1 to %(last)s."),
    "bad_date": _l("Write the date as YYYY-MM-DD."),
    "date_past": _l("This date has passed; choose a later one or leave the field empty."),
    "date_far": _l("Choose a date within two years."),
    "no_consent": _l("We can take your request only with your consent to processing your data."),
    "consent_outdated": _l("The consent text has changed: please read it and tick the box again."),
    "no_rules": _l("Please confirm that you have read the copying rules."),
    "bad_text": _l("This field holds characters that cannot be used; type it again."),
}
FORM_PROBLEMS = {
    "csrf": _l("The form has expired or did not come from this site. Nothing was saved: please send it again."),
    "robot": _l("The request could not be accepted. Nothing was saved: please reload the page and send it again."),
    "too_fast": _l("The form was sent too quickly after it was opened. Nothing was saved: please check your "
                   "entries and send it again."),
    "stale": _l("The form was open too long. Nothing was saved: please check your entries and send it again."),
    "invalid": _l("Some fields need correcting; see the messages beside them. Nothing was saved yet."),
    "exceeds": _l("Please confirm below that you still want to send this request."),
}


@dataclass
class DeliveryContext:
    live: LiveSettings
    secret: str
    limiter: Limiter

    @property
    def settings(self) -> DeliverySettings:
        """As ``delivery.toml`` says now (read again when it changes)."""
        return self.live.get()


def context() -> DeliveryContext:
    return current_app.extensions["olke_delivery"]


class RequestForm(FlaskForm):
    name = StringField()
    email = StringField()
    phone = StringField()
    category = StringField()
    document_id = HiddenField()
    cite_title = StringField()
    cite_author = StringField()
    cite_source = StringField()
    cite_year = StringField()
    cite_issue = StringField()
    cite_pages = StringField()
    pages = StringField()
    purpose = TextAreaField()
    needed_by = StringField()
    consent = BooleanField()
    consent_version = HiddenField()
    rules_acknowledged = BooleanField()
    accept_exceeding = BooleanField()
    website = StringField()            # the honeypot: hidden from people, filled by robots
    started = HiddenField()            # signed time the form was given out


class LookupForm(FlaskForm):
    code = StringField()
    email = StringField()


class MessageForm(FlaskForm):
    text = TextAreaField()


def _signer() -> TimestampSigner:
    return TimestampSigner(context().secret, salt="olke-form-started")


def _fresh_start() -> str:
    return _signer().sign(str(time.time_ns())).decode()


def _fill_time_problem(token: str | None) -> str | None:
    try:
        _, signed_at = _signer().unsign(token or "", max_age=FORM_MAX_AGE, return_timestamp=True)
    except SignatureExpired:
        return "stale"
    except BadSignature:
        return "robot"
    elapsed = time.time() - signed_at.timestamp()
    return "too_fast" if elapsed < context().settings.min_fill_seconds else None


def _document(document_id: str | None):
    number = parse_id(document_id)
    if number is None:
        return None
    with get_store().catalog() as catalog:
        try:
            return catalog.get(number)
        except NotFound:
            return None


def _render_form(form: RequestForm, document, status: int = 200, problem: str | None = None,
                 errors: dict | None = None, verdict: rules.RuleCheck | None = None):
    # the form given out again (mistakes to mend, the copying rules to confirm) keeps the time it was
    # first given out: the reader has spent that time on it already
    if _fill_time_problem(form.started.data) in ("robot", "stale"):
        form.started.data = _fresh_start()
    form.consent_version.data = consent.CURRENT
    language = interface_language()
    rules_text = consent.copying_rules(language, context().settings.rules.book_percent)
    return render_template("delivery/form.html", form=form, document=document, errors=errors or {},
                           problem=FORM_PROBLEMS.get(problem) if problem else None, verdict=verdict,
                           categories=CATEGORY_NAMES, consent_text=consent.text(consent.CURRENT, language),
                           rules_text=rules_text, max_length=MAX_LENGTH), status


def _field_errors(error: InvalidRequest) -> dict[str, str]:
    return {name: str(PROBLEMS.get(code, PROBLEMS["required"])) % values if values else
            str(PROBLEMS.get(code, PROBLEMS["required"])) for name, (code, values) in error.problems.items()}


def _send_letters(letter_ids: list[int]) -> None:
    """Send after the commit, without holding the catalog while the mail server answers."""
    if not letter_ids:
        return
    settings = context().settings
    with get_store().locked() as archive:
        claimed = archive.delivery.claim_letters(letter_ids)
    results = outbox.send_claimed(settings, claimed)
    with get_store().locked() as archive:
        errors = archive.delivery.record_sent(results)
    for error in errors:
        current_app.logger.warning("delivery letter not sent: %s", error)


@delivery.before_request
def limit_body():
    if request.method == "POST" and (request.content_length or 0) > MAX_BODY:
        abort(413)


@delivery.route("/request", methods=["GET", "POST"])
def request_form():
    if request.method == "GET":
        form = RequestForm(formdata=None)
        asked = request.args.get("document")
        if asked and parse_id(asked) is None:     # cannot name a document: negative, too large, not a number
            abort(404)
        document = _document(asked)
        if document:
            form.document_id.data = str(document.id)
            form.pages.data = (request.args.get("pages") or "")[:MAX_LENGTH["pages"]]
        return _render_form(form, document)
    form = RequestForm()
    document = _document(form.document_id.data)
    if not form.validate():
        return _render_form(form, document, 400, "csrf")
    if form.website.data:
        return _render_form(form, document, 400, "robot")
    wanted = RequestInput.from_mapping({name: getattr(form, name).data for name in (
        "name", "email", "phone", "category", "document_id", "cite_title", "cite_author", "cite_source", "cite_year",
        "cite_issue", "cite_pages", "pages", "purpose", "needed_by", "consent", "consent_version",
        "rules_acknowledged")} | {"language": interface_language()})
    problem = _fill_time_problem(form.started.data)
    if problem == "too_fast":
        # a person who sent a form with mistakes quickly is told the mistakes first, not "too fast"
        try:
            with get_store().catalog() as catalog:
                check(wanted, catalog.get)
        except InvalidRequest as error:
            return _render_form(form, document, 422, "invalid", _field_errors(error))
    if problem:
        return _render_form(form, document, 400 if problem == "robot" else 422, problem)
    settings = context().settings
    try:
        with get_store().locked() as archive:
            if document and not form.accept_exceeding.data:
                verdict = _verdict(archive.catalog, wanted, settings)
                if verdict is not None and not verdict.allowed:
                    return _render_form(form, document, 200, "exceeds", verdict=verdict)
            done = archive.delivery.submit(wanted, settings)
    except InvalidRequest as error:
        return _render_form(form, document, 422, "invalid", _field_errors(error))
    _send_letters(done.letters)
    with get_store().locked() as archive:      # (a repeated request: its first letter decides)
        mailed = any(letter["letter"] == "received" and letter["sent_at"]
                     for letter in archive.delivery.letters(done.request.id))
    session[SENT_KEY] = {"code": done.request.code, "created": done.created,
                         "exceeds": bool(done.request.exceeds_rules), "mailed": mailed}
    return redirect(url_for("delivery.sent"), 303)


def _verdict(catalog, wanted: RequestInput, settings: DeliverySettings) -> rules.RuleCheck | None:
    """The rules' verdict if the pages can be read; the full check comes with the submission."""
    from archive.delivery import pages as page_ranges

    try:
        document = catalog.get(parse_id(wanted.document_id) or 0)
        page_ranges.parse(wanted.pages, document.page_count)
    except (NotFound, ValueError):
        return None
    return rules.check(document, wanted.pages, settings.rules)


@delivery.get("/request/sent")
def sent():
    shown = session.get(SENT_KEY)
    if not shown:
        return redirect(url_for("delivery.lookup"))
    return render_template("delivery/sent.html", code=shown["code"], created=shown["created"],
                           exceeds=shown.get("exceeds"), mailed=shown.get("mailed", False))


@delivery.route("/request/status", methods=["GET", "POST"])
def lookup():
    form = LookupForm() if request.method == "POST" else LookupForm(formdata=None)
    if request.method == "GET":
        form.code.data = (request.args.get("code") or "")[:20]
        return render_template("delivery/lookup.html", form=form, problem=None)
    if not form.validate():
        return render_template("delivery/lookup.html", form=form, problem=FORM_PROBLEMS["csrf"]), 400
    code, email = (form.code.data or "")[:40], (form.email.data or "")[:MAX_LENGTH["email"]]
    try:
        with get_store().locked() as archive:
            found = archive.delivery.get_for_requester(code, email)
    except RequestNotFound:
        problem = _("No request has this code and this e-mail. Check both against the letter you received.")
        return render_template("delivery/lookup.html", form=form, problem=problem), 404
    session[SEEN_KEY] = {**session.get(SEEN_KEY, {}), found.code: found.email}
    return redirect(url_for("delivery.status", code=found.code), 303)


def _seen(code: str) -> model.DeliveryRequest:
    email = session.get(SEEN_KEY, {}).get(model.normalise_code(code))
    if not email:
        abort(redirect(url_for("delivery.lookup", code=code)))
    with get_store().locked() as archive:
        try:
            return archive.delivery.get_for_requester(code, email)
        except RequestNotFound:
            abort(redirect(url_for("delivery.lookup", code=code)))


@delivery.get("/request/status/<code>")
def status(code: str, problem: str | None = None, status_code: int = 200):
    found = _seen(code)
    with get_store().locked() as archive:
        messages = archive.delivery.notes(found.id, ("to_requester", "from_requester"))
        copies = archive.delivery.current_copy(found.id)
        # the newest letter with the link decides (after "send a new copy", an older one went)
        mailed = next((bool(letter["sent_at"]) for letter in reversed(archive.delivery.letters(found.id))
                       if letter["letter"] == "delivered"), False)
    # The requester who gave the code and e-mail gets the link again (a letter may be lost); the
    # copy's own limits still hold, whichever link is used.
    link = url_for("delivery.download", token=links.make_token(context().secret, copies["id"]), _external=True) \
        if links.usable(copies) else None
    return render_template("delivery/status.html", found=found, messages=messages, copy=copies, link=link, mailed=mailed,
                           status_names=STATUS_NAMES, reason_names=REASON_NAMES, form=MessageForm(formdata=None),
                           can_reply=found.status == WAITING, can_cancel=found.status in OPEN,
                           problem=problem), status_code


@delivery.post("/request/status/<code>/reply")
def reply(code: str):
    found = _seen(code)
    form = MessageForm()
    if not form.validate():
        return status(code, str(FORM_PROBLEMS["csrf"]), 400)
    try:
        with get_store().locked() as archive:
            archive.delivery.reply(found.code, found.email, (form.text.data or "")[:5000])
    except InvalidRequest as error:
        return status(code, next(iter(_field_errors(error).values())), 422)
    return redirect(url_for("delivery.status", code=found.code), 303)


@delivery.post("/request/status/<code>/cancel")
def cancel(code: str):
    found = _seen(code)
    if not MessageForm().validate():
        return status(code, str(FORM_PROBLEMS["csrf"]), 400)
    with get_store().locked() as archive:
        archive.delivery.cancel(found.code, model.REQUESTER, None, context().settings, email=found.email)
    return redirect(url_for("delivery.status", code=found.code), 303)


@delivery.get("/request/download/<token>")
def download(token: str):
    settings = context().settings
    try:
        with get_store().locked() as archive:
            taken = archive.delivery.take_download(context().secret, token[:500], settings.link_days)
    except (LinkExpired, LinkInvalid) as error:
        gone = isinstance(error, LinkExpired)
        return render_template("delivery/link.html", expired=gone), 410 if gone else 404
    response = send_file(taken.path, mimetype="application/pdf", as_attachment=True, download_name=taken.filename,
                         conditional=False, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Downloads-Left"] = str(taken.downloads_left)
    return response


@delivery.errorhandler(429)
def too_many(error):
    return render_template("delivery/limited.html"), 429


@delivery.errorhandler(413)
def too_large(error):
    return render_template("delivery/limited.html", too_large=True), 413


def init_app(app: Flask) -> None:
    """Add delivery to the reading room: the blueprint, its secret, CSRF, and the limit per address."""
    home = Home.resolve(app.config["OLKE_HOME"])
    live = LiveSettings(home, app.config.get("OLKE_DELIVERY"), app.logger.warning)
    secret = secret_key(home)
    for key, value in (("SECRET_KEY", secret), ("SESSION_COOKIE_SAMESITE", "Lax")):
        if not app.config.get(key):          # Flask's defaults are None
            app.config[key] = value
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 6 * 3600)
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://", default_limits=[],
                      key_prefix="olke-delivery")
    limiter.limit(lambda: context().settings.rate_limit, methods=["POST"])(delivery)
    app.extensions["olke_delivery"] = DeliveryContext(live, secret, limiter)
    app.register_blueprint(delivery)
    app.jinja_env.globals.update(category_names=CATEGORY_NAMES)
