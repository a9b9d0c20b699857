"""Pages to check: the pages OCR was unsure of, worst first, and correcting them.

``/review`` lists the pages that need a look (failed before doubtful, the worst reason and the
lowest confidence first). ``/review/ID/N`` shows the page image beside its text, line by line,
with the words read with low confidence marked; a corrector fixes lines, adds text the reading
missed, reads the page again another way (the new reading is shown to keep or leave), or accepts
the reading. ``/documents/ID`` shows a document's pages with their verdicts.

A library's staff see and correct only the pages of the documents their library holds (another
library's are not found); the system's administrator sees every library's.

These pages speak Kazakh, Russian and English from the reading room's catalogs
(``search_app/translations``), like the rest of the staff app (its default domain reads the same
catalogs); this module names them through a domain of its own, as it did before the rest was translated.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import Domain
from itsdangerous import BadSignature, URLSafeSerializer

from archive import corrections
from archive.errors import NotFound, OlkeError, UsageError
from archive.lines import DOUBTFUL_WORD, group_lines
from archive.pages import page_as_dict, page_from_dict
from archive.reader import WAYS
from archive.vocabulary import INTERFACE_LANGUAGES
from search_app.store import get_store

review = Blueprint("review", __name__)
CATALOGS = Domain(translation_directories=[str(Path(__file__).resolve().parent.parent / "translations")])
_ = CATALOGS.gettext
QUEUE_SHOWN = 200
LINE_LIMIT = 2000       # characters of one line field


def reason_names() -> dict[str, str]:
    return {"no_text": _("no text where there is ink"), "sparse_text": _("little text for the ink on the page"),
            "low_confidence": _("low confidence"), "columns_uncertain": _("columns uncertain"),
            "language_mismatch": _("language not the document's")}


def verdict_names() -> dict[str, str]:
    return {"ok": _("ok"), "doubtful": _("doubtful"), "failed": _("failed"), None: _("not judged")}


def way_names() -> dict[str, str]:
    return {"deskew": _("straighten the page"), "clean": _("clean scanning noise"),
            "osd": _("detect the page's orientation")}


def action_names() -> dict[str, str]:
    return {"corrected": _("corrected"), "accepted": _("accepted"), "reread": _("read again, new reading kept")}


def page(template: str, status: int = 200, **context):
    """Render with this module's catalogs (``_`` in the templates, base.html included)."""
    return render_template(template, _=_, ngettext=CATALOGS.ngettext, reason_names=reason_names(),
                           verdict_names=verdict_names(), way_names=way_names(), action_names=action_names(),
                           doubtful_below=DOUBTFUL_WORD, languages=INTERFACE_LANGUAGES, **context), status


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="olke-reread")


def _fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _library() -> str | None:
    """The signed-in user's library (None: the system's administrator, who sees all)."""
    return g.user.get("library")


def _mine(catalog, document_id: int):
    """The document, if the signed-in user's library holds it (or they administer the system); another
    library's document is not found, as the requests of another library are not."""
    document = catalog.get(document_id)
    if _library() is not None and document.library != _library():
        raise NotFound(f"no document {document_id} in the archive; see `olke list`")
    return document


@review.get("/review")
def queue():
    with get_store().catalog() as catalog:
        found = corrections.queue(catalog, library=_library())
    return page("staff/review_queue.html", found=found[:QUEUE_SHOWN], total=len(found))


def _next_after(document_id: int, number: int) -> tuple[int, int] | None:
    """The page to check after this one in the queue's order (the first, when this one left it)."""
    with get_store().catalog() as catalog:
        found = [(p.document_id, p.number) for p in corrections.queue(catalog, library=_library())]
    if (document_id, number) in found:
        position = found.index((document_id, number))
        rest = found[position + 1:] or found[:position]
        return rest[0] if rest else None
    return found[0] if found else None


def _correction_page(document_id: int, number: int, reading=None, ways=(), status: int = 200):
    with get_store().catalog() as catalog:
        document = _mine(catalog, document_id)
        shown = corrections.page(catalog, document_id, number)
        earlier = corrections.history(catalog, document_id, number)
        has_image = any(f["page"] == number for f in catalog.files(document_id, "page_image"))
        has_original = bool(catalog.files(document_id, "original"))
        position = [(p.document_id, p.number) for p in corrections.queue(catalog, library=_library())]
    lines = group_lines(shown["words"])
    kept = None
    if reading is not None:
        kept = _signer().dumps({"document": document_id, "page": number, "based_on": _fingerprint(shown["text"]),
                                "ways": sorted(ways), "reading": page_as_dict(reading)})
    place = position.index((document_id, number)) + 1 if (document_id, number) in position else None
    doubtful = sum(marked for line in lines for _word, _confidence, marked in line.marked())
    return page("staff/review_page.html", status, document=document, shown=shown, lines=lines, doubtful=doubtful,
                has_image=has_image, has_original=has_original, earlier=earlier, reading=reading,
                reading_lines=group_lines([w.as_row() for w in reading.words]) if reading else [],
                kept=kept, ways=ways, all_ways=WAYS, place=place, waiting=len(position),
                next_page=_next_after(document_id, number))


@review.get("/review/<int:document_id>/<int:number>")
def show(document_id: int, number: int):
    return _correction_page(document_id, number)


@review.get("/review/<int:document_id>/<int:number>/image")
def image(document_id: int, number: int):
    with get_store().catalog() as catalog:
        _mine(catalog, document_id)
        path = catalog.file_path(document_id, "page_image", number)
    response = send_file(path, mimetype="image/jpeg" if path.suffix.lower() in (".jpg", ".jpeg") else None,
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _done(document_id: int, number: int, message: str):
    flash(message, "done")
    following = _next_after(document_id, number)
    if following is None:
        return redirect(url_for("review.queue"), 303)
    return redirect(url_for("review.show", document_id=following[0], number=following[1]), 303)


def _failed(document_id: int, number: int, error: OlkeError):
    flash(error.message, "error")
    return redirect(url_for("review.show", document_id=document_id, number=number), 303)


@review.post("/review/<int:document_id>/<int:number>/correct")
def correct(document_id: int, number: int):
    lines = [line[:LINE_LIMIT] for line in request.form.getlist("line")][:5000]
    extra = (request.form.get("extra") or "")[:corrections.MAX_TEXT].splitlines()
    store = get_store()
    try:
        with store.catalog() as catalog:
            _mine(catalog, document_id)
            store.archive.correct_page(document_id, number, lines, g.user["name"], extra)
    except OlkeError as error:
        return _failed(document_id, number, error)
    return _done(document_id, number, _("Page %(page)s of document %(document)s is corrected.", page=number,
                                        document=document_id))


@review.post("/review/<int:document_id>/<int:number>/accept")
def accept(document_id: int, number: int):
    store = get_store()
    try:
        with store.catalog() as catalog:
            _mine(catalog, document_id)
            store.archive.accept_page(document_id, number, g.user["name"])
    except OlkeError as error:
        return _failed(document_id, number, error)
    return _done(document_id, number, _("Page %(page)s of document %(document)s is accepted as read.", page=number,
                                        document=document_id))


@review.post("/review/<int:document_id>/<int:number>/reread")
def reread(document_id: int, number: int):
    """Read the page again another way and show the new reading beside the current one."""
    ways = {w for w in request.form.getlist("way") if w in WAYS}
    store = get_store()
    reader = store.archive.reader
    try:
        with store.catalog() as catalog:
            _mine(catalog, document_id)
            source = reader.locate_page(catalog, document_id, number)
        reading = reader.read_page(store.home, source, number, ways)
    except OlkeError as error:
        return _failed(document_id, number, error)
    return _correction_page(document_id, number, reading, ways)


@review.post("/review/<int:document_id>/<int:number>/keep")
def keep(document_id: int, number: int):
    try:
        held = _signer().loads(request.form.get("reading") or "")
    except BadSignature:
        abort(400, _("The new reading did not come from this app; read the page again."))
    if held.get("document") != document_id or held.get("page") != number:
        abort(400, _("The new reading is of another page; read this page again."))
    store = get_store()
    try:
        with store.catalog() as catalog:
            _mine(catalog, document_id)
            if _fingerprint(corrections.page(catalog, document_id, number)["text"]) != held["based_on"]:
                raise UsageError(_("The page changed after it was read again; read it again."))
            store.archive.keep_reading(document_id, number, page_from_dict(held["reading"]),
                                       g.user["name"], {"ways": held["ways"]})
    except OlkeError as error:
        return _failed(document_id, number, error)
    flash(_("The new reading of page %(page)s of document %(document)s is kept.", page=number,
            document=document_id), "done")
    return redirect(url_for("review.show", document_id=document_id, number=number), 303)


@review.get("/documents/<int:document_id>")
def document(document_id: int):
    with get_store().catalog() as catalog:
        shown = _mine(catalog, document_id)
        pages = catalog.pages(document_id)
        earlier = corrections.history(catalog, document_id)
    for p in pages:
        p["reasons"] = json.loads(p["verdict_reasons"])
    return page("staff/review_document.html", document=shown, pages=pages, earlier=earlier)
