"""Citations for reference managers (RIS, BibTeX) of one document or of a page of results.

``/documents/ID.ris`` and ``.bib``; ``/search.ris`` and ``/search.bib`` take the parameters of
``/search`` and give the documents of that results page (``per_page`` up to MAX_EXPORT).
Descriptions only: on_request documents are cited like any other.
"""
from __future__ import annotations

from flask import Blueprint, Response, request

from archive import citations
from search_app import params
from search_app.oai import public_base_url
from search_app.store import get_store

exports = Blueprint("exports", __name__)
MAX_EXPORT = 100
FORMATS = {"ris": ("application/x-research-info-systems", citations.ris),
           "bib": ("application/x-bibtex", citations.bibtex)}


def _answer(documents, fmt: str, name: str) -> Response:
    mimetype, write = FORMATS[fmt]
    return Response(write(documents, public_base_url()), mimetype=f"{mimetype}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


@exports.get("/documents/<int:document_id>.<any(ris, bib):fmt>")
def document(document_id: int, fmt: str):
    with get_store().catalog() as catalog:
        found = catalog.get(document_id)
    return _answer([found], fmt, citations.file_stem(found))


@exports.get("/search.<any(ris, bib):fmt>")
def results(fmt: str):
    wanted = params.search_request(request.args, per_page=params.integer(request.args, "per_page", 1, MAX_EXPORT))
    found = get_store().search(wanted)
    with get_store().catalog() as catalog:
        documents = [catalog.get(hit.doc_id) for hit in found.documents]
    return _answer(documents, fmt, "olke-search")
