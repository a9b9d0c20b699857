"""Which pages match a request, and how they rank by the query's words they have: pages with all
the words of a query first; when fewer than a page of results' documents have them all, then
pages with at least half of them, by score; and when even these fill no page of results, pages
with fewer (as many as it takes, down to one word), by score after them (`Found.tier`). A long
question's answer often shares only a few of its words with the page that holds it: a threshold
that shows nothing, or counting words before weighing them, would hide it.

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
from archive.search.query import Plan, least_words, plan


@dataclass
class Found(engine.Evaluation):
    """The engine's evaluation, and per match its rank tier: 0, the page has every word of the
    query; 1, at least half of them; 2, fewer."""
    tier: np.ndarray
    words: list[str]                       # the words counted, as typed
    word_pages: list[np.ndarray]           # the pages of each (sorted)

    @property
    def partial(self) -> bool:
        """Whether some of the matches lack some of the words."""
        return bool(len(self.tier) and self.tier.any())

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
    matches, tier, word_pages = _count(evaluator, taken, request.per_page)
    if index_view.deleted is not None:
        keep = ~index_view.deleted[matches.ids]
        matches, tier = engine.Matches(matches.ids[keep], matches.scores[keep]), tier[keep]
    return Found(matches, evaluator.terms, evaluator.phrases, tier, [w for w, _ in taken.words], word_pages)


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
            keep = ~np.isin(matches.ids, evaluator.excluded(query).ids, assume_unique=True)
            matches, have = engine.Matches(matches.ids[keep], matches.scores[keep]), have[keep]
    tier = np.zeros(len(matches), np.int64)
    if words:
        doc_ids = evaluator.view.numeric("doc_id")[matches.ids]
        least = fewest_words(doc_ids, have, len(words), taken.needed, per_page)
        keep = have >= least
        matches, have = engine.Matches(matches.ids[keep], matches.scores[keep]), have[keep]
        tier = np.where(have == len(words), 0, np.where(have >= taken.needed, 1, 2))
    return matches, tier, [w.ids for w in words]


def fewest_words(doc_ids: np.ndarray, have: np.ndarray, words: int, needed: int, per_page: int) -> int:
    """``query.least_words`` over the matching pages' documents and counts of words (`have`): the
    documents with all the words from the pages with all; with fewer, from each document's best
    page, found once (one pass, where a look for each count would sort the pages again)."""
    reaching = None

    def documents_with(count: int) -> int:
        nonlocal reaching
        if count == words:
            return len(np.unique(doc_ids[have == words]))
        if reaching is None:
            documents, owner = np.unique(doc_ids, return_inverse=True)
            most = np.zeros(len(documents), np.int64)
            np.maximum.at(most, owner, have)           # each document's best page's count
            reaching = np.cumsum(np.bincount(most, minlength=words + 1)[::-1])[::-1]   # documents with >= k
        return int(reaching[count])

    return least_words(words, needed, per_page, documents_with)
