"""Run a search: results grouped by document with their best pages, snippets and facet counts."""
from __future__ import annotations

import re
import time
from collections.abc import Iterable

import numpy as np
from whoosh import highlight

from archive.metadata import pages_shown
from archive.search import engine, matching
from archive.search.analysis import exact_analyzer, highlight_analyzer, page_analyzer
from archive.search.model import FACETS, PHRASES, DocumentHit, PageHit, SearchRequest, SearchResults
from archive.search.schema import STEMMED_FIELDS
from archive.search.spelling import suggest

PAGES_PER_DOCUMENT = 3     # best page hits shown under each document
HIGHLIGHT_FIELDS = (*STEMMED_FIELDS.values(), "exact")
_MARK_OPEN, _MARK_CLOSE = "\x02", "\x03"
_FACET_FIELDS = {"kind": "kind", "language": "language", "decade": "decade", "year": "year",
                 "source": "source_name", "rubric": "rubric_name"}


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


def _stems(language: str | None, terms: dict) -> set[str]:
    """The stems looked up in the stemmed field of a page of `language` (of both, if unknown)."""
    fields = [STEMMED_FIELDS[language]] if language in STEMMED_FIELDS else STEMMED_FIELDS.values()
    return set().union(*(terms.get(f, ()) for f in fields))


def exact_hits(tokens: list[str], exact: set[str], phrases: Iterable[str]) -> list[bool]:
    """Which of a text's unstemmed `tokens` to mark: the words of each quoted phrase (words joined
    by a space) only where the whole phrase stands, other `exact` words wherever they are."""
    phrases = [phrase.split(" ") for phrase in phrases]
    in_phrases = {word for phrase in phrases for word in phrase}
    hits = [token in exact and token not in in_phrases for token in tokens]
    for phrase in phrases:
        n = len(phrase)
        for i, token in enumerate(tokens[:len(tokens) - n + 1]):
            if token == phrase[0] and tokens[i:i + n] == phrase:
                hits[i:i + n] = [True] * n
    return hits


class _HitAnalyzer:
    """For `whoosh.highlight.highlight`: a token per word of the text, named by what it matches in
    `wanted` (its stem, or ``EXACT`` + the word where `exact_hits` marks it), or by nothing that is.
    Distinct names keep Whoosh's preference for fragments with more of the query's words."""

    EXACT, NOTHING = "\x01", "\x00"

    def __init__(self, language: str | None, terms: dict):
        self.stems = _stems(language, terms)
        self.exact = set(terms.get("exact", ()))
        self.phrases = terms.get(PHRASES, ())
        self.language = language
        self.wanted = frozenset(self.stems | {self.EXACT + word for word in self.exact})

    def __call__(self, text: str, **kwargs):
        kwargs["chars"] = True
        stemmed = highlight_analyzer(self.language, self.stems)(text, **kwargs) if self.stems else ()
        if not self.exact:                      # the usual case: one pass, stems only
            yield from stemmed
            return
        stem_hits = {t.startchar: t.text for t in stemmed if t.text in self.stems}
        tokens = [t.copy() for t in exact_analyzer()(text, **kwargs)]
        for token, hit in zip(tokens, exact_hits([t.text for t in tokens], self.exact, self.phrases)):
            token.text = stem_hits.get(token.startchar) or (self.EXACT + token.text if hit else self.NOTHING)
            yield token


def snippet(text: str, language: str, terms: dict, length: int = 220) -> list[tuple[str, bool]]:
    """The best fragment of a page's text with the matched words marked."""
    analyzer = _HitAnalyzer(language, terms)
    if analyzer.wanted:
        fragmenter = highlight.ContextFragmenter(maxchars=length, surround=60)
        found = highlight.highlight(text, analyzer.wanted, analyzer, fragmenter, _SegmentFormatter(), top=2)
        if found:
            return _segments(found)
    text = re.sub(r"\s+", " ", text)
    return [(text[:length].rsplit(" ", 1)[0] + (" …" if len(text) > length else ""), False)]


def matched_word_indexes(words: list[list], language: str | None, terms: dict[str, list[str]]) -> list[int]:
    """Which of a page's OCR words (``[text, x0, y0, x1, y1, conf]``) match the query terms."""
    stems = _stems(language, terms)
    analyzer, plain = page_analyzer(language or "auto"), exact_analyzer()
    hits = {index for index, word in enumerate(words) if stems and {t.text for t in analyzer(word[0])} & stems}
    exact = set(terms.get("exact", []))
    if exact:
        owners, tokens = [], []
        for index, word in enumerate(words):
            for token in plain(word[0]):
                owners.append(index)
                tokens.append(token.text)
        marked = exact_hits(tokens, exact, terms.get(PHRASES, ()))
        hits.update(owner for owner, hit in zip(owners, marked) if hit)
    return sorted(hits)


def search(index, request: SearchRequest) -> SearchResults:
    """Every matching page is found and counted; only the pages shown are read and highlighted.
    ``index`` is the ``WhooshIndex`` that asks (``WhooshIndex.search``): its searcher is used."""
    started = time.perf_counter()
    with index.searcher() as searcher:
        pages = engine.view(searcher)
        found = matching.evaluate(searcher, request, pages)      # with pages lacking some words
        matches, missed = found.matches, found.missed
        doc_of_page = pages.numeric("doc_id")[matches.ids]
        # group by document: its pages best first (more of the words, then score), the best page
        # standing for the document
        order = np.lexsort((matches.ids, -matches.scores, missed, doc_of_page))
        grouped = doc_of_page[order]
        starts = engine.run_starts(grouped)
        counts = np.diff(np.r_[starts, len(order)])
        best = order[starts]
        best_pages, best_scores = matches.ids[best], matches.scores[best]
        ranking = _rank(pages, request.sort, best_pages, best_scores, grouped[starts], missed[best])
        facet_counts = {name: _facet(pages, _FACET_FIELDS[name], best_pages, many=(name == "rubric"))
                        for name in FACETS}
        first = (request.page - 1) * request.per_page
        shown = [(order[starts[i]:starts[i] + min(counts[i], PAGES_PER_DOCUMENT)], counts[i])
                 for i in ranking[first:first + request.per_page]]
        terms = _matched_terms(found.terms, matches.ids)
        phrases = {" ".join(words) for fieldname, words in found.phrases
                   if set(words) <= terms.get(fieldname, set())}
        if phrases:
            terms[PHRASES] = phrases
        documents = [_document_hit(searcher, matches, positions, int(count), terms)
                     for positions, count in shown]
        for document, (positions, _) in zip(documents, shown):
            document.missing = found.missing(int(matches.ids[positions[0]]))
        suggestion = suggest(searcher, request.text) if request.text and len(best) < 3 else None
    return SearchResults(request, len(best), len(matches), documents, facet_counts,
                         {k: sorted(v) for k, v in terms.items()}, round((time.perf_counter() - started) * 1000, 1),
                         suggestion, partial=found.partial, complete_documents=int((missed[best] == 0).sum()))


def _rank(pages: engine.View, sort: str, best_pages, best_scores, doc_ids, missed):
    """Documents in the order asked for: by their best page's score, or by date (undated last);
    those with all the words first, then by fewer words missing."""
    if sort == "relevance":
        return np.lexsort((doc_ids, -best_scores, missed))
    _, ordinals = pages.values("published")
    dated = ordinals[best_pages]
    key = np.where(dated < 0, np.iinfo(np.int64).max, dated) if sort == "date" else -dated
    return np.lexsort((-best_scores, key, missed))


def _facet(pages: engine.View, fieldname: str, best_pages, many: bool) -> list[tuple[str, int]]:
    """Documents per value among all matches (each document counted once, through its best page)."""
    if many:
        chosen = np.zeros(pages.size, dtype=bool)
        chosen[best_pages] = True
        counted = [(label, int(chosen[ids].sum())) for label, ids in pages.multi(fieldname).items()]
    else:
        labels, ordinals = pages.values(fieldname)
        values = ordinals[best_pages]
        tally = np.bincount(values[values >= 0], minlength=len(labels))
        counted = [(labels[i], int(tally[i])) for i in np.flatnonzero(tally)]
    counted = [(str(label), count) for label, count in counted if count and label not in (None, "", 0)]
    return sorted(counted, key=lambda item: (-item[1], item[0]))


def _matched_terms(looked_up, matched_ids) -> dict[str, set[str]]:
    """The index words of the query that occur on a matching page, by field (for highlighting)."""
    terms: dict[str, set[str]] = {}
    for fieldname, word, ids in looked_up:
        if fieldname not in HIGHLIGHT_FIELDS or word in terms.get(fieldname, ()):
            continue
        where = np.searchsorted(matched_ids, ids)
        inside = where < len(matched_ids)
        if np.any(matched_ids[where[inside]] == ids[inside]):
            terms.setdefault(fieldname, set()).add(word)
    return terms


def _document_hit(searcher, matches, positions, count: int, terms) -> DocumentHit:
    hits = []
    for position in positions:
        stored = searcher.stored_fields(int(matches.ids[position]))
        hits.append((round(float(matches.scores[position]), 3), stored))
    score, stored = hits[0]
    document = DocumentHit(stored["doc_id"], stored.get("title", ""), stored.get("kind", ""),
                           stored.get("language", ""), stored.get("published", ""), stored.get("source_name", ""),
                           stored.get("access", ""), score, matched_pages=count)
    if pages_shown(document.access):
        document.pages = [PageHit(page["page"], page_score,
                                  snippet(page.get("exact", ""), page.get("page_language"), terms))
                          for page_score, page in hits]
    else:           # search-only: which pages match and how often, never their words
        document.pages = [PageHit(page["page"], page_score, [],
                                  count_matches(page.get("exact", ""), page.get("page_language"), terms))
                          for page_score, page in hits]
    return document


def count_matches(text: str, language: str | None, terms: dict) -> int:
    """How many of a page's words match the query's terms."""
    return len(matched_word_indexes([[word] for word in text.split()], language, terms)) if terms else 0
