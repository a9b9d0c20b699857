"""OCR jobs on a queue: `olke worker` processes on any machine OCR documents that `olke ingest --queue`
submits, and the ingest process (the one catalog writer) archives what they stage.

Why rq with Redis (Debian's redis-server 7), not Celery: under Celery's prefork pool a task cannot
start multiprocessing children ("daemonic processes are not allowed to have children"), which
ocrmypdf does, and Celery's Redis transport redelivers a task not acknowledged within its
visibility timeout, so a long book would be OCRed twice. An rq worker forks a plain work horse per
job, which may start children, and a job is never redelivered behind our back.

A job is one document. Its id comes from the scans' content hash and the OCR options, so the same
document submitted twice is one job. A worker stages its result under ``staging-queue/<job id>/``
in the shared data home (not ``staging/``, whose folders are named after local processes and are
cleared by any command that finds their process gone); the ingest process archives it and removes
the folder and the job. A worker killed mid-job (kill -9, a machine gone) stops its heartbeats; the
waiting ingest re-queues such a job after ``STALE_BEATS`` missed heartbeats (rq's own clean-up,
with the job's ``Retry``, does the same later when no one waits). A job that ran twice stages twice
and is archived once: the catalog's duplicate check by ``scan_sha256`` discards the second copy.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
import uuid
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

from archive.errors import OcrFailed, OlkeError, UsageError
from archive.home import Home
from archive.storage import StagedDocument
from ingest.stages import DocumentJob, run_job
from ocr.engine import OcrOptions

QUEUE_NAME = "olke-ocr"
DEFAULT_URL = "redis://127.0.0.1:6379/0"
# seconds between a busy worker's signs of life (rq's job monitoring interval); tests make it short
HEARTBEAT = max(1, int(os.environ.get("OLKE_QUEUE_HEARTBEAT", "5")))
STALE_BEATS = 4           # a started job silent this many heartbeats (+ a little) is re-queued
KEEP_SECONDS = 30 * 86400  # results wait this long for `olke ingest --collect`
RETRIES = 2               # a job whose work horse died is retried this often by rq itself
POLL = 0.5                # seconds between two looks at the jobs waited for, at most
POLL_PER_JOB = 0.001      # ... and at least this a job waited for (a look costs about 15 µs a job)
FAST_POLL = 0.1           # ... and at least this


def queue_dir(home: Home) -> Path:
    return home.root / "staging-queue"


def job_key(job: DocumentJob) -> str:
    """The job's id: the scans' content hash and the OCR options (not how many cores read them)."""
    options = {k: v for k, v in asdict(job.ocr_options).items() if k != "jobs"}
    options["force_ocr"] = job.force_ocr
    digest = hashlib.sha256(json.dumps(options, sort_keys=True, default=list).encode()).hexdigest()
    return f"olke-ocr-{job.scan_sha256[:40]}-{digest[:12]}"


def shown_url(url: str) -> str:
    """The queue's URL as it may be printed or logged: its password hidden."""
    return re.sub(r"(//[^:@/]*:)[^@/]*@", r"\1***@", url)


def connect(url: str):
    from redis import Redis
    from redis.exceptions import AuthenticationError, RedisError

    try:
        connection = Redis.from_url(url)
        connection.ping()
    except (RedisError, ValueError) as error:
        if isinstance(error, AuthenticationError) or "auth" in str(error).lower():
            raise UsageError(f"the queue at {shown_url(url)} refused the password ({error}); give the one "
                             "of its requirepass in the URL: redis://:PASSWORD@host:port/0") from None
        raise UsageError(f"cannot reach the queue at {shown_url(url)} ({error}); start redis-server there "
                         "or give the right --queue-url") from None
    return connection


def open_queue(url: str):
    from rq import Queue

    return Queue(QUEUE_NAME, connection=connect(url))


# ---------------------------------------------------------------- the worker's side


@dataclass
class _WorkerState:
    home: Home | None = None
    engine: object = None
    jobs: int = 1


_worker = _WorkerState()


def serve(home: Home, url: str, burst: bool = False, engine=None, jobs: int | None = None) -> bool:
    """Run an rq worker on the OCR queue until stopped (or, with ``burst``, until it is empty);
    each document's pages are OCRed ``jobs`` at a time (default: all cores)."""
    from rq import Worker

    from ocr import get_engine

    queue = open_queue(url)
    _worker.home = home
    _worker.engine = engine or get_engine()
    _worker.jobs = jobs or os.cpu_count() or 1
    _worker.engine.check(OcrOptions())        # a missing language pack is said now, not per job
    if hasattr(_worker.engine, "warm_up"):
        _worker.engine.warm_up(wait=True)     # rq forks a work horse per job: what is loaded here, each has
    queue_dir(home).mkdir(parents=True, exist_ok=True)
    # worker_ttl 75: an idle worker waits for a job 60 s at a time (rq waits worker_ttl - 15), then
    # does its upkeep, so a job whose worker died is put back within minutes even when no ingest
    # waits for it (with rq's default, 405 s of waiting came before each upkeep)
    worker = Worker([queue], connection=queue.connection, job_monitoring_interval=HEARTBEAT,
                    maintenance_interval=60, worker_ttl=75)
    return worker.work(burst=burst, logging_level="INFO")     # a line a job started and ended, in the journal


def ocr_document(job: DocumentJob) -> dict:
    """One document, in the work horse: the recipe up to a StagedDocument in the shared data home.

    Returns {"staged", "home"} or {"error"} (an OlkeError is the document's fault, not the worker's:
    no retry). The staged paths are this machine's; the ingest process rebases them on its own home.
    """
    from rq import get_current_job

    current = get_current_job()
    folder = queue_dir(_worker.home) / current.id / uuid.uuid4().hex[:12]
    folder.mkdir(parents=True)
    job = replace(job, directory=folder,
                  ocr_options=replace(job.ocr_options, jobs=_worker.jobs))
    done = 0
    current.meta.update(pages=0, heartbeat=HEARTBEAT)
    current.save_meta()

    def page_done(_number: int) -> None:
        nonlocal done
        done += 1
        current.meta["pages"] = done
        current.save_meta()

    try:
        staged = run_job(job, _worker.engine, page_done)
    except OlkeError as error:
        shutil.rmtree(folder, ignore_errors=True)
        return {"error": error}
    return {"staged": staged, "home": str(_worker.home.root)}


# ---------------------------------------------------------------- the submitter's side


def submit(queue, job: DocumentJob) -> str:
    """Put the document's job on the queue, unless the same job is already there (queued, running
    or done and waiting to be archived)."""
    from rq import Retry
    from rq.job import Job, JobStatus
    from rq.exceptions import NoSuchJobError

    key = job_key(job)
    try:
        existing = Job.fetch(key, connection=queue.connection)
    except NoSuchJobError:
        existing = None
    if existing is not None:
        if existing.get_status(refresh=False) not in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
            return key
        existing.delete()
    files = [replace(f, path=f.path.resolve()) for f in job.files]    # a worker runs in another folder
    payload = replace(job, files=files, directory=Path("."))
    queue.enqueue(ocr_document, payload, job_id=key, description=job.label, result_ttl=KEEP_SECONDS,
                  failure_ttl=KEEP_SECONDS, job_timeout=max(600, 60 * job.page_count), retry=Retry(max=RETRIES))
    return key


def rebase(staged: StagedDocument, worker_home: str, home: Home) -> StagedDocument:
    """The staged document's paths on this machine (the data home may be mounted elsewhere)."""
    def here(path: Path) -> Path:
        try:
            return home.root / Path(path).relative_to(worker_home)
        except ValueError:
            return Path(path)

    return replace(staged, directory=here(staged.directory),
                   page_images=[(n, here(page), here(thumb)) for n, page, thumb in staged.page_images])


@dataclass
class _Watch:
    """What the ingest process has seen of a job: pages reported, and when it last showed life."""
    pages: int = 0
    signs: tuple = ()
    since: float = field(default_factory=time.monotonic)


Finished = Callable[[DocumentJob, StagedDocument | None, OlkeError | None], None]


def _statuses(connection, keys: list[str]) -> list[bytes | None]:
    """Each job's status as rq keeps it (None: the job is gone), read in one round trip without the
    rest of the job."""
    from rq.job import Job

    with connection.pipeline() as pipe:
        for key in keys:
            pipe.hget(Job.key_for(key), "status")
        return pipe.execute()


_WAITING = frozenset({b"created", b"queued", b"deferred", b"scheduled"})   # not started yet


def wait(queue, waiting: dict[str, list[DocumentJob]], home: Home, reporter, finished: Finished) -> None:
    """Archive each job's result as it comes (through ``finished``), report pages done across all
    workers, and re-queue a job whose worker has gone silent. Each look reads the jobs' statuses
    only, and the whole job where one runs or has ended; looks come every 0.1-0.5 s, less often
    the more jobs are waited for (a batch of a thousand documents would otherwise keep a core busy
    reading them)."""
    from rq.job import Job, JobStatus

    watches = {key: _Watch() for key in waiting}
    while waiting:
        keys = list(waiting)
        started = []
        for key, status in zip(keys, _statuses(queue.connection, keys)):
            if status in _WAITING:
                watches[key].signs, watches[key].since = (), time.monotonic()    # not started: not silent
            else:
                started.append(key)
        keys = started
        for key, rq_job in zip(keys, Job.fetch_many(keys, connection=queue.connection) if keys else []):
            documents = waiting[key]
            watch = watches[key]
            if rq_job is None:                   # gone from Redis (flushed, or expired): submit again
                submit(queue, documents[0])
                watch.since = time.monotonic()
                continue
            pages = int(rq_job.meta.get("pages", 0))
            _progress(reporter, watch, pages)
            status = rq_job.get_status(refresh=False)
            if status == JobStatus.FINISHED:
                _progress(reporter, watch, documents[0].page_count)
                _settle(rq_job, waiting.pop(key), home, finished)
            elif status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
                error = OcrFailed(f"the OCR worker failed: {_last_line(rq_job)}; run it again with --verbose "
                                  "on the worker (`olke -v worker`) for details", documents[0].label)
                for document in waiting.pop(key):
                    finished(document, None, error)
                _forget(rq_job, home)
            elif status == JobStatus.STARTED:
                _requeue_if_silent(queue, rq_job, watch, (rq_job.last_heartbeat, pages, rq_job.worker_name))
            else:
                watch.signs, watch.since = (), time.monotonic()
        if waiting:
            time.sleep(min(max(FAST_POLL, len(waiting) * POLL_PER_JOB), POLL))


def _progress(reporter, watch: _Watch, pages: int) -> None:
    while watch.pages < pages:              # a redone job counts again from 0: never backwards
        watch.pages += 1
        reporter.page_done()


def _requeue_if_silent(queue, rq_job, watch: _Watch, signs: tuple) -> None:
    """A running job shows life by its worker's heartbeat and its pages; silent for STALE_BEATS
    heartbeats (by this machine's clock, so the machines' clocks need not agree), it goes back on
    the queue for another worker. A worker that was only slow makes a second copy at worst, which
    archiving discards."""
    if signs != watch.signs:
        watch.signs, watch.since = signs, time.monotonic()
        return
    beat = float(rq_job.meta.get("heartbeat", HEARTBEAT))
    if time.monotonic() - watch.since < STALE_BEATS * beat + 2:
        return
    with queue.connection.pipeline() as pipe:      # (rq's enqueue opens a transaction of its own)
        queue.started_job_registry.remove_executions(rq_job, pipeline=pipe)
        pipe.execute()
    rq_job.meta["pages"] = 0
    rq_job.save_meta()
    queue.enqueue_job(rq_job)
    watch.signs, watch.since = (), time.monotonic()


def _settle(rq_job, documents: list[DocumentJob], home: Home, finished: Finished) -> None:
    value = rq_job.return_value() or {"error": OcrFailed("the OCR worker returned nothing", documents[0].label)}
    if "error" in value:
        for document in documents:
            finished(document, None, value["error"])
    else:
        staged = rebase(value["staged"], value["home"], home)
        missing = None if staged.directory.exists() else OcrFailed(
            f"the OCR result is missing from {staged.directory}; is the data home shared with the workers?",
            documents[0].label)
        for document in documents:      # the same scans twice: the second is the catalog's duplicate
            document.directory = staged.directory
            finished(document, None if missing else staged, missing)
    _forget(rq_job, home)


def _forget(rq_job, home: Home) -> None:
    """The job is settled: its folder (any other copy a redone job staged included) and its record go."""
    from rq.exceptions import InvalidJobOperation, NoSuchJobError

    shutil.rmtree(queue_dir(home) / rq_job.id, ignore_errors=True)
    try:
        rq_job.delete()
    except (InvalidJobOperation, NoSuchJobError):
        pass                     # another run waiting for the same job settled and deleted it first
    except (KeyError, ValueError):
        # a late heartbeat can leave a half record of an ended execution, which rq cannot read back
        rq_job.connection.delete(rq_job.execution_registry.key)
        rq_job.delete()


def _last_line(rq_job) -> str:
    info = (rq_job.exc_info or "").strip().splitlines()
    return info[-1] if info else "no reason given"


def run_on_queue(jobs: list[DocumentJob], home: Home, url: str, reporter, finished: Finished,
                 wait_for_results: bool = True) -> None:
    """Submit one job per document; then (unless told not to) wait and archive the results."""
    queue = open_queue(url)
    waiting: dict[str, list[DocumentJob]] = {}
    for job in jobs:
        shutil.rmtree(job.directory, ignore_errors=True)     # staged by a worker, not here
        waiting.setdefault(submit(queue, job), []).append(job)
    if wait_for_results:
        wait(queue, waiting, home, reporter, finished)


def submitted(url: str) -> dict[str, list[DocumentJob]]:
    """Every job on the queue, with its document: for `olke ingest --collect`."""
    from rq.job import Job

    queue = open_queue(url)
    keys = set(queue.get_job_ids())
    for registry in (queue.started_job_registry, queue.finished_job_registry, queue.failed_job_registry):
        keys.update(registry.get_job_ids())
    found = {}
    for rq_job in Job.fetch_many(sorted(keys), connection=queue.connection):
        if rq_job is not None and rq_job.func_name == f"{__name__}.ocr_document":
            found[rq_job.id] = [rq_job.args[0]]
    return found


def collect(home: Home, url: str, reporter, finished: Finished) -> list[DocumentJob]:
    """Wait for every job on the queue and archive its result; folders of jobs no longer on the
    queue (a copy staged after its job was settled) are removed."""
    queue = open_queue(url)
    waiting = submitted(url)
    for folder in queue_dir(home).glob("olke-ocr-*"):
        if folder.name not in waiting:
            shutil.rmtree(folder, ignore_errors=True)
    documents = [d for ds in waiting.values() for d in ds]
    for document in documents:
        document.directory = queue_dir(home) / "nothing-yet"
    reporter.start(len(documents), sum(d.page_count for d in documents))
    wait(queue, waiting, home, reporter, finished)
    return documents
