"""The search index (``archive.search.interface.SearchIndex``), as Whoosh implements it.

Whoosh allows one writer at a time and a second one fails at once with LockError; here every
write waits its turn (retrying for up to ``WRITE_WAIT`` seconds) and users never see that error.
Readers are never blocked. Every commit merges the small segments that earlier commits left
(Whoosh's merge policy), so ingest never leaves many; a rebuild writes one big segment per core,
which stay as they are: merging two of 50,000 pages into one took as long as indexing them and
bought little (bench/search_bench.py measures both; `olke index optimize` merges when wanted).
The catalog is the source of truth: `rebuild` restores the index from it whatever state a crash
left the index in, writing the new index aside and swapping it in while searches go on.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.searching import Searcher

from archive import rubrics
from archive.crashpoints import crash_point
from archive.errors import ArchiveBusy, IndexDamaged
from archive.search.interface import SearchIndex, bulk_processes
from archive.search.model import SearchRequest, SearchResults
from archive.search.schema import STEMMED_FIELDS, build_schema, encode_text
from archive.search import results, whoosh_internals
from archive.search.whoosh_internals import packed_segments, segment_count, use_run_pool
from archive.storage import process_alive

WRITE_WAIT = 120.0  # seconds a writer waits for another to finish
BULK_LIMIT_MB = 512        # postings each bulk process sorts in memory before spilling a run


def page_fields(document, page: dict) -> dict:
    """The index document for one page of a catalog document."""
    year = int(document.published[:4]) if document.published else None
    # a page is stemmed in its own language, else in its document's, else in both: as the results
    # page and the viewer mark its words (page_language)
    language = page["language"] or document.language or ""
    fields = {
        "key": f"{document.id}:{page['number']}",
        "doc_id": document.id,
        "page": page["number"],
        "exact": page["text"],
        "title": document.title,
        "author": "; ".join(document.authors),
        "source": document.source or "",
        # as written, and every name of the known ones: rubric:краеведение finds "Өлкетану" too
        "rubric": "; ".join(dict.fromkeys([*document.rubrics, *(name for key in rubrics.keys_of(document.rubrics)
                                                                 for name in rubrics.names(key))])),
        "kind": document.kind,
        "language": document.language or "",
        "page_language": language,
        "source_name": document.source or "",
        "rubric_name": rubrics.facet_value(document.rubrics),      # keys (archive.rubrics)
        "published": document.published or "",
        "access": document.access,
        "library": getattr(document, "library", "") or "",
    }
    if year:
        fields.update(year=year, decade=year // 10 * 10)
    languages = [language] if language in STEMMED_FIELDS else list(STEMMED_FIELDS)
    for language in languages:
        fields[STEMMED_FIELDS[language]] = page["text"]
    return fields


def whoosh_fields(document, page: dict) -> dict:
    """`page_fields` as Whoosh's index takes them: with the page's text in its own column
    (``schema.encode_text``; tantivy keeps the text in its own store)."""
    return {**page_fields(document, page), "page_text": encode_text(page["text"], results.plain_text(page["text"]))}


def _codec() -> whoosh_internals.PackedCodec:
    """Whoosh's codec with packed posting blocks and stored fields not compressed
    (`PlainStoredCodec`), without per-block length statistics: they serve only Whoosh's own top-N
    shortcuts, which Olke's engine does not use, and collecting them cost a lookup per posting."""
    codec = whoosh_internals.PlainStoredCodec()       # by the module: a test may reload it
    codec.length_stats = False
    return codec


class WhooshIndex(SearchIndex):
    """The Whoosh index in ``directory``, as generations that a rebuild swaps in one step.

    ``CURRENT`` (a symbolic link) names the live generation, a folder beside it; an index written
    before generations existed (or a new one, until its first rebuild) lives in ``directory``
    itself. A rebuild writes a new generation aside (``new-<pid>-…``), renames it into place and
    replaces ``CURRENT`` atomically (``os.replace``): readers see the old index or the new one,
    never a missing or half-written one. Every reader and writer of a generation holds a shared
    lock (flock) on its folder; a retired generation is deleted only when no one does: by its
    last reader as it moves on, or by a later rebuild.
    """

    def __init__(self, directory: Path):
        use_run_pool()
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._opened: dict[Path, object] = {}
        self._opened_lock = threading.Lock()
        self._local = threading.local()

    # --- generations -------------------------------------------------------------------------

    def live(self) -> Path:
        """The folder of the live generation (one readlink: cheap enough to ask on every search)."""
        try:
            return self.directory / os.readlink(self.directory / CURRENT)
        except FileNotFoundError:
            return self.directory

    def _index(self, generation: Path):
        """The Whoosh index of a generation, opened once; a damaged one says how to repair it."""
        with self._opened_lock:
            ix = self._opened.get(generation)
            if ix is None:
                try:
                    if whoosh_index.exists_in(str(generation)):
                        ix = whoosh_index.open_dir(str(generation))
                    elif generation == self.directory:
                        ix = _create_first(generation)
                    else:
                        raise FileNotFoundError(f"{generation.name} has no index")
                except Exception as error:
                    raise IndexDamaged(f"the search index cannot be read ({type(error).__name__}); "
                                       "run `olke index rebuild`") from error
                self._opened[generation] = ix
            return ix

    @property
    def ix(self):
        """The live generation's Whoosh index."""
        return self._index(self.live())

    def _hold_live(self) -> tuple[Path, int]:
        for _ in range(200):
            generation = self.live()
            fd = _hold(generation)
            if fd is not None:
                if generation == self.live() or whoosh_index.exists_in(str(generation)):
                    return generation, fd
                os.close(fd)
            elif not generation.exists() and generation == self.live():
                raise IndexDamaged(f"the search index is missing ({CURRENT} names {generation.name}, which is "
                                   "not there); run `olke index rebuild`")
            time.sleep(0.01)        # swapped and deleted in between: look again
        raise IndexDamaged("the search index keeps changing under this reader; run `olke index check`")

    # --- reading -----------------------------------------------------------------------------

    @contextmanager
    def searcher(self) -> Iterator:
        """A searcher on the index as it is now. Opening one costs tens of milliseconds, so each
        thread keeps its own open (and its generation held) while the index stays as it was."""
        cached = getattr(self._local, "searcher", None)
        generation = self.live()
        if cached is not None and cached.generation != generation:
            cached.close()
            self._local.searcher = None
            self._retire(cached.generation)     # deleted now if this was its last reader
            cached = None
        if cached is None:
            generation, fd = self._hold_live()
            cached = self._local.searcher = _HeldSearcher(generation, fd)
        ix = self._index(cached.generation)
        state = ix.latest_generation()          # every commit writes the next table of contents
        if cached.searcher is None or cached.state != state:
            # passing the old reader closes it (Whoosh 2.7.4 then opens every segment afresh)
            reuse = cached.searcher.reader() if cached.searcher is not None else None
            cached.searcher = Searcher(ix.reader(reuse=reuse), fromindex=ix)
            cached.state = state
        yield cached.searcher

    def search(self, request: SearchRequest) -> SearchResults:
        return results.search(self, request)

    def highlight_terms(self, text: str, languages=None) -> dict[str, list[str]]:
        return results.highlight_terms(self, text, languages)

    def keys(self) -> dict[str, tuple]:
        with self.searcher() as searcher:
            return {f["key"]: (f["doc_id"], f.get("title"), f.get("kind"), f.get("language"),
                               f.get("source_name", ""), f.get("published", ""), f.get("access"),
                               f.get("rubric_name", ""))
                    for f in searcher.all_stored_fields()}

    def page_counts(self) -> dict[int, int]:
        """Pages indexed per document, from the ``doc_id`` column (milliseconds, not a full read)."""
        import numpy as np

        from archive.search import engine

        with self.searcher() as searcher:
            pages = engine.view(searcher)
            if not pages.size:
                return {}
            counts = np.bincount(pages.numeric("doc_id")[pages.live_ids()])
        return {int(doc_id): int(counts[doc_id]) for doc_id in np.flatnonzero(counts)}

    def outdated(self) -> bool:
        """The schema is stored with the index: fields or posting formats that differ from what
        `build_schema` makes now, or another analysis mark (other stems), mean an index written by
        an older Olke (a rebuild updates it); so do segments written without packed posting
        blocks, which are read several times more slowly."""
        def layout(schema):
            return {name: (type(field).__name__, type(getattr(field, "format", None)).__name__)
                    for name, field in schema.items()}
        return layout(self.ix.schema) != layout(build_schema()) or not packed_segments(self.ix)

    def segment_count(self) -> int:
        return segment_count(self.ix)

    # --- writing -----------------------------------------------------------------------------

    @contextmanager
    def writer(self, bulk: bool = False) -> Iterator:
        """A writer of the live generation, waiting its turn; ``bulk`` writers index on every
        core, a segment each. A writer that got its turn just as a rebuild swapped in a new
        generation moves on to that one, so nothing is written into a retired index."""
        with self._write_turn() as generation:
            writer = self._index(generation).writer(_lk=False, **_writer_options(bulk))
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            crash_point("index-write")
            writer.commit()

    @contextmanager
    def _write_turn(self, missing_ok: bool = False) -> Iterator[Path | None]:
        """The live generation's write lock (Whoosh's own, so that its writers wait for it too),
        waiting for other writers and rebuilds up to WRITE_WAIT seconds. With ``missing_ok`` (a
        rebuild), a live generation that is not there at all gives None: nothing to wait for."""
        deadline = time.monotonic() + WRITE_WAIT
        delay = 0.05
        while True:
            try:
                generation, fd = self._hold_live()
            except IndexDamaged:
                if missing_ok and not self.live().exists():
                    yield None
                    return
                raise
            try:
                lock = FileStorage(str(generation)).lock(f"{whoosh_index._DEF_INDEX_NAME}_WRITELOCK")
                if lock.acquire(blocking=False):
                    try:
                        if generation == self.live():
                            yield generation
                            return
                    finally:
                        lock.release()
                    continue
            finally:
                os.close(fd)
            if time.monotonic() > deadline:
                raise ArchiveBusy("the search index is busy with another long update; try again in a few "
                                  "minutes, or run `olke index rebuild` if no other olke is running") from None
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    def replace_documents(self, documents, bulk: bool = False) -> int:
        """Index these documents' pages in place of what the index held for them.

        ``bulk`` is for filling an empty index (rebuild): nothing to delete, every core analyses.
        """
        count = 0
        with self.writer(bulk=bulk) as writer:
            count = _add(writer, documents, replace=not bulk)
        return count

    def delete_documents(self, document_ids) -> None:
        with self.writer() as writer:
            for document_id in document_ids:
                writer.delete_by_term("doc_id", document_id)

    def rebuild(self, documents: Iterable[tuple[object, list[dict]]], before_swap=None) -> int:
        """Index these documents into a new generation and swap it in, in one step.

        Other writers wait meanwhile (they would write into the generation being retired), and
        ``before_swap`` runs last before the swap. Retired generations no reader holds are deleted.
        """
        with self._write_turn(missing_ok=True):
            building = self.directory / f"{BUILDING}{os.getpid()}-{time.time_ns()}"
            building.mkdir()
            try:
                ix = whoosh_index.create_in(str(building), build_schema())
                writer = ix.writer(**_writer_options(bulk=True))
                try:
                    count = _add(writer, documents, replace=False)
                except BaseException:
                    writer.cancel()
                    raise
                writer.commit()
                ix.close()
                generation = self.directory / f"{GENERATION}{building.name[len(BUILDING):]}"
                building.rename(generation)
            except BaseException:
                shutil.rmtree(building, ignore_errors=True)
                raise
            if before_swap:
                before_swap()
            link = self.directory / f"{CURRENT}.{os.getpid()}"
            link.unlink(missing_ok=True)
            os.symlink(generation.name, link)
            os.replace(link, self.directory / CURRENT)
            _sync_directory(self.directory)
        self._local = threading.local()
        self.remove_retired()
        return count

    def remove_retired(self) -> list[str]:
        """Delete the generations that are not live and that no reader holds; returns their names."""
        removed = []
        for entry in sorted(self.directory.iterdir()):
            if entry.name.startswith(BUILDING):
                pid = entry.name[len(BUILDING):].split("-", 1)[0]
                if not (pid.isdigit() and process_alive(int(pid))):
                    shutil.rmtree(entry, ignore_errors=True)      # a rebuild that crashed
            elif entry.name.startswith(GENERATION) and entry.is_dir() and self._retire(entry):
                removed.append(entry.name)
        if self._retire(self.directory):
            removed.append(".")
        return removed

    def _retire(self, generation: Path) -> bool:
        """Delete a generation that is not live, if no reader holds it."""
        if not generation.exists():                 # another process deleted it
            with self._opened_lock:
                self._opened.pop(generation, None)
            return False
        if generation == self.live():
            return False
        if generation == self.directory:
            if not any(self.directory.glob("_MAIN_*.toc")):
                return False
            done = _remove_unheld(generation, self._remove_first_generation)
        else:
            done = _remove_unheld(generation, lambda: shutil.rmtree(generation, ignore_errors=True))
        if done:
            with self._opened_lock:
                self._opened.pop(generation, None)
        return done

    def _remove_first_generation(self) -> None:
        """The files of an index kept in the directory itself (before its first rebuild)."""
        for entry in self.directory.iterdir():
            if entry.is_file() and not entry.is_symlink() and entry.name.startswith(("_MAIN_", "MAIN_")):
                entry.unlink(missing_ok=True)

    def optimize(self) -> None:
        """Merge the index into one segment (a single segment is already as good as it gets)."""
        if self.segment_count() <= 1:
            return
        with self.writer() as writer:
            writer.optimize = True

    def clear(self) -> None:
        """An empty index in place of this one (swapped in, like a rebuild)."""
        self.rebuild([])


CURRENT = "CURRENT"          # symbolic link to the live generation
GENERATION = "gen-"
BUILDING = "new-"


class _HeldSearcher:
    """A thread's searcher and the lock that keeps its generation from being deleted."""

    def __init__(self, generation: Path, fd: int):
        self.generation, self.fd = generation, fd
        self.searcher = None
        self.state = None

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()
            self.searcher = None
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __del__(self):          # the thread ended: let the generation go
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _lock_folder(generation: Path, mode: int) -> int | None:
    """The folder open and locked (without waiting), or None if it is gone or locked otherwise.
    Locking the folder itself needs no file written: it works on a read-only or full disk."""
    try:
        fd = os.open(generation, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _hold(generation: Path) -> int | None:
    """A shared lock on the generation's folder, or None if it is being deleted."""
    return _lock_folder(generation, fcntl.LOCK_SH)


def _remove_unheld(generation: Path, remove) -> bool:
    fd = _lock_folder(generation, fcntl.LOCK_EX)
    if fd is None:
        return False
    try:
        remove()
    finally:
        os.close(fd)
    return True


def _create_first(directory: Path):
    """A new empty index, created by one process only: Whoosh's create_in clears what is there,
    so a second process doing the same a moment later would delete what the first wrote."""
    with open(directory / ".creating", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if whoosh_index.exists_in(str(directory)):
            return whoosh_index.open_dir(str(directory))
        return whoosh_index.create_in(str(directory), build_schema())


def _writer_options(bulk: bool) -> dict:
    procs = bulk_processes() if bulk else 1     # a bulk load writes one segment per process
    if procs == 1:
        return {"codec": _codec()}
    return {"codec": _codec(), "procs": procs, "limitmb": BULK_LIMIT_MB, "multisegment": True,
            "subargs": {"codec": _codec(), "limitmb": BULK_LIMIT_MB}}


def _add(writer, documents, replace: bool) -> int:
    count = 0
    for document, pages in documents:
        if replace:
            writer.delete_by_term("doc_id", document.id)
        for page in pages:
            writer.add_document(**whoosh_fields(document, page))
            count += 1
    return count


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
