"""Which pages match a request, and how many of its words each has: pages with all the words of a
query first, then (when fewer than a page of results have them all) pages with most of them.

A query of plain words (`archive.search.query.plan`) is evaluated word by word with the engine's
array evaluator, each word once: the pages of all the words, counted per page, give the pages
with all of them and those with most of them for the cost of one OR query. Quoted phrases and
field:words are required, NOT and -word exclude, filters restrict, as in a query of all the words.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from archive.search import engine
from archive.search.model import SearchRequest
from archive.search.query import Plan, plan


@dataclass
class Found(engine.Evaluation):
    """The engine's evaluation, and per match the number of the query's words its page lacks."""
    missed: np.ndarray
    words: list[str]                       # the words counted, as typed
    word_pages: list[np.ndarray]           # the pages of each (sorted)

    @property
    def partial(self) -> bool:
        """Whether some of the matches lack some of the words."""
        return bool(len(self.missed) and self.missed.any())

    def missing(self, page: int) -> list[str]:
        """The words (as typed) that global page number `page` lacks."""
        out = []
        for word, pages in zip(self.words, self.word_pages):
            at = np.searchsorted(pages, page)
            if at >= len(pages) or pages[at] != page:
                out.append(word)
        return out


def evaluate(searcher, request: SearchRequest, index_view: engine.View | None = None) -> Found:
    index_view = index_view or engine.view(searcher)
    taken = plan(request)
    evaluator = engine.Evaluator(searcher, index_view)
    if not taken.split:
        done = evaluator.run(taken.whole)
        return Found(done.matches, done.terms, done.phrases, np.zeros(len(done.matches), np.int64), [], [])
    matches, missed, word_pages = _count(evaluator, taken, request.per_page)
    if index_view.deleted is not None:
        keep = ~index_view.deleted[matches.ids]
        matches, missed = engine.Matches(matches.ids[keep], matches.scores[keep]), missed[keep]
    return Found(matches, evaluator.terms, evaluator.phrases, missed, [w for w, _ in taken.words], word_pages)


def _count(evaluator: engine.Evaluator, taken: Plan, per_page: int):
    required = [evaluator.evaluate(q) for q in taken.required]
    if taken.restrict is not None:
        required.append(evaluator.evaluate(taken.restrict))
    words = [evaluator.evaluate(q) for _, q in taken.words]
    if words:
        ids, where = engine.merged([w.ids for w in words])
        have = np.bincount(where, minlength=len(ids))
        matches = engine.Matches(ids, np.bincount(where, weights=np.concatenate([w.scores for w in words]),
                                                  minlength=len(ids)))
    else:
        required = sorted(required, key=len) or [engine.Matches.unscored(evaluator.view.live_ids())]
        matches, required = required[0], required[1:]
        have = np.zeros(len(matches), np.int64)
    for part in required:
        if not len(matches):
            break
        ids, ia, ib = np.intersect1d(matches.ids, part.ids, assume_unique=True, return_indices=True)
        matches, have = engine.Matches(ids, matches.scores[ia] + part.scores[ib]), have[ia]
    for query in taken.excluded:
        if len(matches):
            keep = ~np.isin(matches.ids, evaluator.evaluate(query).ids, assume_unique=True)
            matches, have = engine.Matches(matches.ids[keep], matches.scores[keep]), have[keep]
    missed = len(words) - have
    if words:
        complete = missed == 0
        doc_ids = evaluator.view.numeric("doc_id")
        if len(np.unique(doc_ids[matches.ids[complete]])) >= per_page:
            keep = complete                     # enough documents have every word
        else:
            keep = have >= taken.needed
        matches, missed = engine.Matches(matches.ids[keep], matches.scores[keep]), missed[keep]
    return matches, missed, [w.ids for w in words]
