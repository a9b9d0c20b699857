"""Run a search: results grouped by document with their best pages, snippets and facet counts."""
from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate

import numpy as np

from archive import rubrics
from archive.metadata import pages_shown
from archive.search import engine, matching, whoosh_internals
from archive.search.analysis import (PLAIN_TOKEN_PATTERN, TOKEN_PATTERN, KazRusStemFilter, PrefixGate,
                                     exact_analyzer, fold_sources, page_analyzer)
from archive.search.model import FACETS, PHRASES, DocumentHit, PageHit, SearchRequest, SearchResults
from archive.search.query import build
from archive.search.schema import STEMMED_FIELDS
from archive.search.spelling import suggest

PAGES_PER_DOCUMENT = 3     # best page hits shown under each document
HIGHLIGHT_FIELDS = (*STEMMED_FIELDS.values(), "exact")
_WHITE = re.compile(r"\s+")
_SPACES = " \n\t\r\f\v\xa0"        # what `_word_end` takes for white space
_TOKEN = re.compile(TOKEN_PATTERN)       # the analysers' tokens (``RegexTokenizer(TOKEN_PATTERN)``)
_SPLIT = re.compile(f"({TOKEN_PATTERN})")   # a text split into gaps and tokens
_PLAIN_TOKEN = re.compile(PLAIN_TOKEN_PATTERN)          # both, for a `_plain` text
_PLAIN_SPLIT = re.compile(f"({PLAIN_TOKEN_PATTERN})")
_TOKEN_LETTER = re.compile(r"[^\W_]|[\u0300-\u036f]")  # a letter a token is made of (TOKEN_PATTERN's _PART)
_APOSTROPHES = "'’ʼ"                        # inside a token between two of its letters
_NOT_PLAIN = re.compile(r"[_\u0300-\u036f]")  # where ``\b`` and token boundaries part, or `fold` changes length
SURROUND = 60                               # characters of context either side of a snippet's words
_FEW_BEGINNINGS = 24                        # up to this many, wanted word beginnings are found by string search
_EXACT_ANALYZER = exact_analyzer()
_FACET_FIELDS = {"kind": "kind", "language": "language", "decade": "decade", "year": "year",
                 "source": "source_name", "rubric": "rubric_name", "library": "library"}
_MANY = "rubric"                            # the facet with many values a document


def plain_text(text: str) -> bool:
    """Whether the text's tokens stand at the same places in its lower-case copy, where the
    wanted words' beginnings are searched for (`_lowered`): known once for a page when it is
    indexed (``schema.encode_text``) instead of on every results page."""
    return _lowered(text) is not None


def _lowered(text: str, plain: bool | None = None) -> str | None:
    """The text in lower case where `fold` changes no letter's place (NFC, no İ, no combining mark,
    no underscore, where regular-expression word boundaries and token boundaries part); else None.
    `plain`: what `plain_text` said of the text, if known."""
    if plain is None:
        plain = _plain(text) and unicodedata.is_normalized("NFC", text)
    if not plain:
        return None
    lower = text.lower()
    return lower if len(lower) == len(text) else None


def _plain(text: str) -> bool:
    """Whether a text has no underscore and no combining mark (`_NOT_PLAIN`), where tokens are
    found by the `_PLAIN_TOKEN` patterns. Combining marks are first looked for by their lead bytes
    in UTF-8 (\\xcc, \\xcd), which is three times faster than the regular expression."""
    if "_" in text:
        return False
    encoded = text.encode("utf-8", "surrogatepass")
    return not ((b"\xcc" in encoded or b"\xcd" in encoded) and _NOT_PLAIN.search(text))


@lru_cache(maxsize=50_000)
def _folded(word: str) -> tuple[str, ...]:
    """A word's tokens as ``exact_analyzer`` gives them (a token of the text: itself, folded);
    cached, as pages repeat their words and an archive its vocabulary (some 20 MB when full)."""
    return tuple(t.text for t in _EXACT_ANALYZER(word))


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


class WordMatcher:
    """What a page's words match of the query's `terms`, for one language: each distinct word is
    analysed once (by the analysers of ``analysis``, as whole page texts would be), and only the
    words that can stem to a wanted term (``PrefixGate``: a word begins with its stem, less the
    stem's last two letters) are analysed at all. Marking a page's words then costs a
    regular-expression scan and a dictionary look-up per word, not a run of the analyser chain per
    word."""

    EXACT = "\x01"

    def __init__(self, language: str | None, terms: dict):
        self.language = language
        self.stems = _stems(language, terms)
        self.exact = set(terms.get("exact", ()))
        self.phrases = terms.get(PHRASES, ())
        self.wanted = frozenset(self.stems | {self.EXACT + word for word in self.exact})
        self.gate = PrefixGate(self.stems)
        self._stemmer = KazRusStemFilter(language if language in ("kaz", "rus") else "both")
        self._page = None       # made when first needed
        self._token_stems: dict[str, str | None] = {}
        self._word_stems: dict[str, bool] = {}
        self._find = None

    def _gate(self, token: str) -> bool:
        """Whether a token of the text may stem to a wanted term (its folded beginning)."""
        return self.gate.passes(_folded(token)[0])

    def token_stem(self, token: str) -> str | None:
        """The wanted stem a token of the text stands for, or None: as ``HighlightAnalyzer`` reads
        the page's tokens folded and stemmed, the first of the folded token's stems that is wanted
        (its stems and folding are cached for every query, a query's answers for its own pages)."""
        found = self._token_stems.get(token, False)
        if found is False:
            found = None
            if self.stems and self._gate(token):
                found = next((stem for stem in self._stemmer.alternatives(_folded(token)[0]) if stem in self.stems),
                             None)
            self._token_stems[token] = found
        return found

    def word_stemmed(self, word: str) -> bool:
        """Whether an OCR word (which may hold several tokens) has a stem among the wanted ones,
        as ``page_analyzer(language)`` stems it."""
        found = self._word_stems.get(word)
        if found is None:
            found = bool(self.stems) and any(self._gate(t) for t in _TOKEN.findall(word))
            if found:
                if self._page is None:
                    self._page = page_analyzer(self.language or "auto")
                found = not self.stems.isdisjoint(t.text for t in self._page(word))
            self._word_stems[word] = found
        return found

    def tokens(self, text: str) -> tuple[list[int], list[int], list[str | None]]:
        """The text's tokens: where each starts and ends, and what it matches in `wanted` (None:
        nothing). Split and measured by the regular-expression engine; each distinct word is
        looked up once."""
        pieces = (_PLAIN_SPLIT if _plain(text) else _SPLIT).split(text)     # gap, token, gap, token, ..., gap
        bounds = list(accumulate(map(len, pieces)))
        words = pieces[1::2]
        starts, ends = bounds[0:-1:2], bounds[1::2]
        known = self._token_stems
        for word in set(words).difference(known):
            self.token_stem(word)
        names = list(map(known.__getitem__, words))
        if self.exact:
            folded = [_folded(word)[0] for word in words]
            marked = exact_hits(folded, self.exact, self.phrases)
            exact, mark = self.exact, self.EXACT
            names = [name or (mark + word if hit and word in exact else None)
                     for name, word, hit in zip(names, folded, marked)]
        return starts, ends, names

    def _finder(self):
        """What finds the places where a wanted word can begin, made once: the lower-case beginnings
        (one letter, two) that `_gate` lets through or that begin an `exact` word, and, where there are
        many or one-letter ones, a regular expression for their first letters at a word boundary;
        False when the query has phrases (whose marks depend on the words around them) or nothing
        to find."""
        if self._find is None:
            keys = self.gate.beginnings | {word[:2] if len(word) > 2 else word[:1] for word in self.exact}
            self._find = False
            if keys and not self.phrases:
                sources = fold_sources()
                one, two = set(), set()
                for key in keys:
                    firsts = sources.get(key[0], {key[0]})
                    if len(key) == 1:
                        one |= firsts
                    else:
                        two |= {a + b for a in firsts for b in sources.get(key[1], {key[1]})}
                letters = "".join(sorted(one | {pair[0] for pair in two}))
                regex = re.compile(rf"\b[{re.escape(letters)}]") if one or len(two) > _FEW_BEGINNINGS else None
                self._find = (regex, frozenset(one), frozenset(two))
        return self._find

    def _lower(self, text: str, plain: bool | None = None) -> str | None:
        """The text in lower case, where searching it for beginnings finds every wanted word: the
        query has some to find, and the text is `_lowered`; else None."""
        return _lowered(text, plain) if self._finder() else None

    def _beginnings(self, lower: str) -> list[int]:
        """Where in the lower-case text a token may begin with a wanted beginning (found by the
        string search when there are few beginnings, else by the first letters' expression)."""
        regex, one, two = self._finder()
        if regex is None:
            found = []
            for pair in two:
                at = lower.find(pair)
                while at >= 0:
                    if not at or not _TOKEN_LETTER.match(lower, at - 1):
                        found.append(at)
                    at = lower.find(pair, at + 1)
            return found
        return [m.start() for m in regex.finditer(lower) if lower[m.start()] in one or lower[m.start():m.start() + 2] in two]

    def matches(self, text: str, plain: bool | None = None) -> list[tuple[int, int, str]]:
        """The text's tokens that match, in text order: where each starts and ends, and what it
        matches in `wanted`. Where a wanted word can begin is found by searching the lower-case text
        for the wanted beginnings (`fold_sources`), and each token found there is checked as
        `tokens` checks it; where only reading every token will do (phrases, texts whose tokens the
        plain pattern does not find), every token is read (`tokens`). `plain`: see `_lower`."""
        lower = self._lower(text, plain)
        if lower is None:
            return [(start, end, name) for start, end, name in zip(*self.tokens(text)) if name is not None]
        found = []
        for at in sorted(self._beginnings(lower)):
            if at >= 2 and text[at - 1] in _APOSTROPHES and _TOKEN_LETTER.match(text, at - 2):
                continue                            # inside a word written with an apostrophe
            token = _PLAIN_TOKEN.match(text, at)
            word = token.group()
            name = self.token_stem(word)
            if name is None and self.exact:
                folded = _folded(word)[0]
                name = self.EXACT + folded if folded in self.exact else None
            if name is not None:
                found.append((at, token.end(), name))
        return found

    def count_words(self, text: str, plain: bool | None = None) -> int | None:
        """How many of the text's words (``text.split()``) match, as `matched_word_indexes` counts
        them, reading only the words where a wanted beginning stands; None where only reading
        every word will do. `plain`: see `_lower`."""
        lower = self._lower(text, plain)
        if lower is None:
            return None
        words: dict[int, bool] = {}
        for at in self._beginnings(lower):
            start = at
            while start and not text[start - 1].isspace():
                start -= 1
            if start not in words:
                end = at
                while end < len(text) and not text[end].isspace():
                    end += 1
                word = text[start:end]
                words[start] = self.word_stemmed(word) or (
                    bool(self.exact) and not self.exact.isdisjoint(_folded(word)))
        return sum(words.values())


def _word_start(text: str, at: int, limit: int) -> int:
    """The first place at or after `at` (and at most `limit`) where a word begins: `at` itself
    after white space, else just after the next white space."""
    if at <= 0 or text[at - 1].isspace():
        return max(at, 0)
    space = _WHITE.search(text, at, limit)
    return space.end() if space else limit


def _word_end(text: str, at: int, least: int) -> int:
    """The last place at or before `at` (and at least `least`) where a word ends: `at` itself
    before white space or the text's end, else at the white space before it."""
    if at >= len(text) or text[at].isspace():
        return min(at, len(text))
    return max(least, *(text.rfind(space, least, at) for space in _SPACES))


def fragments(text: str, found: list[tuple[int, int, str]], length: int = 220, surround: int = SURROUND
              ) -> list[tuple[int, int, list[tuple[int, int, str]]]]:
    """The passages of a text around its matched words (`found`: their starts, ends and names, in
    text order), each (start, end, the matches in it): a passage begins up to `surround`
    characters before its first match, takes in each following match that stands within
    `surround` characters of the one before while the passage stays within `length` characters,
    and goes on up to `surround` characters after its last, short of the next match; it begins
    and ends at whole words. A word longer than `length` is in none."""
    passages = []
    i = 0
    while i < len(found):
        start, end, _ = found[i]
        if end - start > length:
            i += 1
            continue
        after = passages[-1][1] if passages else 0          # passages do not overlap
        begin = _word_start(text, max(start - surround, end - length, after), start)
        last = i
        while (last + 1 < len(found) and found[last + 1][0] - found[last][1] <= surround
               and found[last + 1][1] - begin <= length):
            last += 1
        end = found[last][1]
        limit = min(end + surround, begin + length, found[last + 1][0] if last + 1 < len(found) else len(text))
        passages.append((begin, _word_end(text, limit, end), found[i:last + 1]))
        i = last + 1
    return passages


def best_fragments(passages: list, count: int = 2) -> list:
    """The `count` best `fragments`, in text order: a passage scores its matched words, times 100
    for each distinct word it has (as Whoosh's ``BasicFragmentScorer``); of passages that score
    the same the first are taken."""
    def score(passage):
        matched = passage[2]
        return len(matched) * len({name for _, _, name in matched}) * 100
    return sorted(sorted(passages, key=lambda passage: -score(passage))[:count])


def _segments(text: str, passages: list) -> list[tuple[str, bool]]:
    """Passages as a snippet: their text, white space run together and trimmed, in pieces marked
    or not, passages joined by an ellipsis."""
    pieces: list[tuple[str, bool]] = []
    gap = ""                        # unmarked text not yet a piece
    for number, (begin, end, matched) in enumerate(passages):
        gap += (" … " if number else "") + text[begin:matched[0][0]].lstrip()
        for at, (start, stop, _) in enumerate(matched):
            if gap:
                pieces.append((_WHITE.sub(" ", gap), False))
            pieces.append((text[start:stop], True))
            gap = text[stop:matched[at + 1][0]] if at + 1 < len(matched) else ""
        gap = text[matched[-1][1]:end].rstrip()
    if gap:
        pieces.append((_WHITE.sub(" ", gap), False))
    return pieces


def snippet(text: str, language: str, terms: dict, length: int = 220, matcher: "WordMatcher | None" = None,
            plain: bool | None = None) -> list[tuple[str, bool]]:
    """The best passages of a page's text (two at most) with the matched words marked, or the
    text's beginning where no word matches (`matcher`, for the query's terms in the page's
    language, may be shared between pages: it remembers the words it has analysed; `plain`: what
    `plain_text` said of the text, if known)."""
    matcher = matcher or WordMatcher(language, terms)
    if matcher.wanted:
        found = matcher.matches(text, plain)
        if found:
            chosen = best_fragments(fragments(text, found, length), 2)
            if chosen:
                return _segments(text, chosen)
    return [leading_text(text, length)]


def leading_text(text: str, length: int) -> tuple[str, bool]:
    """The beginning of a text, white space run together, cut at a word before `length` characters
    (a page's text has thousands: only enough of it is read to know that it goes on)."""
    shown = _WHITE.sub(" ", text[:4 * length]).lstrip()
    if len(shown) <= length:
        shown = _WHITE.sub(" ", text).strip()
        if len(shown) <= length:
            return shown, False
    head = shown[:length + 1]               # a word that ends at `length` is whole
    return (head.rsplit(" ", 1)[0] if " " in head else shown[:length]) + " …", False


def matched_word_indexes(words: list[list], language: str | None, terms: dict[str, list[str]],
                         matcher: "WordMatcher | None" = None) -> list[int]:
    """Which of a page's OCR words (``[text, x0, y0, x1, y1, conf]``) match the query terms
    (`matcher`, made for these terms and language, may be shared between pages)."""
    matcher = matcher or WordMatcher(language, terms)
    found = {index for index, word in enumerate(words) if matcher.word_stemmed(word[0])} if matcher.stems else set()
    if matcher.exact:
        owners, tokens = [], []
        for index, word in enumerate(words):
            for token in _folded(word[0]):
                owners.append(index)
                tokens.append(token)
        marked = exact_hits(tokens, matcher.exact, matcher.phrases)
        found.update(owner for owner, hit in zip(owners, marked) if hit)
    return sorted(found)


def search(index, request: SearchRequest) -> SearchResults:
    """Every matching page is found and counted; only the pages shown are read and highlighted.
    ``index`` is the ``WhooshIndex`` that asks (``WhooshIndex.search``): its searcher is used."""
    started = time.perf_counter()
    with index.searcher() as searcher:
        pages = engine.view(searcher)
        found = matching.evaluate(searcher, request, pages)      # with pages lacking some words
        matches, tier = found.matches, found.tier
        doc_of_page = pages.numeric("doc_id")[matches.ids]
        partly = found.partial
        ranked_tier = tier if partly else None
        by_doc, starts, counts, best = _by_document(doc_of_page, matches.scores, ranked_tier)
        best_pages, best_scores = matches.ids[best], matches.scores[best]
        ranking = _rank(pages, request.sort, best_pages, best_scores, ranked_tier[best] if partly else None)
        facet_counts = _facets(pages, best_pages)
        first = (request.page - 1) * request.per_page
        shown = [(_best_first(by_doc[starts[i]:starts[i] + counts[i]], matches.scores, ranked_tier), counts[i])
                 for i in ranking[first:first + request.per_page]]
        terms = terms_to_mark(found.terms, found.phrases)
        matchers: dict = {}       # per page language: what its words match, shared by the pages shown
        # made once for the view: a column's reader reads its 100,000 offsets when made (0.1-0.7 ms)
        stored = pages.keep(("page fields",), lambda: whoosh_internals.page_fields(searcher.reader()))
        documents = [_document_hit(stored, matches, positions, int(count), terms, matchers)
                     for positions, count in shown]
        for document, (positions, _) in zip(documents, shown):
            document.missing = found.missing(int(matches.ids[positions[0]]))
        complete = int((tier[best] == 0).sum())
        # "did you mean" when little is found, or no page has every word (a word may be misspelt)
        suggestion = suggest(searcher, request.text) if request.text and (len(best) < 3 or not complete) else None
    return SearchResults(request, len(best), len(matches), documents, facet_counts,
                         {k: sorted(v) for k, v in terms.items()}, round((time.perf_counter() - started) * 1000, 1),
                         suggestion, partial=complete < len(best), complete_documents=complete)


def _by_document(doc_of_page: np.ndarray, scores: np.ndarray, tier: np.ndarray | None):
    """The matched pages grouped by document, in the order of the documents' ids: (their positions
    grouped, where each document's group starts, its page count, the position of its best page).
    A document's best page is in the first rank tier (`tier`, ``matching.Found.tier``: 0 with all
    the words; None when every page has them all), then has the best score, then the lowest page
    number: what sorting every page on (document, tier, -score) would put first, found in one pass
    over the groups instead (the pages come in page order, mostly in runs of a document, which the
    stable sort takes as they are)."""
    by_doc = np.argsort(doc_of_page, kind="stable")
    if not len(by_doc):
        return by_doc, by_doc, by_doc, by_doc
    starts = engine.run_starts(doc_of_page[by_doc])
    counts = np.diff(np.r_[starts, len(by_doc)])
    grouped = scores[by_doc]
    if tier is not None:            # only the pages of the document's first tier compete
        tiers = tier[by_doc]
        grouped = np.where(tiers == np.repeat(np.minimum.reduceat(tiers, starts), counts), grouped, -np.inf)
    at_top = np.flatnonzero(grouped == np.repeat(np.maximum.reduceat(grouped, starts), counts))
    return by_doc, starts, counts, by_doc[at_top[np.searchsorted(at_top, starts)]]


def _best_first(positions: np.ndarray, scores: np.ndarray, tier: np.ndarray | None) -> np.ndarray:
    """A document's pages to show (`positions`, in page order): the first rank tier first (all the
    words), then the best score, then page order; at most PAGES_PER_DOCUMENT."""
    keys = (-scores[positions],) if tier is None else (-scores[positions], tier[positions])
    return positions[np.lexsort(keys)[:PAGES_PER_DOCUMENT]]


def _rank(pages: engine.View, sort: str, best_pages, best_scores, tier):
    """Documents (in the order of their ids) in the order asked for: by their best page's score,
    or by date (undated last), ties in id order (the sort is stable); those with all the words
    first, then those with at least half of them, then the rest (`tier`: their best pages' rank
    tiers, None when all have every word)."""
    keys = [-best_scores]
    if sort != "relevance":
        _, ordinals = pages.values("published")
        dated = ordinals[best_pages]
        keys.append(np.where(dated < 0, np.iinfo(np.int64).max, dated) if sort == "date" else -dated)
    if tier is not None:
        keys.append(tier)
    return np.lexsort(keys)


def _facets(pages: engine.View, best_pages) -> dict[str, list[tuple[str, int]]]:
    """Documents per value of each facet among all matches (each document counted once, through
    its best page), most first, then by name (`FacetSlots`, made once per view of the index)."""
    slots = pages.keep(("facet slots",), lambda: FacetSlots.of_view(pages))
    return slots.count(best_pages, pages.numeric("doc_id")[best_pages])


class FacetSlots:
    """Every value of every facet as one numbered slot: the single-valued facets' slots of each
    unit counted (a page, or a document; a row a facet; a unit without a value has its facet's
    empty slot), the many-valued facet's (rubric) slots of each document (`many`, in document
    order: `doc_start`, `doc_count`), and of each slot its name, facet, alphabetical place among
    its facet's names and whether it is shown (not empty). Made from `single`, each single-valued
    facet's labels and each unit's ordinal among them (-1: none), in ``FACETS`` order, and `many`,
    the many-valued facet's labels, every (document, value) pair as two arrays (document ids,
    places in the labels) and one more than the highest document id."""

    def __init__(self, single: list[tuple[list, np.ndarray]], many: tuple[list, np.ndarray, np.ndarray, int],
                 size: int):
        names, facet, rows = [], [], []
        columns = iter(single)
        for i, name in enumerate(FACETS):
            if name != _MANY:
                labels, ordinals = next(columns)
                rows.append(np.where(ordinals >= 0, ordinals, len(labels)) + len(names))
                names += [*labels, None]
                facet += [i] * (len(labels) + 1)
        self.single = np.array(rows, dtype=np.int64).reshape(len(rows), size)
        self.many_from = len(names)
        labels, owners, ordinals, documents = many
        order = np.argsort(owners, kind="stable")
        self.many = ordinals[order]                      # slots past `many_from`
        self.doc_count = np.bincount(owners, minlength=documents)
        self.doc_start = np.cumsum(self.doc_count) - self.doc_count
        names += labels
        facet += [FACETS.index(_MANY)] * len(labels)
        self.shown = np.array([label not in (None, "", 0) for label in names], dtype=bool)
        self.names = [str(label) for label in names]
        self.facet = np.array(facet, dtype=np.int64)
        self.rank = np.empty(len(names), dtype=np.int64)
        self.rank[sorted(range(len(names)), key=self.names.__getitem__)] = np.arange(len(names))

    @classmethod
    def of_view(cls, pages: engine.View) -> "FacetSlots":
        """A view's slots, a page a unit."""
        single = [pages.values(_FACET_FIELDS[name]) for name in FACETS if name != _MANY]
        return cls(single, _many_values(pages, _FACET_FIELDS[_MANY]), pages.size)

    def count(self, units: np.ndarray, documents: np.ndarray) -> dict[str, list[tuple[str, int]]]:
        """The values of each facet with the number of `units` (each counted once) that have
        them, most first, then by name; the many-valued facet's through their `documents` (one a
        unit): every facet's values tallied by one ``bincount``."""
        single = np.bincount(self.single[:, units].ravel(), minlength=self.many_from)
        first, count = self.doc_start[documents], self.doc_count[documents]
        total = int(count.sum())
        pairs = np.repeat(first - (np.cumsum(count) - count), count) + np.arange(total)
        tally = np.concatenate([single, np.bincount(self.many[pairs], minlength=len(self.names) - self.many_from)])
        counted = np.flatnonzero((tally > 0) & self.shown)
        counted = counted[np.lexsort((self.rank[counted], -tally[counted], self.facet[counted]))]
        bounds = np.searchsorted(self.facet[counted], np.arange(len(FACETS) + 1)).tolist()
        names = [self.names[i] for i in counted.tolist()]
        counts = tally[counted].tolist()
        return {name: list(zip(names[bounds[i]:bounds[i + 1]], counts[bounds[i]:bounds[i + 1]]))
                for i, name in enumerate(FACETS)}


def _many_values(pages: engine.View, fieldname: str) -> tuple[list, np.ndarray, np.ndarray, int]:
    """A many-valued field of the documents (their pages all hold the same values), every
    (document, value) pair as two arrays: the document ids and their values' places in the list,
    and one more than the highest document id; from the pages not deleted (`FacetSlots` keeps
    them for the view of the index)."""
    doc_ids = pages.numeric("doc_id")
    live = None if pages.deleted is None else ~pages.deleted
    values = {label: np.unique(doc_ids[ids if live is None else ids[live[ids]]])
              for label, ids in pages.multi(fieldname).items()}
    if fieldname == "rubric_name":      # an index written before rubric keys holds names: one value per rubric
        keyed: dict[str, list] = {}
        for label, ids in values.items():
            keyed.setdefault(rubrics.key_of(str(label)), []).append(ids)
        values = {key: parts[0] if len(parts) == 1 else np.unique(np.concatenate(parts))
                  for key, parts in keyed.items()}
    labels = list(values)
    documents = int(doc_ids.max(initial=0)) + 1
    if not labels:
        return labels, np.empty(0, np.int64), np.empty(0, np.int64), documents
    owners = np.concatenate([values[label] for label in labels])
    ordinals = np.repeat(np.arange(len(labels)), [len(values[label]) for label in labels])
    return labels, owners, ordinals, documents


def terms_to_mark(looked_up, phrases, fields=HIGHLIGHT_FIELDS) -> dict[str, set[str]]:
    """The index words a query looked up and found (outside any NOT), by field, in the `fields`
    pages are marked by, and (under PHRASES) its quoted phrases whose words are all among them:
    what a results page and the page viewer (`highlight_terms`) mark, on either engine. Marking a
    page with a word that no matching page has marks nothing, so these mark the pages shown as the
    words they hold would."""
    terms: dict[str, set[str]] = {}
    for fieldname, word in looked_up:
        if fieldname in fields:
            terms.setdefault(fieldname, set()).add(word)
    found = {" ".join(words) for fieldname, words in phrases if set(words) <= terms.get(fieldname, set())}
    if found:
        terms[PHRASES] = found
    return terms


def _document_hit(stored_fields, matches, positions, count: int, terms, matchers: dict) -> DocumentHit:
    """A document shown, from its best pages (`positions` in `matches`) and their stored fields
    (``stored_fields(page number)``)."""
    shown = []
    for position in positions:
        stored = stored_fields(int(matches.ids[position]))
        shown.append((round(float(matches.scores[position]), 3), stored))
    score, stored = shown[0]
    document = DocumentHit(stored["doc_id"], stored.get("title", ""), stored.get("kind", ""),
                           stored.get("language", ""), stored.get("published", ""), stored.get("source_name", ""),
                           stored.get("access", ""), score, matched_pages=count, library=stored.get("library", ""))

    def matcher(language) -> WordMatcher:
        if language not in matchers:
            matchers[language] = WordMatcher(language, terms)
        return matchers[language]

    if pages_shown(document.access):
        document.pages = [PageHit(page["page"], page_score,
                                  snippet(page.get("exact", ""), page.get("page_language"), terms,
                                          matcher=matcher(page.get("page_language")), plain=page.get("plain")))
                          for page_score, page in shown]
    else:           # search-only: which pages match and how often, never their words
        document.pages = [PageHit(page["page"], page_score, [],
                                  count_matches(page.get("exact", ""), page.get("page_language"), terms,
                                                matcher(page.get("page_language")), page.get("plain")))
                          for page_score, page in shown]
    return document


def count_matches(text: str, language: str | None, terms: dict, matcher: WordMatcher | None = None,
                  plain: bool | None = None) -> int:
    """How many of a page's words match the query's terms (`plain`: see `snippet`)."""
    if not terms:
        return 0
    matcher = matcher or WordMatcher(language, terms)
    counted = matcher.count_words(text, plain)
    if counted is not None:
        return counted
    return len(matched_word_indexes([[word] for word in text.split()], language, terms, matcher))


def highlight_terms(index, text: str, languages: Iterable[str | None] | None = None) -> dict[str, list[str]]:
    """What a page viewer marks for a query, as ``SearchResults.terms`` gives it, without a search:
    the query is built as ``search`` builds it, and its words are looked up in the index's lexicon
    (fuzzy ones expanded there) for the fields that pages of `languages` are marked by (all, if
    not said). A word the index has is marked even where no page holds the whole query."""
    if not text:
        return {}
    query = build(SearchRequest(text=text))
    fields = set(HIGHLIGHT_FIELDS)
    if languages is not None:
        languages = set(languages)
        if languages <= set(STEMMED_FIELDS):
            fields = {"exact"} | {STEMMED_FIELDS[language] for language in languages}
    with index.searcher() as searcher:
        words, phrases = engine.query_words(searcher, query, fields, engine.view(searcher))
    return {k: sorted(v) for k, v in terms_to_mark(words, phrases, fields).items()}
