"""The search index behind a small interface; Whoosh implements it.

Whoosh allows one writer at a time and a second one fails at once with LockError; here every
write waits its turn (retrying for up to ``WRITE_WAIT`` seconds) and users never see that error.
Readers are never blocked. Every commit merges the small segments that earlier commits left
(Whoosh's merge policy), so ingest never leaves many; a rebuild writes one big segment per core,
which stay as they are: merging two of 50,000 pages into one took as long as indexing them and
bought little (bench/search_bench.py measures both; `olke index optimize` merges when wanted).
The catalog is the source of truth: `rebuild` restores the index from it at any time, whatever
state a crash left the index in.
"""
from __future__ import annotations

import marshal
import os
import shutil
import threading
import time
from abc import ABC, abstractmethod
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator

from whoosh import index as whoosh_index
from whoosh import writing as whoosh_writing
from whoosh.codec.whoosh3 import W3Codec
from whoosh.index import LockError
from whoosh.searching import Searcher
from whoosh.writing import PostingPool

from archive.errors import ArchiveBusy, IndexDamaged
from archive.search.schema import STEMMED_FIELDS, build_schema

WRITE_WAIT = 120.0  # seconds a writer waits for another to finish
BULK_PROCS = max(1, min(4, os.cpu_count() or 1))   # a bulk load writes one segment per process
BULK_LIMIT_MB = 512        # postings each bulk process sorts in memory before spilling a run


@dataclass
class IndexCheck:
    missing: list[str]       # page keys in the catalog, not in the index
    extra: list[str]         # page keys in the index, not in the catalog
    stale: list[int]         # documents whose indexed metadata differs from the catalog
    outdated: bool = False   # written by an older Olke, in a layout this one reads more slowly

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale or self.outdated)


class SearchIndex(ABC):
    """What the archive needs from a search engine; a server engine could implement this too."""

    @abstractmethod
    def replace_documents(self, documents: Iterable[tuple[object, list[dict]]]) -> int: ...

    @abstractmethod
    def delete_documents(self, document_ids: Iterable[int]) -> None: ...

    @abstractmethod
    def keys(self) -> dict[str, tuple]: ...

    @abstractmethod
    def optimize(self) -> None: ...

    @abstractmethod
    def clear(self) -> None: ...

    def outdated(self) -> bool:
        """Whether the index was written in an older layout than this version writes."""
        return False


def page_fields(document, page: dict) -> dict:
    """The index document for one page of a catalog document."""
    year = int(document.published[:4]) if document.published else None
    fields = {
        "key": f"{document.id}:{page['number']}",
        "doc_id": document.id,
        "page": page["number"],
        "exact": page["text"],
        "title": document.title,
        "author": "; ".join(document.authors),
        "source": document.source or "",
        "rubric": "; ".join(document.rubrics),
        "kind": document.kind,
        "language": document.language,
        "page_language": page["language"] or document.language,
        "source_name": document.source or "",
        "rubric_name": ",".join(r.replace(",", " ") for r in document.rubrics),
        "published": document.published or "",
        "access": document.access,
    }
    if year:
        fields.update(year=year, decade=year // 10 * 10)
    languages = [page["language"]] if page["language"] else list(STEMMED_FIELDS)
    for language in languages:
        fields[STEMMED_FIELDS[language]] = page["text"]
    return fields


def metadata_signature(document) -> tuple:
    return (document.title, document.kind, document.language, document.source or "", document.published or "",
            document.access, ",".join(r.replace(",", " ") for r in document.rubrics))


class _RunPool(PostingPool):
    """Whoosh's posting pool, spilling sorted runs with marshal in large chunks instead of one pickle
    call per posting (a third of the time a big commit took went into pickling postings)."""

    CHUNK = 65536

    def _write_run(self, f, items):
        items = iter(items)
        while chunk := list(islice(items, self.CHUNK)):
            marshal.dump(chunk, f)
        f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = marshal.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


# Whoosh's writers (those of MpWriter's processes too) create their pool from this module global
whoosh_writing.PostingPool = _RunPool


def _codec() -> W3Codec:
    """Whoosh's codec without per-block length statistics: they serve only Whoosh's own top-N
    shortcuts, which Olke's engine does not use, and collecting them cost a lookup per posting."""
    codec = W3Codec()
    codec.length_stats = False
    return codec


class WhooshIndex(SearchIndex):
    def __init__(self, directory: Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._ix = None
        self._local = threading.local()

    @property
    def ix(self):
        """The Whoosh index, opened on first use; a damaged one says how to repair it."""
        if self._ix is None:
            try:
                if whoosh_index.exists_in(str(self.directory)):
                    self._ix = whoosh_index.open_dir(str(self.directory))
                else:
                    self._ix = whoosh_index.create_in(str(self.directory), build_schema())
            except Exception as error:
                raise IndexDamaged(f"the search index cannot be read ({type(error).__name__}); "
                                   "run `olke index rebuild`") from error
        return self._ix

    @contextmanager
    def writer(self, bulk: bool = False) -> Iterator:
        """A writer, waiting its turn; ``bulk`` writers index on every core, a segment each."""
        deadline = time.monotonic() + WRITE_WAIT
        delay = 0.05
        options = {"procs": BULK_PROCS, "limitmb": BULK_LIMIT_MB, "multisegment": True} \
            if bulk and BULK_PROCS > 1 else {}
        while True:
            try:
                writer = self.ix.writer(codec=_codec(), **options)
                break
            except LockError:
                if time.monotonic() > deadline:
                    raise ArchiveBusy("the search index is busy with another long update; try again in a few "
                                      "minutes, or run `olke index rebuild` if no other olke is running") from None
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    @contextmanager
    def searcher(self) -> Iterator:
        """A searcher on the index as it is now. Opening one costs tens of milliseconds, so each
        thread keeps its own open while the index stays as it was (same generation and segments)."""
        toc = self.ix._read_toc()
        state = (toc.generation, tuple(segment.segment_id() for segment in toc.segments))
        cached = getattr(self._local, "searcher", None)
        if cached is None or cached[0] != state:
            # passing the old reader closes it (Whoosh 2.7.4 then opens every segment afresh)
            searcher = Searcher(self.ix.reader(reuse=cached[1].reader() if cached else None), fromindex=self.ix)
            self._local.searcher = cached = (state, searcher)
        yield cached[1]

    def replace_documents(self, documents, bulk: bool = False) -> int:
        """Index these documents' pages in place of what the index held for them.

        ``bulk`` is for filling an empty index (rebuild): nothing to delete, every core analyses.
        """
        count = 0
        with self.writer(bulk=bulk) as writer:
            for document, pages in documents:
                if not bulk:
                    writer.delete_by_term("doc_id", document.id)
                for page in pages:
                    writer.add_document(**page_fields(document, page))
                    count += 1
        return count

    def delete_documents(self, document_ids) -> None:
        with self.writer() as writer:
            for document_id in document_ids:
                writer.delete_by_term("doc_id", document_id)

    def keys(self) -> dict[str, tuple]:
        with self.ix.searcher() as searcher:
            return {f["key"]: (f["doc_id"], f.get("title"), f.get("kind"), f.get("language"),
                               f.get("source_name", ""), f.get("published", ""), f.get("access"),
                               f.get("rubric_name", ""))
                    for f in searcher.all_stored_fields()}

    def optimize(self) -> None:
        """Merge the index into one segment (a single segment is already as good as it gets)."""
        if self.segment_count() <= 1:
            return
        with self.writer() as writer:
            writer.optimize = True

    def outdated(self) -> bool:
        """The schema is stored with the index: fields or posting formats that differ from what
        `build_schema` makes now mean an index written by an older Olke (a rebuild updates it)."""
        def layout(schema):
            return {name: (type(field).__name__, type(getattr(field, "format", None)).__name__)
                    for name, field in schema.items()}
        return layout(self.ix.schema) != layout(build_schema())

    def segment_count(self) -> int:
        return len(self.ix._segments())

    def clear(self) -> None:
        if self._ix is not None:
            self._ix.close()
        self._local = threading.local()
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory.mkdir(parents=True)
        self._ix = whoosh_index.create_in(str(self.directory), build_schema())
