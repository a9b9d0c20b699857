"""Query evaluation over whole posting lists as arrays.

Whoosh's own searcher walks the matches one at a time in Python; facet counts and grouping by
document over tens of thousands of matching pages took seconds that way. Here each posting list a
query needs is read block by block into numpy arrays, AND/OR/NOT are set operations on sorted page
numbers, BM25F scores are computed for all matches at once, and the per-page columns that results
need (document id, facet values, publication order, field lengths) are read once per index segment
and kept for as long as the segment lives (segments never change; deletions are tracked apart).

Whoosh still stores the index and parses the queries.
"""
from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from whoosh import query as Q

from archive.search import whoosh_internals
from archive.search.query import fuzzy_matches
from archive.search.schema import PackedPositions

K1, B = 1.2, 0.75          # BM25F, as Whoosh's default weighting
_IDS = np.int64
_CACHED_SEGMENTS = 16      # per process; an index rarely has more than a few segments


@dataclass
class Matches:
    """Matching pages (sorted global page numbers without repeats) and their scores."""
    ids: np.ndarray
    scores: np.ndarray

    @staticmethod
    def empty() -> "Matches":
        return Matches(np.empty(0, _IDS), np.empty(0))

    @staticmethod
    def unscored(ids: np.ndarray) -> "Matches":
        return Matches(ids, np.zeros(len(ids)))

    def __len__(self) -> int:
        return len(self.ids)


def union(parts: list[Matches]) -> Matches:
    parts = [p for p in parts if len(p)]
    if not parts:
        return Matches.empty()
    if len(parts) == 1:
        return parts[0]
    ids, where = merged([p.ids for p in parts])
    scores = np.bincount(where, weights=np.concatenate([p.scores for p in parts]), minlength=len(ids))
    return Matches(ids, scores)


def merged(runs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(np.concatenate(runs), return_inverse=True)`` for sorted runs (a posting list
    each): a stable sort finds the runs and merges them, where ``np.unique`` sorts from scratch
    (half the time for two lists of 100,000 pages)."""
    flat = np.concatenate(runs)
    if not len(flat):
        return flat, np.empty(0, _IDS)
    order = np.argsort(flat, kind="stable")
    ordered = flat[order]
    first = np.empty(len(flat), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    where = np.empty(len(flat), dtype=_IDS)
    where[order] = np.cumsum(first) - 1
    return ordered[first], where


def intersect(a: Matches, b: Matches) -> Matches:
    ids, ia, ib = np.intersect1d(a.ids, b.ids, assume_unique=True, return_indices=True)
    return Matches(ids, a.scores[ia] + b.scores[ib])


def subtract(a: Matches, b: Matches) -> Matches:
    keep = ~np.isin(a.ids, b.ids, assume_unique=True)
    return Matches(a.ids[keep], a.scores[keep])


def restrict(a: Matches, ids: np.ndarray) -> Matches:
    keep = np.isin(a.ids, ids, assume_unique=True)
    return Matches(a.ids[keep], a.scores[keep])


def run_starts(values: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts in a sorted array (np.unique's indices, without sorting)."""
    return np.flatnonzero(np.r_[True, values[1:] != values[:-1]]) if len(values) else np.empty(0, _IDS)


# --------------------------------------------------------------------------------------------
# what is read once per segment

def read_postings(reader, fieldname: str, btext: bytes, values: whoosh_internals.BlockValues | None = None,
                  within=None) -> tuple[np.ndarray, np.ndarray]:
    """A term's postings in one segment: (page numbers, weights), a block at a time; with `values`,
    each posting's raw value (positions, in a field that has them) is kept there too; with
    `within` (sorted page numbers), only from the blocks that may hold one of them."""
    deltas, weights, counts = [], [], []
    for block, blockweights, count, raw in whoosh_internals.posting_blocks(reader, fieldname, btext,
                                                                           values is not None, within):
        deltas.append(block)                    # packed (an array) or Whoosh's tuple
        counts.append(count)
        if blockweights is None:
            weights.append(np.ones(count))
        elif isinstance(blockweights, float):
            weights.append(np.full(count, blockweights))
        else:
            weights.append(blockweights)        # float32 (packed) or Whoosh's array of floats
        if values is not None:
            values.add(raw)
    if not deltas:
        return np.empty(0, _IDS), np.empty(0)
    # one running sum over every block: a block's deltas start again from 0, so each block takes
    # off what the blocks before it summed to
    running = np.cumsum(np.concatenate(deltas, dtype=_IDS))
    ends = np.cumsum(counts)
    before = np.zeros(len(counts), dtype=_IDS)
    before[1:] = running[ends[:-1] - 1]
    ids = running - np.repeat(before, counts)
    return ids, np.concatenate(weights).astype(np.float64, copy=False)


def positions_at(fmt, ids: np.ndarray, values: whoosh_internals.BlockValues, pages: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(page of each position, position) on `pages`, a sorted subset of a term's postings `ids`
    with their raw `values`. Packed positions (the schema's `PackedPositions`) are read for all the
    pages at once; other formats (indexes written before them) page by page by the format's decoder."""
    if not len(pages):
        return np.empty(0, _IDS), np.empty(0, _IDS)
    chosen = np.searchsorted(ids, pages)
    offsets, blob = values.joined()
    starts, ends = offsets[chosen], offsets[chosen + 1]
    if isinstance(fmt, PackedPositions):
        flat = np.frombuffer(blob, dtype="<u2")            # values are uint16 arrays, or WIDE + uint32
        first, counts = starts // 2, (ends - starts) // 2
        if not (flat[first] == 0xFFFF).any():              # no page stored WIDE
            total = int(counts.sum())
            where = np.arange(total, dtype=_IDS) + np.repeat(first - (np.cumsum(counts) - counts), counts)
            return np.repeat(pages, counts), flat[where].astype(_IDS)
    decoded = [fmt.decode_positions(blob[start:end]) for start, end in zip(starts.tolist(), ends.tolist())]
    counts = np.fromiter(map(len, decoded), dtype=_IDS, count=len(decoded))
    positions = np.fromiter((p for d in decoded for p in d), dtype=_IDS, count=int(counts.sum()))
    return np.repeat(pages, counts), positions


# Whoosh stores a field's length in a byte (lossy above ~100); decode all 256 once
def _length_table() -> np.ndarray:
    from whoosh.util.numeric import byte_to_length
    return np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


_LENGTHS = _length_table()


class SegmentColumns:
    """Per-page arrays of one segment, read lazily and kept while the segment lives."""

    def __init__(self, size: int):
        self.size = size
        self._lock = threading.Lock()
        self._kept: dict[tuple[str, str], object] = {}
        self._prefixes: OrderedDict = OrderedDict()

    def _keep(self, kind: str, fieldname: str, read):
        """What `read()` gives, read once per segment (under the lock: readers share the columns)."""
        with self._lock:
            key = (kind, fieldname)
            if key not in self._kept:
                self._kept[key] = read()
            return self._kept[key]

    def numeric(self, reader, fieldname: str) -> np.ndarray:
        """A sortable integer field's values (meaningless where a page has none: see `values`)."""
        def read():
            fieldobj = reader.schema[fieldname]
            values = whoosh_internals.numeric_column(reader, fieldname, fieldobj.default_column(), self.size)
            if values is None:
                return np.zeros(self.size, np.int64)
            if getattr(fieldobj, "signed", False):          # stored shifted to sort as unsigned
                values -= 1 << (fieldobj.bits - 1)
            return values
        return self._keep("numeric", fieldname, read)

    def values(self, reader, fieldname: str) -> tuple[list, np.ndarray]:
        """A single-valued field's distinct values (in index order) and each page's ordinal (-1: none);
        none at all in an index written before the field existed (until `olke index rebuild`)."""
        def read():
            labels, ordinals = [], np.full(self.size, -1, dtype=np.int64)
            if fieldname not in reader.schema:
                return labels, ordinals
            fieldobj = reader.schema[fieldname]
            for btext in fieldobj.sortable_terms(reader, fieldname):
                ids, _ = read_postings(reader, fieldname, btext)
                ordinals[ids] = len(labels)
                labels.append(fieldobj.from_bytes(btext))
            return labels, ordinals
        return self._keep("values", fieldname, read)

    def multi(self, reader, fieldname: str) -> list[tuple[object, np.ndarray]]:
        """A many-valued field's values with the pages that have each (none in an index written before
        the field existed)."""
        if fieldname not in reader.schema:
            return []
        fieldobj = reader.schema[fieldname]
        return self._keep("multi", fieldname, lambda: [
            (fieldobj.from_bytes(b), read_postings(reader, fieldname, b)[0]) for b in reader.lexicon(fieldname)])

    def lengths(self, reader, fieldname: str) -> np.ndarray:
        def read():
            raw = whoosh_internals.length_column(reader, fieldname, self.size)
            return _LENGTHS[raw] if raw is not None else np.zeros(self.size)
        return self._keep("lengths", fieldname, read)

    def words_from(self, reader, fieldname: str, prefix: str) -> list[str]:
        """The field's words that start with `prefix` (a few kept, for fuzzy expansion)."""
        key = (fieldname, prefix)
        with self._lock:
            if key in self._prefixes:
                self._prefixes.move_to_end(key)
                return self._prefixes[key]
        fieldobj = reader.schema[fieldname]
        words = [fieldobj.from_bytes(b) for b in reader.expand_prefix(fieldname, prefix)]
        with self._lock:
            self._prefixes[key] = words
            while len(self._prefixes) > 512:
                self._prefixes.popitem(last=False)
        return words


_SEGMENTS: OrderedDict = OrderedDict()
_SEGMENTS_LOCK = threading.Lock()


def _segment_columns(reader) -> SegmentColumns:
    key = (whoosh_internals.segment_id(reader), reader.doc_count_all())     # segment ids are random: unique
    with _SEGMENTS_LOCK:
        cached = _SEGMENTS.get(key)
        if cached is not None:
            _SEGMENTS.move_to_end(key)
            return cached
        cached = _SEGMENTS[key] = SegmentColumns(reader.doc_count_all())
        while len(_SEGMENTS) > _CACHED_SEGMENTS:
            _SEGMENTS.popitem(last=False)
        return cached


@dataclass
class Leaf:
    reader: object               # this searcher's reader of the segment (readers are not shared between threads)
    columns: SegmentColumns
    offset: int


@dataclass
class View:
    """The whole index as seen by one searcher: its segments and global per-page arrays."""
    leaves: list[Leaf]
    size: int
    deleted: np.ndarray | None       # per page, True where deleted; None when nothing is
    _kept: dict = field(default_factory=dict)

    def keep(self, key: tuple, make):
        """What `make()` gives, made once for this view of the index (its searcher's lifetime)."""
        if key not in self._kept:
            self._kept[key] = make()
        return self._kept[key]

    def numeric(self, fieldname: str) -> np.ndarray:
        return self.keep(("numeric", fieldname), lambda: np.concatenate(
            [leaf.columns.numeric(leaf.reader, fieldname) for leaf in self.leaves] or [np.empty(0, np.int64)]))

    def values(self, fieldname: str) -> tuple[list, np.ndarray]:
        """Distinct values over all segments (sorted) and each page's ordinal into them (-1: none)."""
        def make():
            per_leaf = [leaf.columns.values(leaf.reader, fieldname) for leaf in self.leaves]
            labels = sorted({label for leaf_labels, _ in per_leaf for label in leaf_labels})
            position = {label: i for i, label in enumerate(labels)}
            parts = []
            for leaf_labels, ordinals in per_leaf:
                mapping = np.array([position[label] for label in leaf_labels] + [-1], dtype=np.int64)
                parts.append(mapping[ordinals])     # -1 indexes the appended -1
            return labels, np.concatenate(parts) if parts else np.empty(0, np.int64)
        return self.keep(("values", fieldname), make)

    def multi(self, fieldname: str) -> dict[object, np.ndarray]:
        def make():
            pages: dict[object, list[np.ndarray]] = {}
            for leaf in self.leaves:
                for label, ids in leaf.columns.multi(leaf.reader, fieldname):
                    pages.setdefault(label, []).append(ids + leaf.offset)
            return {label: np.concatenate(parts) for label, parts in pages.items()}
        return self.keep(("multi", fieldname), make)

    def live_ids(self) -> np.ndarray:
        return self.keep(("live",), lambda: np.arange(self.size, dtype=_IDS) if self.deleted is None
                          else np.flatnonzero(~self.deleted).astype(_IDS))


def view(searcher) -> View:
    """The index as `searcher` sees it (kept with the searcher, which sees one version of the index)."""
    cached = getattr(searcher, "_olke_view", None)
    if cached is not None:
        return cached
    leaves = [Leaf(reader, _segment_columns(reader), offset)
              for reader, offset in searcher.reader().leaf_readers()
              if whoosh_internals.has_segment(reader)]
    size = max((leaf.offset + leaf.columns.size for leaf in leaves), default=0)
    deleted = None
    for leaf in leaves:
        if leaf.reader.has_deletions():
            if deleted is None:
                deleted = np.zeros(size, dtype=bool)
            gone = np.ones(leaf.columns.size, dtype=bool)
            gone[np.fromiter(leaf.reader.all_doc_ids(), dtype=_IDS)] = False
            deleted[leaf.offset:leaf.offset + leaf.columns.size] = gone
    searcher._olke_view = View(leaves, size, deleted)
    return searcher._olke_view


# --------------------------------------------------------------------------------------------
# evaluation

@dataclass
class Evaluation:
    matches: Matches
    terms: list[tuple[str, str]]                   # (field, word) of every word looked up and found,
                                                   # outside any NOT
    phrases: list[tuple[str, list[str]]]           # (field, words) of every exact phrase looked up


class Evaluator:
    def __init__(self, searcher, index_view: View):
        self.searcher = searcher
        self.view = index_view
        self.count = searcher.doc_count_all()
        self.terms: list[tuple[str, str]] = []
        self.phrases: list[tuple[str, list[str]]] = []
        self.negated = 0            # inside a NOT: words are read, not kept in `terms`

    def excluded(self, node: Q.Query) -> Matches:
        """The pages of what a NOT leaves out (its words are not the query's terms)."""
        self.negated += 1
        try:
            return self.evaluate(node)
        finally:
            self.negated -= 1

    def run(self, query: Q.Query) -> Evaluation:
        matches = self.evaluate(query)
        if self.view.deleted is not None:               # postings keep deleted pages until a merge
            keep = ~self.view.deleted[matches.ids]
            matches = Matches(matches.ids[keep], matches.scores[keep])
        return Evaluation(matches, self.terms, self.phrases)

    def evaluate(self, node: Q.Query) -> Matches:
        if isinstance(node, Q.Term):
            return self.term(node.fieldname, node.text, node.boost)
        if isinstance(node, Q.FuzzyTerm):
            return self.fuzzy(node)
        if isinstance(node, Q.And):
            return self._and(node.subqueries, node.boost)
        if isinstance(node, (Q.Or, Q.DisjunctionMax)):
            return self._scaled(union([self.evaluate(child) for child in node.subqueries]), node.boost)
        if isinstance(node, Q.AndNot):
            return subtract(self.evaluate(node.a), self.excluded(node.b))
        if isinstance(node, Q.AndMaybe):
            required = self.evaluate(node.a)
            return union([required, restrict(self.evaluate(node.b), required.ids)])
        if isinstance(node, Q.Require):
            return restrict(self.evaluate(node.a), self.evaluate(node.b).ids)
        if isinstance(node, Q.Not):
            return subtract(Matches.unscored(self.view.live_ids()), self.excluded(node.query))
        if isinstance(node, Q.Every):
            return Matches.unscored(self.view.live_ids())
        if isinstance(node, type(Q.NullQuery)):
            return Matches.empty()
        if isinstance(node, Q.NumericRange) and getattr(self.searcher.schema[node.fieldname], "sortable_typecode", None):
            return self.numeric_range(node)
        if isinstance(node, Q.Phrase):
            return self.phrase(node)
        if isinstance(node, Q.MultiTerm):           # prefix*, wildcards, ranges: Whoosh expands them
            return union([self.term(node.fieldname, word, node.boost)
                          for word in whoosh_internals.expanded_terms(node, self.searcher.reader())])
        return self.fallback(node)

    def _and(self, children, boost: float) -> Matches:
        positive = [c for c in children if not isinstance(c, Q.Not)]
        negative = [c.query for c in children if isinstance(c, Q.Not)]
        if not positive:
            positive = [Q.Every()]
        parts = sorted((self.evaluate(c) for c in positive), key=len)
        result = parts[0]
        for part in parts[1:]:
            if not len(result):
                break
            result = intersect(result, part)
        for child in negative:
            if len(result):
                result = subtract(result, self.excluded(child))
        return self._scaled(result, boost)

    @staticmethod
    def _scaled(matches: Matches, boost: float) -> Matches:
        return matches if boost == 1 else Matches(matches.ids, matches.scores * boost)

    def term(self, fieldname: str, text, boost: float = 1.0, positions: dict | None = None,
             within: np.ndarray | None = None, record: bool = True) -> Matches:
        """A word's pages and scores; with `positions`, each segment's (local page numbers, raw
        values) of the word are kept there by segment, for checking phrases without a second read;
        with `within` (sorted pages), only the pages in posting blocks that may hold one of those
        (a phrase's candidates): the word's other pages are left unread. A word found is kept in
        `terms` (with `record`, outside a NOT)."""
        if fieldname not in self.searcher.schema:
            return Matches.empty()              # an index written before the field existed has none
        fieldobj = self.searcher.schema[fieldname]
        btext = fieldobj.to_bytes(text) if not isinstance(text, bytes) else text
        word = fieldobj.from_bytes(btext) if isinstance(text, bytes) else text
        ids_parts, score_parts = [], []
        if not self.view.leaves:
            return Matches.empty()
        scorable = fieldobj.scorable
        if scorable:
            frequency = self.searcher.doc_frequency(fieldname, btext)
            idf = math.log(self.count / (frequency + 1)) + 1
            average = self.searcher.avg_field_length(fieldname) or 1.0
        for leaf in self.view.leaves:
            reader = leaf.reader
            if (fieldname, btext) not in reader:
                continue
            values = None if positions is None else whoosh_internals.BlockValues()
            local = None
            if within is not None:
                local = within[(within >= leaf.offset) & (within < leaf.offset + leaf.columns.size)] - leaf.offset
                if not len(local):
                    if positions is not None:
                        positions[id(leaf)] = (np.empty(0, _IDS), whoosh_internals.BlockValues())
                    continue
            ids, weights = read_postings(reader, fieldname, btext, values, local)
            if positions is not None:
                positions[id(leaf)] = (ids, values)
            if scorable:
                lengths = leaf.columns.lengths(reader, fieldname)[ids]
                scores = idf * (weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / average))
            else:
                scores = np.zeros(len(ids))
            ids_parts.append(ids + leaf.offset)
            score_parts.append(scores)
        if not ids_parts:
            return Matches.empty()
        matches = Matches(np.concatenate(ids_parts), np.concatenate(score_parts) * boost)
        if scorable and record and not self.negated:
            self.terms.append((fieldname, word))
        return matches

    def fuzzy(self, node: Q.FuzzyTerm) -> Matches:
        return union([self.term(node.fieldname, word, node.boost) for word in fuzzy_words(self.view, node)])

    def numeric_range(self, node: Q.NumericRange) -> Matches:
        values = self.view.numeric(node.fieldname)
        present = self.view.values(node.fieldname)[1] >= 0
        keep = present.copy()
        if node.start is not None:
            keep &= values > node.start if node.startexcl else values >= node.start
        if node.end is not None:
            keep &= values < node.end if node.endexcl else values <= node.end
        return Matches.unscored(np.flatnonzero(keep).astype(_IDS))

    def phrase(self, node: Q.Phrase) -> Matches:
        """Pages with the words next to each other in this order, scored by their words: the pages
        with all the words are found as for AND, then positions are compared on those pages only."""
        postings = [{} for _ in node.words]
        fieldobj = self.searcher.schema[node.fieldname]
        # the rarest word first; the others are read only in the posting blocks of its pages
        frequency = [self.searcher.doc_frequency(node.fieldname, w if isinstance(w, bytes) else fieldobj.to_bytes(w))
                     for w in node.words]
        if fieldobj.scorable and not self.negated:    # its words are the query's terms, read or not
            self.terms += [(node.fieldname, w if isinstance(w, str) else fieldobj.from_bytes(w))
                           for w, found in zip(node.words, frequency) if found]
            if len(node.words) > 1 and node.slop == 1 and all(frequency):
                self.phrases.append((node.fieldname, list(node.words)))
        candidates = None
        for number in sorted(range(len(node.words)), key=frequency.__getitem__):
            word = self.term(node.fieldname, node.words[number], positions=postings[number],
                             within=None if candidates is None else candidates.ids, record=False)
            candidates = word if candidates is None else intersect(candidates, word)
            if not len(candidates):
                return Matches.empty()
        if candidates is None:
            return Matches.empty()
        if len(node.words) == 1:
            return self._scaled(candidates, node.boost)
        if node.slop != 1:                              # near, not next to each other: Whoosh decides
            return self._scaled(restrict(candidates, self.fallback(node).ids), node.boost)
        fmt = fieldobj.format
        found = []
        for leaf in self.view.leaves:
            local = candidates.ids[(candidates.ids >= leaf.offset)
                                   & (candidates.ids < leaf.offset + leaf.columns.size)] - leaf.offset
            # (page << 32 | where the phrase would start) for each word; a phrase is where all agree.
            # Keys come sorted and distinct: by page, then by position.
            starts = None
            for shift, kept in enumerate(postings):
                if not len(local):
                    break
                pages, positions = positions_at(fmt, *kept[id(leaf)], local)
                keep = positions >= shift
                keys = (pages[keep] << 32) | (positions[keep] - shift)
                starts = keys if starts is None else np.intersect1d(starts, keys, assume_unique=True)
                still = starts >> 32
                local = still[run_starts(still)]             # later words are read on these pages only
            if len(local):
                found.append(local + leaf.offset)
        found_ids = np.concatenate(found) if found else np.empty(0, _IDS)
        return self._scaled(restrict(candidates, found_ids), node.boost)

    def fallback(self, node: Q.Query) -> Matches:
        return Matches.unscored(np.unique(np.fromiter(node.docs(self.searcher), dtype=_IDS)))


def evaluate(searcher, query: Q.Query, index_view: View | None = None) -> Evaluation:
    return Evaluator(searcher, index_view or view(searcher)).run(query)


def fuzzy_words(index_view: View, node: Q.FuzzyTerm) -> list[str]:
    """The index's words that a fuzzy term stands for (``query.fuzzy_matches``), sorted: read from
    the lexicon (a segment keeps the words of a prefix it was asked for), no posting list."""
    prefix = node.text[:node.prefixlength]
    words: set[str] = set()
    for leaf in index_view.leaves:
        words |= fuzzy_matches(node, leaf.columns.words_from(leaf.reader, node.fieldname, prefix))
    return sorted(words)


def query_words(searcher, query: Q.Query, fields, index_view: View | None = None
                ) -> tuple[list[tuple[str, str]], list[tuple[str, list[str]]]]:
    """The words of `fields` that evaluating `query` would look up and find in the index, and its
    exact phrases whose words the index all has: (field, word) and (field, words). Nothing under a
    NOT counts. Fuzzy terms, prefixes and wildcards are expanded on the lexicon; no posting list
    is read, so this costs a few dictionary look-ups where a search reads every match."""
    index_view = index_view or view(searcher)
    reader = searcher.reader()
    schema = searcher.schema
    words: list[tuple[str, str]] = []
    phrases: list[tuple[str, list[str]]] = []

    def present(fieldname: str, text) -> str | None:
        fieldobj = schema[fieldname]
        if not fieldobj.scorable:
            return None
        btext = text if isinstance(text, bytes) else fieldobj.to_bytes(text)
        return fieldobj.from_bytes(btext) if (fieldname, btext) in reader else None

    def walk(node: Q.Query) -> None:
        if isinstance(node, Q.Not):
            return
        if isinstance(node, Q.AndNot):
            walk(node.a)
            return
        if isinstance(node, (Q.AndMaybe, Q.Require)):
            walk(node.a)
            walk(node.b)
            return
        if isinstance(node, Q.CompoundQuery):
            for child in node.subqueries:
                walk(child)
            return
        fieldname = getattr(node, "fieldname", None)
        if fieldname not in fields or fieldname not in schema:
            return
        if isinstance(node, Q.FuzzyTerm):
            if schema[fieldname].scorable:
                words.extend((fieldname, word) for word in fuzzy_words(index_view, node))
        elif isinstance(node, Q.Term):
            word = present(fieldname, node.text)
            if word is not None:
                words.append((fieldname, word))
        elif isinstance(node, Q.Phrase):
            found = [present(fieldname, w) for w in node.words]
            words.extend((fieldname, w) for w in found if w is not None)
            if len(node.words) > 1 and node.slop == 1 and None not in found:
                phrases.append((fieldname, list(node.words)))
        elif isinstance(node, Q.MultiTerm) and not isinstance(node, Q.NumericRange):
            for btext in whoosh_internals.expanded_terms(node, reader):
                word = present(fieldname, btext)
                if word is not None:
                    words.append((fieldname, word))

    if index_view.leaves:
        walk(query)
    return words, phrases
