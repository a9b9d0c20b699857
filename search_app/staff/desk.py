"""The staff desk: the queue of requests with filters, one request's page, and what staff do to it."""
from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _
from werkzeug.utils import secure_filename

from archive import metadata
from archive.catalog import parse_id
from archive.errors import NotFound, OlkeError
from archive.metadata import Description
from archive.delivery import outbox, rules
from archive.vocabulary import KINDS, LABELS, OPEN, REFUSAL_REASONS, STATUSES
from archive.storage import new_staging_dir
from search_app.staff.auth import people
from search_app.staff.words import explain, history, mail_error, rules_message
from search_app.store import get_store

desk = Blueprint("desk", __name__)
SCAN_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")


def _settings():
    return current_app.extensions["olke_staff"]["settings"].get()   # as delivery.toml says now


def _secret() -> str:
    return current_app.extensions["olke_staff"]["secret"]


def _desk(archive):
    """The requests the signed-in user may see and act on: their library's, or all for the administrator."""
    return archive.delivery.scoped(g.user.get("library"))


def _send(letter_ids: list[int]) -> list:
    """Send the letters after the commit, without holding the catalog while the mail server answers;
    returns the errors of those the server did not take."""
    if not letter_ids:
        return []
    with get_store().locked() as archive:
        claimed = archive.delivery.claim_letters(letter_ids)
    results = outbox.send_claimed(_settings(), claimed)
    with get_store().locked() as archive:
        return list(archive.delivery.record_sent(results))


@desk.get("/")
def queue():
    status = request.args.get("status", "open")
    statuses = OPEN if status == "open" else (() if status == "all" else (status,) if status in STATUSES else OPEN)
    older = request.args.get("older", "")
    who = request.args.get("who", "")
    with get_store().locked() as archive:
        found = _desk(archive).queue(statuses, overdue=request.args.get("overdue") == "1",
                                       older_than_days=int(older) if re.fullmatch(r"[0-9]{1,5}", older) else None,
                                       assigned_to=g.user["name"] if who == "mine" else None,
                                       unassigned=who == "unassigned")
    return render_template("staff/queue.html", found=found, status=status, older=older, who=who,
                           overdue=request.args.get("overdue") == "1", statuses=STATUSES, labels=LABELS,
                           today=date.today())


@desk.get("/requests/<code>")
def show(code: str):
    with get_store().locked() as archive:
        desk = _desk(archive)
        found = desk.get(code)
        document = None
        if found.document_id:
            try:
                document = archive.catalog.get(found.document_id)
            except NotFound:
                document = None
        verdict = rules.check(document, found.pages, _settings().rules) if document or not found.document_id \
            else None
        earlier = desk.earlier_fulfilment(found.document_id, found.pages, found.id) if found.document_id else None
        context = {"events": history(desk.history(found.id), people()), "notes": desk.notes(found.id),
                   "letters": desk.letters(found.id), "staff_names": archive.staff.active_names(),
                   "copies": desk.copies(found.id),
                   "library_names": archive.libraries.names(str(get_locale())) if archive.libraries.several() else {}}
    return render_template("staff/request.html", found=found, document=document, verdict=verdict, earlier=earlier,
                           rules_text=rules_message(verdict) if verdict else "",
                           labels=LABELS, reasons=REFUSAL_REASONS, kinds=KINDS, today=date.today(),
                           public_url=_settings().public_url.rstrip("/"), **context)


def _act(code: str, action, success: str, unsent: str | None = None):
    """Run one action on the request; its error (which says what to do) is shown on the request's page.
    ``unsent`` replaces ``success`` when a letter it announces was not sent (the error follows it)."""
    try:
        with get_store().locked() as archive:
            letters = action(_desk(archive))
    except OlkeError as error:
        flash(explain(error), "error")
    else:
        errors = _send(letters if isinstance(letters, list) else [])
        flash(unsent if errors and unsent else success, "done")
        for error in errors:
            flash(_("The letter was not sent: %(error)s", error=mail_error(error)), "error")
    return redirect(url_for("desk.show", code=code), 303)


def _text(name: str = "text", limit: int = 5000) -> str:
    return (request.form.get(name) or "")[:limit]


@desk.post("/requests/<code>/claim")
def claim(code: str):
    return _act(code, lambda desk: desk.claim(code, g.user["name"]) and [], _("The request is yours now."))


@desk.post("/requests/<code>/assign")
def assign(code: str):
    to = _text("to", 64)
    return _act(code, lambda desk: desk.assign(code, to, g.user["name"]) and [],
                _("Assigned to %(name)s.", name=people().get(to, to)))


@desk.post("/requests/<code>/note")
def note(code: str):
    return _act(code, lambda desk: desk.add_note(code, g.user["name"], _text()) or [], _("Note added."))


@desk.post("/requests/<code>/ask")
def ask(code: str):
    return _act(code, lambda desk: desk.ask(code, g.user["name"], _text(), _settings()),
                _("The question was sent; the request waits for the answer."),
                _("The question is saved and the request waits for the answer, but the letter has not gone yet."))


@desk.post("/requests/<code>/refuse")
def refuse(code: str):
    return _act(code, lambda desk: desk.refuse(code, g.user["name"], _text("reason", 40), _text(), _settings()),
                _("The request is refused and the requester told."),
                _("The request is refused, but the letter telling the requester has not gone yet."))


@desk.post("/requests/<code>/pass-on")
def pass_on(code: str):
    return _act(code, lambda desk: desk.pass_on(code, g.user["name"], _text("library", 40), _text(), _settings()),
                _("The request is passed on to the other library and the requester told."),
                _("The request is passed on to the other library, but the letter telling the requester has not gone "
                  "yet."))


@desk.post("/requests/<code>/send-outside")
def send_outside(code: str):
    return _act(code, lambda desk: desk.send_outside(code, g.user["name"], _text("to", 300), _text(), _settings()),
                _("The request is recorded as sent outside the system and the requester told."),
                _("The request is recorded as sent outside the system, but the letter telling the requester has "
                  "not gone yet."))


@desk.post("/requests/<code>/cancel")
def cancel(code: str):
    return _act(code, lambda desk: desk.cancel(code, g.user["name"], _text(), _settings()),
                _("The request is cancelled."))


@desk.post("/requests/<code>/fulfil")
def fulfil_request(code: str):
    pages = _text("pages", 100)
    document_id = _text("document_id", 12)

    def deliver(desk):
        done = desk.fulfil(code, g.user["name"], _settings(), _secret(), pages, parse_id(document_id))
        return done.letters

    return _act(code, deliver, _("Delivered: the stamped copy is ready and the link was sent."),
                _("Delivered: the stamped copy is ready, but the letter with its link has not gone yet."))


@desk.post("/requests/<code>/upload")
def upload(code: str):
    """Archive a fresh scan (it enters the archive like any ingest), then deliver from it."""
    files = [f for f in request.files.getlist("scan") if f and f.filename]
    if not files or any(Path(f.filename).suffix.lower() not in SCAN_SUFFIXES for f in files):
        flash(_("Choose the scan: one PDF, or page images (PNG, JPEG, TIFF)."), "error")
        return redirect(url_for("desk.show", code=code), 303)
    store = get_store()
    folder = new_staging_dir(store.home)
    try:
        saved = []
        for number, item in enumerate(files, start=1):
            name = secure_filename(item.filename) or f"scan{Path(item.filename).suffix.lower()}"
            path = folder / "scan" / f"{number:04d}-{name}"
            path.parent.mkdir(exist_ok=True)
            item.save(path)
            saved.append(path)

        def archive_and_deliver(desk):
            found = desk.get(code)
            description = Description.from_mapping({
                "kind": _text("kind", 20) or "other", "title": _text("title", 1000) or found.title,
                "language": _text("language", 5) or "auto", "access": _text("access", 12) or "on_request",
                "authors": found.cite_author, "source": found.cite_source, "issue": found.cite_issue,
                "source_pages": found.cite_pages if metadata.valid_source_pages(found.cite_pages) else None,
                "library": found.library})
            scan = saved if len(saved) == 1 else [folder / "scan"]
            document_id = store.archive.add_scan(scan, description, g.user["name"])
            flash(_("The scan is archived as document %(num)s.", num=document_id), "done")
            return desk.fulfil(code, g.user["name"], _settings(), _secret(), _text("pages", 100),
                               document_id).letters

        return _act(code, archive_and_deliver, _("Delivered from the fresh scan."),
                    _("Delivered from the fresh scan, but the letter with its link has not gone yet."))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
