"""Run a search: results grouped by document with their best pages, snippets and facet counts."""
from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field

from markupsafe import escape
from whoosh import highlight, sorting

from archive.search.analysis import HighlightAnalyzer, exact_analyzer, page_analyzer
from archive.search.index import WhooshIndex
from archive.search.query import SearchRequest, build
from archive.search.schema import FACETS, STEMMED_FIELDS
from archive.search.spelling import suggest

PAGES_PER_DOCUMENT = 3     # best page hits shown under each document
MAX_SCORED_PAGES = 1000    # pages scored for grouping; facet counts cover every match
HIGHLIGHT_FIELDS = (*STEMMED_FIELDS.values(), "exact")
_MARK_OPEN, _MARK_CLOSE = "\x02", "\x03"
_FACET_FIELDS = {"kind": "kind", "language": "language", "decade": "decade", "year": "year",
                 "source": "source_name", "rubric": "rubric_name"}


@dataclass
class PageHit:
    page: int
    score: float
    snippet: list[tuple[str, bool]]   # (text, is a matched word)

    @property
    def snippet_text(self) -> str:
        return "".join(f"[{t}]" if marked else t for t, marked in self.snippet)


@dataclass
class DocumentHit:
    doc_id: int
    title: str
    kind: str
    language: str
    published: str
    source: str
    access: str
    score: float
    pages: list[PageHit] = field(default_factory=list)
    matched_pages: int = 0


@dataclass
class SearchResults:
    request: SearchRequest
    total_documents: int
    total_pages: int
    documents: list[DocumentHit]
    facets: dict[str, list[tuple[str, int]]]
    terms: dict[str, list[str]]          # matched index terms by field, for highlighting pages
    took_ms: float
    suggestion: str | None = None

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total_documents // self.request.per_page))

    def as_dict(self) -> dict:
        data = asdict(self)
        data["request"] = {k: v for k, v in asdict(self.request).items() if v not in (None, "", {})}
        for document in data["documents"]:
            for page in document["pages"]:
                page["snippet"] = "".join(f"<mark>{escape(t)}</mark>" if m else str(escape(t))
                                          for t, m in page["snippet"])
        data["facets"] = {k: [{"value": v, "count": c} for v, c in items] for k, items in self.facets.items()}
        return data


class _SegmentFormatter(highlight.Formatter):
    between = " … "

    def format_token(self, text, token, replace=False):
        return _MARK_OPEN + highlight.get_text(text, token, replace) + _MARK_CLOSE

    def _text(self, text):
        return text


def _segments(html: str) -> list[tuple[str, bool]]:
    parts, marked = [], False
    for piece in re.sub(r"\s+", " ", html).replace(_MARK_CLOSE, _MARK_OPEN).split(_MARK_OPEN):
        if piece:
            parts.append((piece, marked))
        marked = not marked
    return parts


def snippet(text: str, language: str, terms: dict[str, set[str]], length: int = 220) -> list[tuple[str, bool]]:
    """The best fragment of a page's text with the matched words marked."""
    fragmenter = highlight.ContextFragmenter(maxchars=length, surround=60)
    attempts = [(page_analyzer(language), terms.get(STEMMED_FIELDS.get(language, ""), set())),
                (exact_analyzer(), terms.get("exact", set()))]
    for analyzer, wanted in attempts:
        if wanted:
            found = highlight.highlight(text, frozenset(wanted), HighlightAnalyzer(analyzer, wanted), fragmenter,
                                        _SegmentFormatter(), top=2)
            if found:
                return _segments(found)
    text = re.sub(r"\s+", " ", text)
    return [(text[:length].rsplit(" ", 1)[0] + (" …" if len(text) > length else ""), False)]


def matched_word_indexes(words: list[list], language: str | None, terms: dict[str, list[str]]) -> list[int]:
    """Which of a page's OCR words (``[text, x0, y0, x1, y1, conf]``) match the query terms."""
    fields = [STEMMED_FIELDS[language]] if language in STEMMED_FIELDS else list(STEMMED_FIELDS.values())
    stems = {t for f in fields for t in terms.get(f, [])}
    exact = set(terms.get("exact", []))
    analyzer, plain = page_analyzer(language or "auto"), exact_analyzer()
    hits = []
    for index, word in enumerate(words):
        tokens = {t.text for t in analyzer(word[0])}
        if tokens & stems or {t.text for t in plain(word[0])} & exact:
            hits.append(index)
    return hits


def search(index: WhooshIndex, request: SearchRequest) -> SearchResults:
    started = time.perf_counter()
    query = build(request)
    facets = {name: sorting.FieldFacet(_FACET_FIELDS[name], allow_overlap=(name == "rubric"))
              for name in FACETS}
    facets["doc"] = sorting.FieldFacet("doc_id")
    sortedby = None if request.sort == "relevance" else sorting.FieldFacet("published",
                                                                          reverse=request.sort == "-date")
    with index.searcher() as searcher:
        limit = max(MAX_SCORED_PAGES, request.page * request.per_page * PAGES_PER_DOCUMENT * 4)
        results = searcher.search(query, limit=limit, groupedby=facets, terms=True,
                                  sortedby=sortedby)
        doc_pages = results.groups("doc")
        doc_column = searcher.reader().column_reader("doc_id")
        facet_counts = {name: _distinct_documents(results.groups(name), doc_column) for name in FACETS}
        terms: dict[str, set[str]] = {}
        for fieldname, text in results.matched_terms() if results.has_matched_terms() else []:
            if fieldname in HIGHLIGHT_FIELDS:
                terms.setdefault(fieldname, set()).add(text.decode("utf-8") if isinstance(text, bytes) else text)
        ordered: dict[int, DocumentHit] = {}
        for hit in results:
            stored = hit.fields()
            score = round(hit.score, 3) if isinstance(hit.score, float) else 0.0
            doc_id = stored["doc_id"]
            document = ordered.get(doc_id)
            if document is None:
                document = ordered[doc_id] = DocumentHit(
                    doc_id, stored.get("title", ""), stored.get("kind", ""), stored.get("language", ""),
                    stored.get("published", ""), stored.get("source_name", ""), stored.get("access", ""),
                    score, matched_pages=len(doc_pages.get(doc_id, [])))
            if len(document.pages) < PAGES_PER_DOCUMENT:
                document.pages.append(PageHit(stored["page"], score,
                                              snippet(stored.get("exact", ""), stored.get("page_language"), terms)))
        suggestion = suggest(searcher, request.text) if request.text and len(ordered) < 3 else None
        start = (request.page - 1) * request.per_page
        documents = list(ordered.values())[start:start + request.per_page]
        total_pages = len(results)
    return SearchResults(request, len(doc_pages), total_pages, documents, facet_counts,
                         {k: sorted(v) for k, v in terms.items()}, round((time.perf_counter() - started) * 1000, 1),
                         suggestion)


def _distinct_documents(groups: dict, doc_column) -> list[tuple[str, int]]:
    counts = []
    for value, docnums in groups.items():
        if value in (None, "", 0):
            continue
        counts.append((str(value), len({doc_column[n] for n in docnums})))
    return sorted(counts, key=lambda item: (-item[1], item[0]))
