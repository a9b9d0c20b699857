"""The orchestrator: documents found → checked → OCRed in parallel → archived one by one.

Documents run in worker processes (each OCRs its pages on ``jobs`` threads); the main process is
the only writer of the catalog, and archives each document in one transaction as it finishes,
through the archive (``Archive.add_document``), which indexes a batch's documents when it ends.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import select
import shutil
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Protocol

from archive.catalog import Catalog
from archive.library import Archive
from archive.errors import DiskFull, DuplicateScan, Interrupted, OcrFailed, OlkeError, is_disk_full
from archive.metadata import Description
from archive.storage import StagedDocument, new_staging_dir, process_alive
from ingest.scanfile import inspect
from ingest.sources import DocumentSource
from ingest.stages import DocumentJob, after_ocr, before_ocr, recognise, run_job
from ocr.engine import OcrEngine, OcrOptions
from archive.language import primary_language
from archive.verdict import mark_language, needs_look

LANGUAGE_ORDER = {"kaz": ("kaz", "rus", "eng"), "rus": ("rus", "kaz", "eng"), "auto": ("kaz", "rus", "eng")}


@dataclass
class IngestOptions:
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    force_ocr: bool = False
    skip_duplicates: bool = False
    deskew: bool | None = None      # None: as each page's checks decide
    rotate_pages: bool = True
    always_osd: bool = False
    clean: bool | None = None       # None: as each page's checks decide
    reread: bool = True
    user: str | None = None
    queue_url: str | None = None    # OCR on `olke worker` processes through this queue (ingest/queue.py)
    wait: bool = True               # with a queue: wait for the results and archive them

    def ocr_options(self, language: str) -> OcrOptions:
        return OcrOptions(languages=LANGUAGE_ORDER[language], deskew=self.deskew, rotate_pages=self.rotate_pages,
                          always_osd=self.always_osd, clean=self.clean, reread=self.reread,
                          jobs=max(1, self.workers))


@dataclass
class Outcome:
    label: str
    status: str                   # ingested | reocred | duplicate | failed
    document_id: int | None = None
    pages: int = 0
    error: OlkeError | None = None
    look: list[tuple[int, str, list[str]]] = field(default_factory=list)  # (page, verdict, reasons) to check
    notes: list[str] = field(default_factory=list)   # e.g. what was removed from a PDF

    @property
    def ok(self) -> bool:
        return self.status in ("ingested", "reocred") or (self.status == "duplicate" and self.error is None)

    def as_dict(self) -> dict:
        data = {"source": self.label, "status": self.status, "document_id": self.document_id, "pages": self.pages,
                "need_look": [{"page": n, "verdict": v, "reasons": list(r)} for n, v, r in self.look]}
        if self.error is not None:
            data["error"] = self.error.message
        if self.notes:
            data["notes"] = self.notes
        return data


class Reporter(Protocol):
    def start(self, documents: int, pages: int) -> None: ...
    def page_done(self) -> None: ...
    def outcome(self, outcome: Outcome) -> None: ...
    def finish(self) -> None: ...


class SilentReporter:
    def start(self, documents, pages): pass
    def page_done(self): pass
    def outcome(self, outcome): pass
    def finish(self): pass


def scan_hash(paths: list[Path]) -> str:
    """The content hash of a document's scans, in page order."""
    from archive.storage import sha256_file

    digests = [sha256_file(p) for p in paths]
    return digests[0] if len(digests) == 1 else hashlib.sha256("".join(digests).encode()).hexdigest()


def prepare(source: DocumentSource, catalog: Catalog, options: IngestOptions) -> DocumentJob:
    """Check every file and look for a duplicate before any OCR is spent on it."""
    files = [inspect(path) for path in source.files]
    digest = scan_hash(source.files)
    existing = catalog.find_by_scan(digest)
    if existing is not None:
        raise DuplicateScan(f"already in the archive as document {existing}; not stored again", source.label,
                            existing_id=existing)
    ocr_options = options.ocr_options(source.description.language)
    return DocumentJob(source.label, files, new_staging_dir(catalog.home), ocr_options, options.force_ocr,
                       digest, source.description)


def resolve_language(description: Description, staged: StagedDocument) -> Description:
    """The document's language (detected when 'auto'); pages in another language are marked doubtful."""
    if description.language == "auto":
        detected = primary_language([(p.language, len(p.text)) for p in staged.pages]) or "kaz"
        description = replace(description, language=detected)
    mark_language(staged.pages, description.language)
    return description


def pages_to_look_at(staged: StagedDocument) -> list[tuple[int, str, list[str]]]:
    return [(p.number, p.verdict, list(p.reasons)) for p in staged.pages if needs_look(p.verdict)]


def ingest(sources: list[DocumentSource], archive: Archive, engine: OcrEngine, options: IngestOptions,
           reporter: Reporter | None = None) -> list[Outcome]:
    """Archive every source; one bad document never stops the others. The index takes the documents
    archived when the batch ends, however it ends."""
    with archive.batch():
        return _ingest(sources, archive, engine, options, reporter or SilentReporter())


def _ingest(sources: list[DocumentSource], archive: Archive, engine: OcrEngine, options: IngestOptions,
            reporter: Reporter) -> list[Outcome]:
    catalog = archive.catalog
    if sources and hasattr(engine, "warm_up") and not options.queue_url:
        engine.warm_up()
    outcomes: list[Outcome] = []
    jobs: list[DocumentJob] = []
    for source in sources:
        try:
            jobs.append(prepare(source, catalog, options))
        except DuplicateScan as error:
            outcomes.append(Outcome(source.label, "duplicate", error.existing_id,
                                    error=None if options.skip_duplicates else error))
        except OlkeError as error:
            outcomes.append(Outcome(source.label, "failed", error=error))
    for outcome in outcomes:
        reporter.outcome(outcome)
    if jobs and not options.queue_url:      # with a queue, each worker checks its own engine
        engine.check(jobs[0].ocr_options)
    reporter.start(len(jobs), sum(j.page_count for j in jobs))
    finished = archiver(archive, options, reporter, outcomes)

    try:
        if options.queue_url:
            from ingest.queue import run_on_queue

            run_on_queue(jobs, catalog.home, options.queue_url, reporter, finished, options.wait)
        else:
            run_jobs(jobs, engine, options.workers, reporter, finished)
    except KeyboardInterrupt:
        done = sum(1 for o in outcomes if o.status == "ingested")
        raise Interrupted(f"interrupted: {done} documents were archived, the rest were not; "
                          "run the same command again with --skip-duplicates to continue "
                          "(the archived ones are then passed over)") from None
    finally:
        reporter.finish()
    return outcomes


def collect(archive: Archive, options: IngestOptions, reporter: Reporter | None = None) -> list[Outcome]:
    """Archive the results of every job on the queue (submitted earlier with ``wait=False``),
    waiting for those still running."""
    from ingest.queue import collect as collect_from_queue

    reporter = reporter or SilentReporter()
    outcomes: list[Outcome] = []
    with archive.batch():
        try:
            collect_from_queue(archive.home, options.queue_url, reporter,
                               archiver(archive, options, reporter, outcomes))
        except KeyboardInterrupt:
            raise Interrupted(f"interrupted: {len(outcomes)} documents were settled; the rest stay on the queue, "
                              "run the same command again to continue") from None
        finally:
            reporter.finish()
    return outcomes


def archiver(archive: Archive, options: IngestOptions, reporter: Reporter, outcomes: list[Outcome]
             ) -> Callable[[DocumentJob, StagedDocument | None, OlkeError | None], None]:
    """What to do with each document whose OCR has ended: archive it in one transaction (a copy
    of scans already archived is a duplicate), and clear its staging away."""
    def finished(job: DocumentJob, staged: StagedDocument | None, error: OlkeError | None) -> None:
        if staged is not None:
            try:
                description = resolve_language(job.description, staged)
                document_id = archive.add_document(description, staged, job.scan_sha256, options.user,
                                                   {"source": job.label})
                outcome = Outcome(job.label, "ingested", document_id, len(staged.pages),
                                  look=pages_to_look_at(staged), notes=staged.notes)
            except DuplicateScan as duplicate:
                outcome = Outcome(job.label, "duplicate", duplicate.existing_id,
                                  error=None if options.skip_duplicates else duplicate)
            except OlkeError as failure:
                outcome = Outcome(job.label, "failed", error=failure)
        else:
            outcome = Outcome(job.label, "failed", error=error)
        shutil.rmtree(job.directory, ignore_errors=True)
        outcomes.append(outcome)
        reporter.outcome(outcome)

    return finished


def run_jobs(jobs: list[DocumentJob], engine: OcrEngine, workers: int, reporter: Reporter,
             finished: Callable[[DocumentJob, StagedDocument | None, OlkeError | None], None]) -> None:
    """Run the jobs, largest first, on ``workers`` cores: documents in processes, pages in threads.

    Each document may use every core for its pages, so a book at the end of a batch does not
    run on one core alone; the brief oversubscription costs nothing, as tesseract runs
    single-threaded (OMP_THREAD_LIMIT=1) and a document's Python steps overlap another's OCR.
    """
    jobs = sorted(jobs, key=lambda j: -j.page_count)
    parallel_documents = max(1, min(workers, len(jobs)))
    for job in jobs:
        job.ocr_options = replace(job.ocr_options, jobs=workers)
    if parallel_documents == 1:
        _run_in_turn(jobs, engine, reporter, finished)
        return
    # Workers fork from a server that has already imported the pipeline: quick to start, and
    # safe, unlike forking this process, which may be running threads. They end with this
    # process however it ends (see _worker_start); a queue they inherit carries page progress.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["ingest.stages", "ocr.tesseract"])
    progress = context.SimpleQueue()
    executor = ProcessPoolExecutor(max_workers=parallel_documents, mp_context=context,
                                   initializer=_worker_start, initargs=(os.getpid(), progress))
    pending: dict[Future, DocumentJob] = {}
    try:
        pending.update({executor.submit(_run_in_worker, job, engine): job for job in jobs})
        while pending:
            done, _ = wait(pending, timeout=0.3, return_when=FIRST_COMPLETED)
            _drain(progress, reporter)
            for future in done:
                job = pending.pop(future)
                try:
                    staged = future.result()
                except Exception as error:
                    _failed(job, error, finished)
                else:
                    finished(job, staged, None)
        _drain(progress, reporter)
    except BaseException:
        # SIGTERM makes each worker end its process group: itself and the OCR programs it runs
        for process in list(getattr(executor, "_processes", {}).values()):
            process.terminate()
        executor.shutdown(wait=False, cancel_futures=True)
        for job in pending.values():        # their half-written staging goes now, not at the next run
            shutil.rmtree(job.directory, ignore_errors=True)
        raise
    executor.shutdown()
    progress.close()


def _run_in_turn(jobs: list[DocumentJob], engine: OcrEngine, reporter: Reporter,
                 finished: Callable[[DocumentJob, StagedDocument | None, OlkeError | None], None]) -> None:
    """One document's OCR at a time, in this process, with the steps around OCR alongside it.

    Tesseract keeps one core busy; the next document's preparation (checks, straightening,
    cleaning, its PDF) and the last one's viewer images run on a thread each meanwhile, so the
    OCR program seldom waits for Python. The catalog is written here, in order, as before.
    """
    preparing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="olke-prepare")
    imaging = ThreadPoolExecutor(max_workers=1, thread_name_prefix="olke-images")
    stop = threading.Event()
    prepared = [preparing.submit(before_ocr, job, engine, stop) for job in jobs[:1]]
    finishing: tuple[DocumentJob, Future] | None = None

    def settle(job: DocumentJob, outcome: Future) -> None:
        try:
            staged = outcome.result()
        except Exception as error:
            _failed(job, error, finished)
        else:
            finished(job, staged, None)

    try:
        for number, job in enumerate(jobs):
            if number + 1 < len(jobs):
                prepared.append(preparing.submit(before_ocr, jobs[number + 1], engine, stop))
            try:
                pages, input_pdf = prepared[number].result()
                staged = recognise(job, pages, input_pdf, engine, lambda _: reporter.page_done())
                done = imaging.submit(after_ocr, job, staged, pages)
            except Exception as error:
                done = Future()
                done.set_exception(error)
            if finishing is not None:
                previous, finishing = finishing, None
                settle(*previous)
            finishing = (job, done)
        if finishing is not None:
            previous, finishing = finishing, None
            settle(*previous)
    except BaseException as error:
        # An interrupt still archives the document whose OCR had finished; a full disk (or an
        # interrupt) ends the batch, and what was not archived leaves no staging behind.
        stop.set()
        if finishing is not None and isinstance(error, KeyboardInterrupt):
            try:
                settle(*finishing)
            except Exception:
                pass
        preparing.shutdown(wait=True, cancel_futures=True)
        imaging.shutdown(wait=True, cancel_futures=True)
        for job in jobs:
            shutil.rmtree(job.directory, ignore_errors=True)
        raise
    finally:
        preparing.shutdown(wait=True)
        imaging.shutdown(wait=True)


def _failed(job: DocumentJob, error: Exception, finished) -> None:
    """Report a job that failed; a full disk ends the batch instead (no room for the rest either),
    said once by whoever handles the error."""
    failure = _as_olke_error(error, job)
    if isinstance(failure, DiskFull):
        shutil.rmtree(job.directory, ignore_errors=True)
        raise failure
    finished(job, None, failure)


def _as_olke_error(error: Exception, job: DocumentJob) -> OlkeError:
    if isinstance(error, OlkeError):
        return error
    if is_disk_full(error):
        full = DiskFull.at(job.directory)
        full.__cause__ = error
        return full
    wrapped = OcrFailed(f"unexpected {type(error).__name__}: {error}; run again with --verbose for details",
                        job.label)
    wrapped.__cause__ = error
    return wrapped


def _drain(progress, reporter: Reporter) -> None:
    while not progress.empty():
        progress.get()
        reporter.page_done()


_progress = None     # in a worker: the queue for page progress


def _worker_start(ingest_pid: int, progress) -> None:
    """Set up a worker so that nothing of it outlives the ingest: it leads a process group of its
    own (the tesseract and ocrmypdf programs it starts join it), ends that whole group on SIGTERM,
    and a thread ends it when the ingest process is gone, even after `kill -9`. Ctrl-C is the
    ingest's to handle: it terminates the workers."""
    global _progress
    _progress = progress
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _end_process_group)
    threading.Thread(target=_end_with, args=(ingest_pid,), name="olke-watch-ingest", daemon=True).start()


def _end_with(pid: int) -> None:
    """Wait for process `pid` to end (a pidfd becomes readable), then end this process group."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        _end_process_group()
    except OSError:                         # no pidfd (kernel before 5.3): ask twice a second
        while process_alive(pid):
            time.sleep(0.5)
    else:
        select.select([handle], [], [])
    _end_process_group()


def _end_process_group(*_) -> None:
    os.killpg(0, signal.SIGKILL)


def _run_in_worker(job: DocumentJob, engine: OcrEngine) -> StagedDocument:
    return run_job(job, engine, lambda number: _progress.put(number))


def reocr(document_id: int, archive: Archive, engine: OcrEngine, options: IngestOptions,
          reporter: Reporter | None = None) -> Outcome:
    """OCR a document again from its archived original scans; its id and description stay. The index
    takes it (and whatever else it lacks) at the end."""
    with archive.batch():
        return _reocr(document_id, archive, engine, options, reporter or SilentReporter())


def _reocr(document_id: int, archive: Archive, engine: OcrEngine, options: IngestOptions,
           reporter: Reporter) -> Outcome:
    catalog = archive.catalog
    document = catalog.get(document_id)
    originals = [catalog.home.absolute(f["path"]) for f in catalog.files(document_id, "original")]
    files = [inspect(path) for path in originals]
    ocr_options = options.ocr_options(document.language)
    job = DocumentJob(f"document {document_id}", files, new_staging_dir(catalog.home), ocr_options,
                      force_ocr=True)
    engine.check(ocr_options)
    reporter.start(1, job.page_count)
    try:
        staged = run_job(job, engine, lambda _: reporter.page_done())
        mark_language(staged.pages, document.language)
        shutil.rmtree(staged.originals_dir)  # the archived originals stay in place
        archive.replace_content(document_id, staged, options.user)
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted: document {document_id} is unchanged; run the command again") from None
    finally:
        shutil.rmtree(job.directory, ignore_errors=True)
        reporter.finish()
    return Outcome(job.label, "reocred", document_id, len(staged.pages), look=pages_to_look_at(staged),
                   notes=staged.notes)
