"""The reading room's HTML pages: home, results, browse, the document viewer and collections."""
from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _

from archive import corrections, discovery
from archive.metadata import pages_shown
from archive.search.analysis import other_town_names
from archive.search.model import SearchRequest
from archive.search.results import count_matches
from search_app import params, viewer
from search_app.citation import citation
from archive.errors import NotFound
from search_app.errors import PageNotFound
from search_app.files import IMAGE_WIDTHS, thumbnails_on_request
from search_app.oai import public_base_url
from search_app.store import get_store

reading = Blueprint("reading", __name__)
HOME_FACET_LIMIT = 12


@reading.app_context_processor
def libraries():
    """The libraries' names in the reader's language, only when the archive serves several (else empty:
    pages then say nothing of libraries)."""
    with get_store().locked() as archive:
        if not archive.libraries.several():
            return {"library_names": {}}
        return {"library_names": archive.libraries.names(str(get_locale()))}


@reading.app_template_global()
def library_name(code: str) -> str:
    """A library's name in the reader's language (for the macros, which see no context)."""
    return libraries()["library_names"].get(code, code)


def _overview():
    """Every document's facets: the browse lists of the home and browse pages."""
    return get_store().search(SearchRequest(per_page=1)).facets


@reading.get("/")
def home():
    store = get_store()
    with store.catalog() as catalog:
        holdings = catalog.holdings()
        recent = catalog.documents(limit=current_app.config["OLKE_RECENT"])
        found = store.archive.collections.all()
    return render_template("home.html", holdings=holdings, recent=recent, collections=found,
                           facets=_overview(), limit=HOME_FACET_LIMIT)


@reading.get("/browse")
def browse():
    return render_template("browse.html", facets=_overview())


@reading.get("/search")
def search():
    wanted = params.search_request(request.args, cut=True)
    cut = params.query(request.args)[1]
    results = get_store().search(wanted)
    typed = None
    # nothing found, and a correction is known: its results are shown (unless the reader asks for
    # the words as typed), as a reader on a Russian keyboard would want them
    if not results.documents and results.suggestion and request.args.get("as_typed") != "1":
        instead = replace(wanted, text=results.suggestion)
        corrected = get_store().search(instead)
        if corrected.documents:
            typed, wanted, results = wanted.text, instead, corrected
    if wanted.page > results.page_count:
        raise PageNotFound(_("There is no page %(page)s of these results: they end at page %(last)s.",
                             page=wanted.page, last=results.page_count))
    return render_template("results.html", search=wanted, results=results, typed=typed,
                           cut=params.MAX_QUERY if cut else None, towns=other_town_names(wanted.text, results.terms))


@reading.get("/documents/<int:document_id>")
@reading.get("/documents/<int:document_id>/pages/<int:page>")
def document(document_id: int, page: int | None = None):
    q = params.query(request.args)[0]
    zoom = params.zoom(request.args)
    if page is None and "page" in request.args:      # the "go to page" form
        wanted = params.integer(request.args, "page", 1, 1_000_000, 1)
        return redirect(url_for("reading.document", document_id=document_id, page=wanted, q=q,
                                zoom=zoom if zoom != 100 else None))
    page = 1 if page is None else page
    store = get_store()
    with store.catalog() as catalog:
        found = catalog.get(document_id)
        if not 1 <= page <= found.page_count:
            raise PageNotFound(_("This document has no page %(page)s; its pages are 1 to %(last)s.",
                                 page=page, last=found.page_count))
        shows_pages = pages_shown(found.access)
        shown = catalog.page(document_id, page) if shows_pages else None
        # a page a person corrected shows that, not the machine's confidence in what it replaced
        corrected = corrections.last_corrected(catalog, document_id, page) if shown else None
        # search inside the document: counted once per query and version of the document
        key = (str(store.home.root), document_id, found.updated_at, q)
        known = viewer.DOCUMENT_MATCHES.get(key) if q else None
        texts = [(p["number"], p["text"], p["language"]) for p in catalog.pages(document_id)] \
            if q and known is None else []
        pdf = catalog.files(document_id, "pdf")
        member_of = store.archive.collections.containing(document_id)
        if request.method == "GET":                  # HEAD requests are not readers
            store.archive.usage.record(document_id, "view")
    languages = known[0] if known else {language or found.language for _, _, language in texts} if texts else \
        {shown["language"] or found.language} if shown else None
    terms = viewer.query_terms(store, q, languages)
    common = dict(document=found, q=q, zoom=zoom, zooms=params.ZOOMS, image_widths=IMAGE_WIDTHS,
                  citation=citation(found), pdf_size=sum(f["size_bytes"] for f in pdf), collections=member_of,
                  thumbnails=viewer.thumbnail_window(page, found.page_count),
                  citation_meta=discovery.citation_meta(found, public_base_url()), public_url=public_base_url(),
                  schema_org=discovery.schema_org(found, public_base_url()))
    # the pages that match and how often (for an on_request document that is all it shows)
    matches = known[1] if known else [(number, count) for number, text, language in texts
                                      if (count := count_matches(text, language or found.language, terms))]
    if q and not known:
        viewer.DOCUMENT_MATCHES.put(key, (languages, matches))
    if not shows_pages:
        return render_template("document.html", page={"number": page}, shows_pages=False, matches=matches,
                               thumbnails_shown=thumbnails_on_request(), **common)
    language = shown["language"] or found.language
    return render_template(
        "document.html", page=shown, shows_pages=True, matches=matches, corrected=corrected,
        boxes=viewer.boxes(shown["words"], language, terms),
        text=viewer.marked_paragraphs(shown["text"], language, terms), **common)


@reading.get("/collections")
def collection_list():
    with get_store().locked() as archive:
        found = archive.collections.all()
    return render_template("collections.html", collections=found)


@reading.get("/collections/<name>")
def collection(name: str):
    with get_store().locked() as archive:
        found = archive.collections.get(name)
        members = [archive.catalog.get(i) for i in found.document_ids]
    return render_template("collection.html", collection=found, documents=members)


@reading.get("/libraries/<code>")
def library(code: str):
    """A library of the system: what it holds, what it added lately, the collections with its documents."""
    store = get_store()
    with store.locked() as archive:
        if not archive.libraries.several():
            raise PageNotFound(_("There is no such page."))
        try:
            found = archive.libraries.get(code)
        except NotFound:
            raise PageNotFound(_("There is no such library in the archive.")) from None
        documents = archive.catalog.documents(library=code)
        recent = [archive.catalog.get(i) for i in archive.libraries.recent(code, current_app.config["OLKE_RECENT"])]
        held = {d.id for d in documents}
        collections = [c for c in archive.collections.all() if held & set(c.document_ids)]
    by_kind: dict[str, tuple[int, int]] = {}
    for d in documents:
        before = by_kind.get(d.kind, (0, 0))
        by_kind[d.kind] = (before[0] + 1, before[1] + d.page_count)
    return render_template("library.html", library=found, documents=len(documents),
                           pages=sum(d.page_count for d in documents), by_kind=by_kind, recent=recent,
                           collections=collections)
