"""The JSON API: the same data as the pages, for scripts and other catalogues.

``/api/search`` takes the parameters of ``/search``, and ``per_page`` (documents a page, 1 to
MAX_PER_PAGE; the reading room's number by default); ``/api/documents/<id>`` gives a document's
description, citation, pages (text, confidence, language) and the addresses of its files. The
pages of ``on_request`` documents come without text, snippets or image addresses: a search names
them and how many words on each matched (``matches``).
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _
from markupsafe import escape

from archive import rubrics
from archive.metadata import pages_shown
from archive.search.analysis import other_town_names
from search_app import params
from search_app.citation import citation
from search_app.errors import PageNotFound
from search_app.files import thumbnails_on_request
from search_app.store import get_store
from search_app.urls import request_copy_url

api = Blueprint("api", __name__)
PRIVATE_FIELDS = ("scan_sha256", "digitised_by", "status")   # kept for staff, not shown to the public
MAX_PER_PAGE = 100


def _snippet_html(segments) -> str:
    return "".join(f"<mark>{escape(t)}</mark>" if marked else str(escape(t)) for t, marked in segments)


def _page_urls(document_id: int, number: int, access: str, q: str | None = None) -> dict:
    urls = {"html": url_for("reading.document", document_id=document_id, page=number, q=q or None, _external=True)}
    if pages_shown(access):
        urls["image"] = url_for("files.page_image", document_id=document_id, page=number, _external=True)
    if pages_shown(access) or thumbnails_on_request():
        urls["thumbnail"] = url_for("files.thumbnail", document_id=document_id, page=number, _external=True)
    if pages_shown(access):
        urls["pdf"] = url_for("files.page_pdf", document_id=document_id, page=number, _external=True)
    return urls


def _document_urls(document_id: int, access: str) -> dict:
    urls = {"html": url_for("reading.document", document_id=document_id, _external=True),
            "api": url_for("api.document", document_id=document_id, _external=True)}
    if pages_shown(access):
        urls["pdf"] = url_for("files.document_pdf", document_id=document_id, _external=True)
    else:
        urls["request"] = request_copy_url(document_id, external=True)
    return urls


@api.get("/search")
def search():
    wanted = params.search_request(request.args, per_page=params.integer(request.args, "per_page", 1, MAX_PER_PAGE))
    results = get_store().search(wanted)
    if wanted.page > results.page_count:
        raise PageNotFound(_("There is no page %(page)s of these results: they end at page %(last)s.",
                             page=wanted.page, last=results.page_count))
    data = results.as_dict()
    data["page_count"] = results.page_count
    data["town_names"] = other_town_names(wanted.text, results.terms)    # also searched (as the page says)
    data["rubric_names"] = {key: {language: rubrics.label(key, language) for language in ("kk", "ru", "en")}
                            for key, _ in results.facets.get("rubric", [])}   # the facet counts subjects by key
    for hit, shown in zip(results.documents, data["documents"]):
        shown["urls"] = _document_urls(hit.doc_id, hit.access)
        for page_hit, page in zip(hit.pages, shown["pages"]):
            page["snippet"] = _snippet_html(page_hit.snippet)
            page["segments"] = [{"text": t, "marked": m} for t, m in page_hit.snippet]
            if page_hit.matches is None:
                del page["matches"]
            page["urls"] = _page_urls(hit.doc_id, page_hit.page, hit.access, wanted.text)
    links = {"html": url_for("reading.search", **request.args.to_dict(), _external=True)}
    if wanted.page < results.page_count:
        links["next"] = url_for("api.search", **(request.args.to_dict() | {"page": wanted.page + 1}), _external=True)
    if wanted.page > 1:
        links["prev"] = url_for("api.search", **(request.args.to_dict() | {"page": wanted.page - 1}), _external=True)
    data["links"] = links
    return jsonify(data)


@api.get("/documents/<int:document_id>")
def document(document_id: int):
    with get_store().locked() as archive:
        found = archive.catalog.get(document_id)
        pages = archive.catalog.pages(document_id)
        member_of = [c.name for c in archive.collections.containing(document_id)]
    description = {k: v for k, v in found.as_dict().items() if k not in PRIVATE_FIELDS}
    return jsonify({
        "document": description,
        "citation": citation(found),
        "collections": member_of,
        "urls": _document_urls(document_id, found.access),
        "pages": [{"number": p["number"], **({"text": p["text"]} if pages_shown(found.access) else {}),
                   "confidence": p["confidence"], "language": p["language"], "width_pt": p["width_pt"],
                   "height_pt": p["height_pt"], "urls": _page_urls(document_id, p["number"], found.access)}
                  for p in pages],
    })
