"""The search index (``archive.search.interface.SearchIndex``) on tantivy, a second engine beside Whoosh.

Choose it with ``OLKE_SEARCH=tantivy`` (``archive.search.backends``). tantivy stores and matches;
Olke analyses: a page's words are stemmed, folded and split by Olke's own analysers
(``archive.search.analysis``, the same as Whoosh's index uses) and handed to tantivy already
analysed, joined by spaces, to a whitespace tokenizer (an Olke token never holds a space). Queries
are parsed by ``archive.search.query`` as for Whoosh and translated term by term (``_Translator``),
so both engines look up the same index words: the same pages match, with tantivy's BM25 scores.

What Olke's own engine computes over every match in numpy (documents, facet counts, ranking
documents by their best page) is done here without bringing every match into Python: the matched
documents and their page counts come from a terms aggregation on ``doc_id``, facets from
per-document metadata read once per index version, the best documents by walking tantivy's top
hits until enough distinct documents are found. Pages with most but not all of the query's words
(``archive.search.matching``) are tiers of a boolean query with a minimum number of words matched.
Snippets are made from the stored page text by ``archive.search.results``, as for Whoosh.

An index lives in generations, like Whoosh's (``index.py``): ``CURRENT`` names the live folder; a
rebuild writes a new one aside and swaps it in.
"""
from __future__ import annotations

import fnmatch
import json
import math
import os
import re
import shutil
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import tantivy
from whoosh import query as Q

from archive.crashpoints import crash_point
from archive.errors import ArchiveBusy, IndexDamaged, UsageError
from archive.search import results as page_results
from archive.search.analysis import exact_analyzer, page_analyzer
from archive.search.interface import SearchIndex, bulk_processes
from archive.search.model import FACETS, DocumentHit, SearchRequest, SearchResults
from archive.search.query import build, fuzzy_matches, least_words, plan
from archive.search.schema import ANALYSIS_MARK, STEMMED_FIELDS
from archive.search.spelling import suggest_with

LAYOUT = 2                  # bumped when the fields below change: an older index is `outdated` (2: library)
MARK_FILE = "olke-index.json"
CURRENT = "CURRENT"
GENERATION = "gen-"
BUILDING = "new-"
WRITE_WAIT = 120.0
HEAP = 256_000_000
# tantivy refuses an aggregation of more than 65,000 buckets (in all its levels): the documents of
# an answer, and each document's metadata, are counted by ranges of document ids small enough
DOC_RANGE = 30_000

# Olke's analysed fields: their words joined by spaces, split again by tantivy's whitespace tokenizer
ANALYSED = ("text_kaz", "text_rus", "exact", "title", "author", "source", "rubric")
POSITIONAL = frozenset({"exact"})
# Whoosh's field_boost of 2 doubles a title word's count before BM25 saturates it: for a word once
# in a title of average length, (2 * 2.2) / (2 + 1.2) = 1.375 times the score of a word counted once
FIELD_BOOSTS = {"title": 1.375}
KEYWORDS = ("key", "kind", "language", "page_language", "source_name", "rubric_name", "published", "access",
            "library")
NUMBERS = ("doc_id", "page", "year", "decade")
FACET_FIELDS = {"kind": "kind", "language": "language", "decade": "decade", "year": "year",
                "source": "source_name", "rubric": "rubric_name", "library": "library"}
HIGHLIGHT_FIELDS = frozenset(page_results.HIGHLIGHT_FIELDS)
META_FIELDS = ("kind", "language", "source_name", "published", "year", "decade", "rubric_name", "library")


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in ANALYSED:
        builder.add_text_field(name, tokenizer_name="whitespace",
                               index_option="position" if name in POSITIONAL else "freq")
    for name in KEYWORDS:
        builder.add_text_field(name, stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("title_stored", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field("text", stored=True)              # the page as printed, for snippets
    for name in NUMBERS:
        builder.add_unsigned_field(name, stored=True, indexed=True, fast=True)
    return builder.build()


_SCHEMA = build_schema()


# --------------------------------------------------------------------------------------------
# analysis: Olke's analysers, their tokens joined by spaces

_ANALYZERS = threading.local()


def _analyzers() -> dict:
    found = getattr(_ANALYZERS, "chains", None)
    if found is None:
        found = _ANALYZERS.chains = {"kaz": page_analyzer("kaz"), "rus": page_analyzer("rus"),
                                     "auto": page_analyzer("auto"), "exact": exact_analyzer()}
    return found


def _tokens(analyzer, text: str) -> str:
    return " ".join(t.text for t in analyzer(text)) if text else ""


def analysed_page(document, page: dict) -> dict:
    """One index document for a page: what Whoosh's ``index.page_fields`` holds, with the analysed
    fields as Olke's tokens joined by spaces."""
    from archive.search.index import page_fields

    fields = page_fields(document, page)
    chains = _analyzers()
    out = {name: fields[name] for name in KEYWORDS}
    out["title_stored"] = fields["title"]
    out["text"] = page["text"].encode("utf-8")
    for name in NUMBERS:
        if fields.get(name) is not None:
            out[name] = fields[name]
    for language in STEMMED_FIELDS:
        name = STEMMED_FIELDS[language]
        if name in fields:
            out[name] = _tokens(chains[language], fields[name])
    out["exact"] = _tokens(chains["exact"], page["text"])
    for name in ("title", "author", "source", "rubric"):
        out[name] = _tokens(chains["auto"], fields[name])
    return out


def _document(fields: dict) -> tantivy.Document:
    doc = tantivy.Document()
    for name, value in fields.items():
        if name == "text":
            doc.add_bytes(name, value)
        elif name == "rubric_name":
            for rubric in value.split(","):
                if rubric.strip():
                    doc.add_text(name, rubric.strip())
        elif name in NUMBERS:
            doc.add_unsigned(name, int(value))
        elif value != "" or name not in ANALYSED:
            doc.add_text(name, value)
    return doc


def _delete(writer, document_id: int) -> None:
    """Delete a document's pages (by query: tantivy's delete by term misses unsigned fields' terms)."""
    writer.delete_documents_by_query(tantivy.Query.term_query(_SCHEMA, "doc_id", int(document_id)))


def _analyse_batch(batch: list) -> list[dict]:
    return [analysed_page(document, page) for document, page in batch]


# --------------------------------------------------------------------------------------------
# the index on disk

class TantivyIndex(SearchIndex):
    """The tantivy index in ``directory``: generations swapped by a rebuild, one writer at a time."""

    def __init__(self, directory: Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._opened: dict[Path, tantivy.Index] = {}
        self._snapshot: Snapshot | None = None

    # --- generations -------------------------------------------------------------------------

    def live(self) -> Path | None:
        try:
            return self.directory / os.readlink(self.directory / CURRENT)
        except FileNotFoundError:
            return None

    def _index(self, generation: Path) -> tantivy.Index:
        with self._lock:
            ix = self._opened.get(generation)
            if ix is None:
                try:
                    ix = tantivy.Index(_SCHEMA, path=str(generation), reuse=True)
                except Exception as error:
                    raise IndexDamaged(f"the search index cannot be read ({error}); run `olke index rebuild`") from error
                self._opened[generation] = ix
            return ix

    def _live_index(self) -> tuple[Path, tantivy.Index]:
        generation = self.live()
        if generation is None:
            with _folder_lock(self.directory):
                generation = self.live()
                if generation is None:
                    generation, _ = self._new_generation([])
                    self._swap(generation)
        if not generation.exists():
            raise IndexDamaged(f"the search index is missing ({CURRENT} names {generation.name}); "
                               "run `olke index rebuild`")
        return generation, self._index(generation)

    def _new_generation(self, documents, bulk: bool = False) -> tuple[Path, int]:
        """A new generation of the index holding these documents, aside; and its pages' count."""
        building = self.directory / f"{BUILDING}{os.getpid()}-{time.time_ns()}"
        building.mkdir()
        try:
            ix = tantivy.Index(_SCHEMA, path=str(building), reuse=False)
            with _analysers(bulk) as pool:      # started before tantivy's writer threads
                writer = ix.writer(heap_size=HEAP, num_threads=1)      # one thread: one segment (Olke analyses)
                count = _add(writer, documents, replace=False, pool=pool)
            writer.commit()
            writer.wait_merging_threads()
            (building / MARK_FILE).write_text(json.dumps({"analysis": ANALYSIS_MARK, "layout": LAYOUT}))
            generation = self.directory / f"{GENERATION}{building.name[len(BUILDING):]}"
            building.rename(generation)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        return generation, count

    def _swap(self, generation: Path) -> None:
        link = self.directory / f"{CURRENT}.{os.getpid()}"
        link.unlink(missing_ok=True)
        os.symlink(generation.name, link)
        os.replace(link, self.directory / CURRENT)

    def remove_retired(self) -> list[str]:
        """Delete generations that are not live (readers that still map their files keep reading them)."""
        live = self.live()
        removed = []
        for entry in sorted(self.directory.iterdir()):
            if entry.name.startswith(BUILDING):
                pid = entry.name[len(BUILDING):].split("-", 1)[0]
                from archive.storage import process_alive
                if not (pid.isdigit() and process_alive(int(pid))):
                    shutil.rmtree(entry, ignore_errors=True)
            elif entry.name.startswith(GENERATION) and entry != live and entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
                with self._lock:
                    self._opened.pop(entry, None)
                removed.append(entry.name)
        return removed

    # --- reading -----------------------------------------------------------------------------

    def snapshot(self) -> "Snapshot":
        """The index as it is now; kept (with what was read of it) until a commit changes it."""
        generation, ix = self._live_index()
        try:
            stamp = (generation, (generation / "meta.json").stat().st_mtime_ns)
        except FileNotFoundError:
            stamp = (generation, None)
        current = self._snapshot
        if current is not None and current.stamp == stamp:
            return current
        ix.reload()
        current = self._snapshot = Snapshot(ix.searcher(), stamp)
        return current

    @contextmanager
    def searcher(self) -> Iterator["Snapshot"]:
        yield self.snapshot()

    def search(self, request: SearchRequest) -> SearchResults:
        return search(self, request)

    def highlight_terms(self, text: str, languages=None) -> dict[str, list[str]]:
        return highlight_terms(self, text, languages)

    def keys(self) -> dict[str, tuple]:
        snap = self.snapshot()
        out = {}
        for stored in snap.all_stored():
            out[stored["key"]] = (stored["doc_id"], stored.get("title"), stored.get("kind"), stored.get("language"),
                                  stored.get("source_name", ""), stored.get("published", ""), stored.get("access"),
                                  stored.get("rubric_name", ""))
        return out

    def page_counts(self) -> dict[int, int]:
        snap = self.snapshot()
        return dict(zip(*map(lambda a: a.tolist(), snap.doc_buckets(tantivy.Query.all_query()))))

    def outdated(self) -> bool:
        generation = self.live()
        if generation is None:
            return False
        try:
            mark = json.loads((generation / MARK_FILE).read_text())
        except (OSError, ValueError):
            return True
        return mark != {"analysis": ANALYSIS_MARK, "layout": LAYOUT}

    def segment_count(self) -> int:
        return self.snapshot().searcher.num_segments

    # --- writing -----------------------------------------------------------------------------

    @contextmanager
    def writer(self) -> Iterator:
        """The live generation's writer, waiting its turn (tantivy allows one writer an index)."""
        deadline = time.monotonic() + WRITE_WAIT
        delay = 0.05
        while True:
            generation, ix = self._live_index()
            try:
                writer = ix.writer(heap_size=HEAP, num_threads=1)
            except ValueError as error:
                if "Lock" not in str(error):
                    raise
                if time.monotonic() > deadline:
                    raise ArchiveBusy("the search index is busy with another long update; try again in a few "
                                      "minutes, or run `olke index rebuild` if no other olke is running") from None
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
                continue
            if generation != self.live():           # a rebuild swapped meanwhile: write into the new one
                del writer
                continue
            break
        try:
            yield writer
        except BaseException:
            writer.rollback()
            del writer
            raise
        crash_point("index-write")
        writer.commit()
        writer.wait_merging_threads()
        del writer

    def replace_documents(self, documents, bulk: bool = False) -> int:
        """Index these documents' pages in place of what the index held for them; ``bulk`` is for
        filling an empty index (nothing to delete; Olke's analysis on every core)."""
        with _analysers(bulk) as pool, self.writer() as writer:
            return _add(writer, documents, replace=not bulk, pool=pool)

    def delete_documents(self, document_ids) -> None:
        with self.writer() as writer:
            for document_id in document_ids:
                _delete(writer, document_id)

    def rebuild(self, documents: Iterable[tuple[object, list[dict]]], before_swap=None) -> int:
        with _folder_lock(self.directory):
            generation, count = self._new_generation(documents, bulk=True)
            if before_swap:
                before_swap()
            self._swap(generation)
        self._snapshot = None
        self.remove_retired()
        return count

    def optimize(self) -> None:
        """tantivy merges segments as it commits, by its own policy; its Python binding offers no
        merge on demand (`olke index rebuild` writes one segment)."""
        raise UsageError("tantivy merges its index segments itself; `olke index rebuild` writes a single segment")

    def clear(self) -> None:
        self.rebuild([])


@contextmanager
def _folder_lock(directory: Path):
    import fcntl

    with open(directory / ".rebuilding", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


BULK_BATCH = 64
IN_FLIGHT = 8      # batches out being analysed at a time, at most


@contextmanager
def _analysers(bulk: bool):
    """Processes that analyse pages for a bulk load (None: this process analyses); forked before
    tantivy's writer starts its threads."""
    procs = bulk_processes() if bulk else 1
    if procs == 1:
        yield None
        return
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(procs) as pool:
        yield pool


def _add(writer, documents, replace: bool, pool=None) -> int:
    """Add these documents' pages, analysed here or, in batches, by `pool` (Olke's analysis is
    Python; tantivy's writer does the rest in its own thread)."""
    count = 0
    if pool is not None:
        # the documents are read here, in this thread (a catalog's connection serves only its own);
        # a few batches at a time are out being analysed
        from collections import deque

        def take(result) -> int:
            for fields in result.get():
                writer.add_document(_document(fields))
            return len(result.get())
        pending: deque = deque()
        batch: list = []
        for document, pages in documents:
            if replace:
                _delete(writer, document.id)
            batch.extend((document, page) for page in pages)
            if len(batch) >= BULK_BATCH:
                pending.append(pool.apply_async(_analyse_batch, (batch,)))
                batch = []
                while len(pending) > IN_FLIGHT:
                    count += take(pending.popleft())
        if batch:
            pending.append(pool.apply_async(_analyse_batch, (batch,)))
        while pending:
            count += take(pending.popleft())
        return count
    for document, pages in documents:
        if replace:
            _delete(writer, document.id)
        for page in pages:
            writer.add_document(_document(analysed_page(document, page)))
            count += 1
    return count


# --------------------------------------------------------------------------------------------
# one version of the index, and what is read of it once

def _stored(doc: tantivy.Document) -> dict:
    """A page's stored fields as Whoosh gives them (single values; the text as ``exact``)."""
    data = doc.to_dict()
    out = {name: values[0] for name, values in data.items() if values and name not in ("rubric_name", "text")}
    out["title"] = out.pop("title_stored", "")
    out["rubric_name"] = ",".join(data.get("rubric_name", []))
    text = data.get("text")
    out["exact"] = bytes(text[0]).decode("utf-8") if text else ""
    return out


@dataclass
class DocumentColumns:
    """Per catalog document (indexed by its id): each facet value's ordinal (-1: none), the ordinal
    of its publication date, and the documents of each rubric."""
    labels: dict[str, list]
    ordinals: dict[str, np.ndarray]
    rubrics: dict[str, np.ndarray]

    @property
    def size(self) -> int:
        """One more than the highest document id the columns hold."""
        return len(self.ordinals["kind"])

    @property
    def facet_slots(self) -> "page_results.FacetSlots":
        """Every facet's values as slots, a document a unit (as ``results._facets`` counts them);
        the rubrics as (document, rubric) pairs."""
        if not hasattr(self, "_slots"):
            single = [(self.labels[FACET_FIELDS[name]], self.ordinals[FACET_FIELDS[name]])
                      for name in FACETS if name != "rubric"]
            labels = sorted(self.rubrics)
            owners = [self.rubrics[label] for label in labels]
            pairs = (labels, np.concatenate(owners) if owners else np.empty(0, np.int64),
                     np.repeat(np.arange(len(labels)), [len(o) for o in owners]).astype(np.int64), self.size)
            self._slots = page_results.FacetSlots(single, pairs, self.size)
        return self._slots


_KEY, _DOC_COUNT = itemgetter("key"), itemgetter("doc_count")     # of an aggregation's bucket


class Snapshot:
    """A searcher on one version of the index, with the per-document columns read from it."""

    def __init__(self, searcher: tantivy.Searcher, stamp):
        self.searcher = searcher
        self.stamp = stamp
        self._lock = threading.Lock()
        self._columns: DocumentColumns | None = None
        self._prefixes: OrderedDict = OrderedDict()
        self._frequencies: dict = {}
        self._top: int | None = None

    # --- lexicon -----------------------------------------------------------------------------

    def doc_freq(self, fieldname: str, word) -> int:
        key = (fieldname, word)
        found = self._frequencies.get(key)
        if found is None:
            found = self._frequencies[key] = self.searcher.doc_freq(fieldname, word)
        return found

    def words_from(self, fieldname: str, prefix: str) -> list[str]:
        key = (fieldname, prefix)
        with self._lock:
            if key in self._prefixes:
                self._prefixes.move_to_end(key)
                return self._prefixes[key]
        words = [word for word, count in self.searcher.terms_with_prefix(fieldname, prefix) if count]
        with self._lock:
            self._prefixes[key] = words
            while len(self._prefixes) > 512:
                self._prefixes.popitem(last=False)
        return words

    def has_prefix(self, fieldname: str, prefix: str) -> bool:
        """Whether a word of the field (on a page not deleted) begins with `prefix`."""
        found = self.searcher.terms_with_prefix(fieldname, prefix, limit=1)
        return bool(found) and found[0][1] > 0

    # --- matching ----------------------------------------------------------------------------

    def doc_buckets(self, query: tantivy.Query) -> tuple[np.ndarray, np.ndarray]:
        """The catalog documents with matching pages (sorted) and their matching pages' count."""
        buckets = []
        for found in self._aggregate_by_ranges(query, lambda size: {"d": {"terms": {"field": "doc_id",
                                                                                    "size": size}}}):
            buckets += found["d"]["buckets"]
        ids = np.fromiter(map(_KEY, buckets), dtype=np.int64, count=len(buckets))
        counts = np.fromiter(map(_DOC_COUNT, buckets), dtype=np.int64, count=len(buckets))
        order = np.argsort(ids)
        return ids[order], counts[order]

    def _aggregate_by_ranges(self, query: tantivy.Query, aggregation) -> Iterator[dict]:
        """`aggregation(documents)` over the pages `query` matches, as many times as it takes to
        stay within tantivy's bucket limit: once for the ids of up to `DOC_RANGE` documents, and a
        range of ids that is still refused is halved."""
        top = self.top_doc_id()
        ranges = [(low, min(top, low + DOC_RANGE - 1)) for low in range(0, top + 1, DOC_RANGE)]
        while ranges:
            low, high = ranges.pop(0)
            scoped = query if (low, high) == (0, top) else _boolean([
                (Occur.Must, query),
                (Occur.Must, _unscored(tantivy.Query.range_query(_SCHEMA, "doc_id", tantivy.FieldType.Unsigned,
                                                                 low, high)))])
            try:
                yield self.searcher.aggregate(scoped, aggregation(high - low + 1))
            except ValueError as error:
                if "bucket limit" not in str(error) or low == high:
                    raise
                middle = (low + high) // 2
                ranges[:0] = [(low, middle), (middle + 1, high)]

    def top_doc_id(self) -> int:
        """The highest document id in the index (0 when it is empty)."""
        if self._top is None:          # (read under `columns`' lock too: no lock of its own)
            found = self.searcher.aggregate(tantivy.Query.all_query(), {"m": {"max": {"field": "doc_id"}}})
            self._top = int(found["m"]["value"] or 0)
        return self._top

    def hits(self, query: tantivy.Query, limit: int) -> list[tuple[float, object, int]]:
        """(score, address, document id) of the best `limit` pages."""
        found = self.searcher.search(query, limit=max(1, limit), count=False).hits
        if not found:
            return []
        addresses = [address for _, address in found]
        doc_ids = self.searcher.fast_field_values("doc_id", addresses)
        return [(score, address, int(doc_id)) for (score, address), doc_id in zip(found, doc_ids)]

    def stored(self, address) -> dict:
        return _stored(self.searcher.doc(address))

    def all_stored(self) -> Iterator[dict]:
        total = self.searcher.num_docs
        if not total:
            return
        for _, address in self.searcher.search(tantivy.Query.all_query(), limit=total, count=False).hits:
            yield self.stored(address)

    # --- per document ------------------------------------------------------------------------

    def columns(self) -> DocumentColumns:
        with self._lock:
            if self._columns is None:
                self._columns = self._read_columns()
            return self._columns

    def _read_columns(self) -> DocumentColumns:
        """Each document's metadata (the same on all its pages): for each field, the documents of
        each of its values, aggregated over all pages."""
        values: dict[str, dict] = {name: {} for name in META_FIELDS}
        for name in META_FIELDS:
            for found in self._aggregate_by_ranges(tantivy.Query.all_query(), lambda size, name=name: {
                    "v": {"terms": {"field": name, "size": 65_000},
                          "aggs": {"d": {"terms": {"field": "doc_id", "size": size}}}}}):
                for bucket in found["v"]["buckets"]:
                    for owner in bucket["d"]["buckets"]:
                        doc_id = int(owner["key"])
                        if name == "rubric_name":
                            values[name].setdefault(doc_id, []).append(bucket["key"])
                        else:
                            values[name].setdefault(doc_id, bucket["key"])
        top = self.top_doc_id() + 1 if self.searcher.num_docs else 0
        labels, ordinals = {}, {}
        for name in META_FIELDS:
            if name == "rubric_name":
                continue
            cast = int if name in NUMBERS else str
            distinct = sorted({cast(v) for v in values[name].values()})
            position = {label: i for i, label in enumerate(distinct)}
            column = np.full(top, -1, dtype=np.int64)
            for doc_id, value in values[name].items():
                column[doc_id] = position[cast(value)]
            labels[name], ordinals[name] = distinct, column
        rubrics: dict[str, list[int]] = {}
        for doc_id, names in values["rubric_name"].items():
            for name in names:
                rubrics.setdefault(name, []).append(doc_id)
        return DocumentColumns(labels, ordinals, {k: np.array(sorted(v), dtype=np.int64) for k, v in rubrics.items()})


# --------------------------------------------------------------------------------------------
# from Olke's parsed query (Whoosh's query objects) to tantivy's

Occur = tantivy.Occur


def _boolean(clauses: list, minimum: int | None = None) -> tantivy.Query:
    if minimum:
        return tantivy.Query.boolean_query(clauses, minimum)
    return tantivy.Query.boolean_query(clauses)


def _unscored(query: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.const_score_query(query, 0.0)


def _everything() -> tantivy.Query:
    return _unscored(tantivy.Query.all_query())


class _Translator:
    """Whoosh query objects (as ``archive.search.query`` makes them) as tantivy queries; the words
    it looks up in the fields pages are marked by are kept, as Olke's engine keeps them."""

    def __init__(self, snapshot: Snapshot):
        self.snapshot = snapshot
        self.terms: list[tuple[str, str]] = []
        self.phrases: list[tuple[str, list[str]]] = []
        self.negated = 0            # inside a NOT: its words are looked up but never marked

    def excluded(self, node: Q.Query) -> tantivy.Query:
        self.negated += 1
        try:
            return self(node)
        finally:
            self.negated -= 1

    def __call__(self, node: Q.Query) -> tantivy.Query:
        found = self.translate(node)
        boost = getattr(node, "boost", 1.0)
        if boost != 1 and not isinstance(node, (Q.Term, Q.FuzzyTerm, Q.Phrase, Q.MultiTerm)):
            found = tantivy.Query.boost_query(found, boost)
        return found

    def translate(self, node: Q.Query) -> tantivy.Query:
        if isinstance(node, Q.Term):
            return self.term(node.fieldname, node.text, node.boost)
        if isinstance(node, Q.FuzzyTerm):
            return self.words(node.fieldname, fuzzy_words(self.snapshot, node), node.boost)
        if isinstance(node, Q.And):
            positive = [c for c in node.subqueries if not isinstance(c, Q.Not)]
            negative = [c.query for c in node.subqueries if isinstance(c, Q.Not)]
            clauses = [(Occur.Must, self(c)) for c in positive] or [(Occur.Must, _everything())]
            return _boolean(clauses + [(Occur.MustNot, self.excluded(c)) for c in negative])
        if isinstance(node, (Q.Or, Q.DisjunctionMax)):
            if not node.subqueries:
                return tantivy.Query.empty_query()
            return _boolean([(Occur.Should, self(c)) for c in node.subqueries])
        if isinstance(node, Q.AndNot):
            return _boolean([(Occur.Must, self(node.a)), (Occur.MustNot, self.excluded(node.b))])
        if isinstance(node, Q.AndMaybe):
            return _boolean([(Occur.Must, self(node.a)), (Occur.Should, self(node.b))])
        if isinstance(node, Q.Require):
            return _boolean([(Occur.Must, self(node.a)), (Occur.Must, _unscored(self(node.b)))])
        if isinstance(node, Q.Not):
            return _boolean([(Occur.Must, _everything()), (Occur.MustNot, self.excluded(node.query))])
        if isinstance(node, Q.Every):
            return _everything()
        if isinstance(node, type(Q.NullQuery)):
            return tantivy.Query.empty_query()
        if isinstance(node, Q.NumericRange):
            return _unscored(tantivy.Query.range_query(
                _SCHEMA, node.fieldname, tantivy.FieldType.Unsigned,
                max(0, node.start) if node.start is not None else None, node.end,
                include_lower=not node.startexcl, include_upper=not node.endexcl))
        if isinstance(node, Q.Phrase):
            return self.phrase(node)
        if isinstance(node, (Q.Prefix, Q.Wildcard)):
            return self.words(node.fieldname, expanded_words(self.snapshot, node), node.boost)
        return tantivy.Query.empty_query()         # term ranges over words: not offered by Olke's parser

    def term(self, fieldname: str, text, boost: float = 1.0) -> tantivy.Query:
        if fieldname in NUMBERS:
            return _unscored(tantivy.Query.term_query(_SCHEMA, fieldname, int(text)))
        if fieldname not in ANALYSED:
            return _unscored(tantivy.Query.term_query(_SCHEMA, fieldname, str(text), index_option="basic"))
        text = text.decode("utf-8") if isinstance(text, bytes) else str(text)
        if not self.negated and fieldname in HIGHLIGHT_FIELDS and self.snapshot.doc_freq(fieldname, text):
            self.terms.append((fieldname, text))
        found = tantivy.Query.term_query(_SCHEMA, fieldname, text,
                                         index_option="position" if fieldname in POSITIONAL else "freq")
        boost *= FIELD_BOOSTS.get(fieldname, 1.0) * self.idf_ratio(fieldname, text)
        return found if boost == 1 else tantivy.Query.boost_query(found, boost)

    def idf_ratio(self, fieldname: str, text: str) -> float:
        """Whoosh's idf over tantivy's for this word: both score BM25 with the same k1 and b, but
        tantivy's idf, log(1 + (N - n + 0.5) / (n + 0.5)), weighs rare words (OCR variants, most
        fuzzy words) far above common ones, more than Whoosh's log(N / (n + 1)) + 1 does; scaled
        so, a page scores about as in Olke's Whoosh index and pages rank alike."""
        frequency = self.snapshot.doc_freq(fieldname, text)
        total = self.snapshot.searcher.num_docs
        if not frequency or not total:
            return 1.0
        theirs = math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))
        return (math.log(total / (frequency + 1)) + 1) / theirs if theirs > 0 else 1.0

    def words(self, fieldname: str, words: list[str], boost: float) -> tantivy.Query:
        if not words:
            return tantivy.Query.empty_query()
        return _boolean([(Occur.Should, self.term(fieldname, word, boost)) for word in words])

    def phrase(self, node: Q.Phrase) -> tantivy.Query:
        words = [w.decode("utf-8") if isinstance(w, bytes) else w for w in node.words]
        terms = [self.term(node.fieldname, w) for w in words]
        if len(words) == 1:
            return terms[0]
        if node.fieldname not in POSITIONAL:
            return _boolean([(Occur.Must, t) for t in terms])
        if node.slop == 1 and not self.negated and all(self.snapshot.doc_freq(node.fieldname, w) for w in words):
            self.phrases.append((node.fieldname, words))
        found = tantivy.Query.phrase_query(_SCHEMA, node.fieldname, words, slop=max(0, node.slop - 1))
        return found if node.boost == 1 else tantivy.Query.boost_query(found, node.boost)


def fuzzy_words(snapshot: Snapshot, node: Q.FuzzyTerm) -> list[str]:
    """As ``engine.fuzzy_words``: the index's words that a fuzzy term stands for."""
    return sorted(fuzzy_matches(node, snapshot.words_from(node.fieldname, node.text[:node.prefixlength])))


def expanded_words(snapshot: Snapshot, node) -> list[str]:
    """The index words a prefix* or wild?card stands for."""
    text = node.text.decode("utf-8") if isinstance(node.text, bytes) else node.text
    if isinstance(node, Q.Prefix):
        return snapshot.words_from(node.fieldname, text)
    literal = re.split(r"[*?]", text, 1)[0]
    pattern = re.compile(fnmatch.translate(text))
    return [w for w in snapshot.words_from(node.fieldname, literal) if pattern.match(w)]


# --------------------------------------------------------------------------------------------
# a search, as ``archive.search.results.search`` answers it for Whoosh

@dataclass
class _Plan:
    tiers: list                              # queries: pages with all the words, then fewer (partial:
                                             # at least half of them, then as few as it takes)
    words: list[tuple[str, tantivy.Query]] = field(default_factory=list)
    counted: dict = field(default_factory=dict)    # tier number -> its documents and page counts

    def buckets(self, snapshot: "Snapshot", number: int) -> tuple[np.ndarray, np.ndarray]:
        """Tier `number`'s documents and their matching pages' counts (counted once)."""
        if number not in self.counted:
            self.counted[number] = snapshot.doc_buckets(self.tiers[number])
        return self.counted[number]


def _tiers(snapshot: Snapshot, translate: _Translator, request: SearchRequest) -> _Plan:
    taken = plan(request)
    if not taken.split:
        return _Plan([translate(taken.whole)])
    musts = [translate(q) for q in taken.required]
    if taken.restrict is not None:
        musts.append(translate(taken.restrict))
    nots = [translate.excluded(q) for q in taken.excluded]
    words = [(word, translate(q)) for word, q in taken.words]
    fixed = [(Occur.Must, q) for q in musts] + [(Occur.MustNot, q) for q in nots]
    if not words:
        return _Plan([_boolean(fixed if musts else [(Occur.Must, _everything())] + fixed)])

    def at_least(count: int) -> tantivy.Query:
        return _boolean([(Occur.Should, q) for _, q in words] + fixed, count)
    counted: dict[int, tuple] = {}                 # words at least -> documents and page counts

    def documents_with(count: int) -> int:
        if count not in counted:
            counted[count] = snapshot.doc_buckets(at_least(count))
        return len(counted[count][0])
    least = least_words(len(words), taken.needed, request.per_page, documents_with)
    # tiers: every word; at least half of them; fewer, when these fill no page of results
    thresholds = list(dict.fromkeys(k for k in (len(words), taken.needed, least) if k >= least))
    return _Plan([at_least(k) for k in thresholds], words,
                 {n: counted[k] for n, k in enumerate(thresholds) if k in counted})


def _walk(snapshot: Snapshot, query, wanted: int, skip=None, within: np.ndarray | None = None,
          pages: dict | None = None) -> list:
    """(document id, best score, best page's address) of the best `wanted` documents, best first;
    with `pages`, the best pages of each document among the hits read are kept there too."""
    if within is not None:
        query = _boolean([(Occur.Must, query),
                          (Occur.Must, _unscored(tantivy.Query.term_set_query(_SCHEMA, "doc_id", within.tolist())))])
    limit = max(16, wanted * 4)
    while True:
        found = snapshot.hits(query, limit)
        seen: dict[int, tuple] = {}
        kept: dict[int, list] = {}
        for score, address, doc_id in found:
            if doc_id not in seen and len(seen) < wanted and (skip is None or not skip(doc_id)):
                seen[doc_id] = (doc_id, score, address)
            if doc_id in seen and len(kept.setdefault(doc_id, [])) < page_results.PAGES_PER_DOCUMENT:
                kept[doc_id].append((score, address))
        if pages is not None:
            pages.update(kept)
        if len(seen) >= wanted or len(found) < limit:
            return sorted(seen.values(), key=lambda item: (-item[1], item[0]))
        limit *= 4


def search(index: TantivyIndex, request: SearchRequest) -> SearchResults:
    started = time.perf_counter()
    request.validate()
    snapshot = index.snapshot()
    columns = snapshot.columns()
    translate = _Translator(snapshot)
    taken = _tiers(snapshot, translate, request)
    doc_ids, page_counts = taken.buckets(snapshot, len(taken.tiers) - 1)
    tier_of = np.zeros(len(doc_ids), dtype=np.int64)
    if len(taken.tiers) > 1:
        tier_of[:] = len(taken.tiers) - 1
        for number in reversed(range(len(taken.tiers) - 1)):
            ids, _ = taken.buckets(snapshot, number)
            tier_of[np.isin(doc_ids, ids, assume_unique=True)] = number
    first = (request.page - 1) * request.per_page
    known: dict[int, list] = {}
    ranked = _rank(snapshot, columns, taken, request.sort, doc_ids, tier_of, first + request.per_page, known)
    window = ranked[first:first + request.per_page]
    shown_ids = [doc_id for doc_id, _, _ in window]           # their tiers and page counts (of them only:
    at = np.searchsorted(doc_ids, shown_ids)                   # a word may match thousands of documents)
    tiers = dict(zip(shown_ids, tier_of[at].tolist()))
    pages = dict(zip(shown_ids, page_counts[at].tolist()))

    terms = page_results.terms_to_mark(translate.terms, translate.phrases)
    matchers: dict = {}
    documents = []
    shown = _best_pages(snapshot, taken, window, tiers, pages, known)
    stored = {doc_id: [snapshot.stored(a) for _, a in chosen] for doc_id, chosen in shown.items()}
    missing = _missing_words(snapshot, taken, {doc_id: stored[doc_id][0]["key"] for doc_id, _, _ in window
                                               if tiers[doc_id]})
    for doc_id, _, _ in window:
        documents.append(_document_hit(shown[doc_id], stored[doc_id], pages[doc_id], terms, matchers,
                                       missing.get(doc_id, [])))
    complete_documents = int((tier_of == 0).sum())
    suggestion = None
    if request.text and (len(doc_ids) < 3 or not complete_documents):      # as Whoosh's
        suggestion = suggest_with(_Lexicon(snapshot), request.text)
    inside = doc_ids[doc_ids < columns.size]
    facets = columns.facet_slots.count(inside, inside)
    return SearchResults(request, len(doc_ids), int(page_counts.sum()), documents, facets,
                         {k: sorted(v) for k, v in terms.items()}, round((time.perf_counter() - started) * 1000, 1),
                         suggestion, partial=complete_documents < len(doc_ids),
                         complete_documents=complete_documents)


def _rank(snapshot: Snapshot, columns: DocumentColumns, taken: _Plan, sort: str, doc_ids: np.ndarray,
          tier_of: np.ndarray, wanted: int, known: dict | None = None) -> list[tuple[int, float, object]]:
    """The first `wanted` documents in the order asked for: those with all the words first (then
    fewer), by their best page's score or by date (undated last), as ``results._rank``; the best
    pages of documents seen on the way are kept in `known` (by document), when a query has one tier."""
    known = {} if known is None else known
    out: list = []
    for number, query in enumerate(taken.tiers):
        if len(out) >= wanted:
            break
        members = doc_ids[tier_of == number]
        if not len(members):
            continue
        if sort == "relevance":
            skip = None if len(taken.tiers) == 1 else (lambda d, allowed=set(members.tolist()): d not in allowed)
            out += _walk(snapshot, query, wanted - len(out), skip, pages=known if len(taken.tiers) == 1 else None)
            continue
        ordinals = columns.ordinals["published"]
        dated = np.where(members < len(ordinals), ordinals[np.minimum(members, len(ordinals) - 1)], -1)
        key = np.where(dated < 0, np.iinfo(np.int64).max, dated) if sort == "date" else -dated
        order = np.argsort(key, kind="stable")
        members, key = members[order], key[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        for start, end in zip(starts, np.r_[starts[1:], len(key)]):
            if len(out) >= wanted:
                break
            group = members[start:end]
            out += _walk(snapshot, query, len(group), within=group)[:wanted - len(out)]
    return out[:wanted]


# the most pages of the documents shown that one query reads to find their best pages (else one
# query a document)
_SHOWN_PAGES_AT_ONCE = 2000


def _best_pages(snapshot: Snapshot, taken: _Plan, window: list, tiers: dict, pages: dict,
                known: dict) -> dict[int, list]:
    """Each shown document's best pages (fewest words missing, then best score), as Whoosh's are
    chosen: (score, address) pairs, its best page first. `known`, the best pages already read (in a
    query of one tier), spares a search; the others are read one query a tier for all the
    documents shown that still want pages (one a document where they have very many pages)."""
    wanted = page_results.PAGES_PER_DOCUMENT
    chosen: dict[int, list] = {}
    for doc_id, score, address in window:
        have = known.get(doc_id)
        chosen[doc_id] = list(have[:wanted]) if have and len(have) >= min(wanted, pages[doc_id]) else [(score, address)]
    for number, query in enumerate(taken.tiers):
        short = [doc_id for doc_id, _, _ in window
                 if tiers[doc_id] <= number and len(chosen[doc_id]) < min(wanted, pages[doc_id])]
        if not short:
            continue
        total = sum(pages[doc_id] for doc_id in short)
        groups = [short] if total <= _SHOWN_PAGES_AT_ONCE else [[doc_id] for doc_id in short]
        for group in groups:
            scoped = _boolean([(Occur.Must, query),
                               (Occur.Must, _unscored(tantivy.Query.term_set_query(_SCHEMA, "doc_id", group)))])
            limit = sum(pages[doc_id] for doc_id in group) if len(group) > 1 else wanted + 1
            for page_score, page_address, doc_id in snapshot.hits(scoped, limit):
                have = chosen[doc_id]
                if len(have) < wanted and (page_address.segment_ord, page_address.doc) not in {
                        (a.segment_ord, a.doc) for _, a in have}:
                    have.append((page_score, page_address))
    return chosen


def _missing_words(snapshot: Snapshot, taken: _Plan, best: dict[int, str]) -> dict[int, list[str]]:
    """For documents shown without all the words (by document, the key of its best page), the words
    their best page lacks: one query a word over those pages."""
    if not best:
        return {}
    pages = _unscored(tantivy.Query.term_set_query(_SCHEMA, "key", list(best.values())))
    missing: dict[int, list[str]] = {doc_id: [] for doc_id in best}
    for word, query in taken.words:
        found = {doc_id for _, _, doc_id in snapshot.hits(_boolean([(Occur.Must, pages), (Occur.Must, query)]),
                                                          len(best))}
        for doc_id in best:
            if doc_id not in found:
                missing[doc_id].append(word)
    return missing


def _document_hit(chosen: list, stored: list[dict], count: int, terms: dict, matchers: dict,
                  missing: list[str]) -> DocumentHit:
    """A document shown, from its best pages' stored fields, as Whoosh's results page shows it."""
    matches = _ShownMatches(np.arange(len(chosen)), np.array([s for s, _ in chosen], dtype=np.float64))
    document = page_results._document_hit(stored.__getitem__, matches, np.arange(len(chosen)), count, terms, matchers)
    document.missing = missing
    return document


@dataclass
class _ShownMatches:
    ids: np.ndarray
    scores: np.ndarray


class _Lexicon:
    """The index's words, as ``spelling.suggest_with`` asks for them."""

    def __init__(self, snapshot: Snapshot):
        self.snapshot = snapshot

    def has(self, fieldname: str, word: str) -> bool:
        return bool(self.snapshot.doc_freq(fieldname, word))

    def doc_frequency(self, fieldname: str, word: str) -> int:
        return self.snapshot.doc_freq(fieldname, word)

    def has_prefix(self, fieldname: str, prefix: str) -> bool:
        return self.snapshot.has_prefix(fieldname, prefix)


def highlight_terms(index: TantivyIndex, text: str, languages=None) -> dict[str, list[str]]:
    """As ``results.highlight_terms``: the query's words that the index has, without a search."""
    if not text:
        return {}
    fields = set(HIGHLIGHT_FIELDS)
    if languages is not None and set(languages) <= set(STEMMED_FIELDS):
        fields = {"exact"} | {STEMMED_FIELDS[language] for language in languages}
    translate = _Translator(index.snapshot())
    translate(build(SearchRequest(text=text)))
    return {k: sorted(v) for k, v in page_results.terms_to_mark(translate.terms, translate.phrases, fields).items()}


def ranked_pages(index: TantivyIndex, request: SearchRequest, limit: int) -> list[dict]:
    """The best `limit` pages themselves (not grouped by document), those with all the query's
    words first, then those with most of them, by score; their stored fields."""
    snapshot = index.snapshot()
    taken = _tiers(snapshot, _Translator(snapshot), request)
    chosen: dict[tuple[int, int], object] = {}
    for query in taken.tiers:
        for _, address, _ in snapshot.hits(query, limit + len(chosen)):
            chosen.setdefault((address.segment_ord, address.doc), address)
            if len(chosen) >= limit:
                return [snapshot.stored(a) for a in chosen.values()]
    return [snapshot.stored(a) for a in chosen.values()]


def core(index: TantivyIndex, request: SearchRequest) -> tuple[Snapshot, _Plan, int]:
    """The query core, as ``search`` begins: the request planned and translated, and every matching
    page counted (by document); for timing it apart from the rest of the results path."""
    snapshot = index.snapshot()
    taken = _tiers(snapshot, _Translator(snapshot), request)
    _, counts = taken.buckets(snapshot, len(taken.tiers) - 1)
    return snapshot, taken, int(counts.sum())
