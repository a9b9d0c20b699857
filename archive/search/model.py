"""What a search asks and what it answers, whatever engine answers it: the request (the words as
typed, and the filters), and the results (documents with their best pages and snippets, facet
counts, the terms to mark, a spelling suggestion). An engine implements ``SearchIndex.search``
(``archive.search.index``); Whoosh's lives in the other modules of this package.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from markupsafe import escape

from archive.errors import UsageError

SORTS = ("relevance", "date", "-date")
FACETS = ("kind", "language", "decade", "year", "source", "rubric", "library")
PHRASES = "phrases"      # in `terms`: the quoted phrases found, their words joined by a space


@dataclass
class SearchRequest:
    text: str = ""
    kind: str | None = None
    language: str | None = None
    source: str | None = None
    rubric: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    access: str | None = None
    library: str | None = None           # the holding library's code
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    fuzzy: bool = True
    filters_extra: dict = field(default_factory=dict)

    def validate(self) -> "SearchRequest":
        if self.sort not in SORTS:
            raise UsageError(f"unknown sort '{self.sort}'; use one of: {', '.join(SORTS)}")
        if self.page < 1 or not 1 <= self.per_page <= 100:
            raise UsageError("page must be 1 or more and per_page between 1 and 100")
        if len(self.text) > 500:
            raise UsageError("the query is longer than 500 characters; shorten it")
        return self


@dataclass
class PageHit:
    page: int
    score: float
    snippet: list[tuple[str, bool]]   # (text, is a matched word); none for pages not shown
    matches: int | None = None        # matched words on a page that is not shown (no text given)

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
    missing: list[str] = field(default_factory=list)   # query words its best page lacks (as typed)
    library: str = ""                                    # the holding library's code


@dataclass
class SearchResults:
    request: SearchRequest
    total_documents: int
    total_pages: int
    documents: list[DocumentHit]
    facets: dict[str, list[tuple[str, int]]]
    terms: dict[str, list[str]]          # the index words the query looked up and found (outside any
                                         # NOT), by field, and (under PHRASES) its quoted phrases whose
                                         # words the index has: what pages are marked by (as the
                                         # viewer's `highlight_terms` gives them)
    took_ms: float
    suggestion: str | None = None
    partial: bool = False               # some documents have no page with every word of the query
                                        # (they follow those that have one, listing the words they
                                        # lack): fewer complete documents than documents found
    complete_documents: int | None = None   # documents with every word of the query

    @property
    def matched_all(self) -> bool:
        return not self.partial

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total_documents // self.request.per_page))

    def as_dict(self) -> dict:
        data = asdict(self)
        data["matched_all"] = self.matched_all
        data["request"] = {k: v for k, v in asdict(self.request).items() if v not in (None, "", {})}
        for document in data["documents"]:
            for page in document["pages"]:
                page["snippet"] = "".join(f"<mark>{escape(t)}</mark>" if m else str(escape(t))
                                          for t, m in page["snippet"])
        data["facets"] = {k: [{"value": v, "count": c} for v, c in items] for k, items in self.facets.items()}
        return data
