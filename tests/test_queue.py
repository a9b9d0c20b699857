"""OCR workers on a queue, for real: a redis-server of the test's own on loopback, `olke worker`
processes, `olke ingest --queue`, and a worker killed with kill -9 in the middle of a document."""
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from bench.queue_bench import free_port, start_redis, stop
from ingest.stages import DocumentJob
from ocr.engine import OcrOptions

ROOT = Path(__file__).resolve().parents[1]
PAGES = 4


@pytest.fixture
def redis_url(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (make test installs it: apt-get install redis-server)")
    process, url = start_redis(tmp_path / "redis")
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture
def batch(tmp_path):
    """Six small documents of four pages each, every page different."""
    made = []
    for number in range(6):
        folder = tmp_path / "inbox" / f"doc-{number}"
        folder.mkdir(parents=True)
        for page in range(1, PAGES + 1):
            image = Image.new("L", (240, 160), 255)
            image.putpixel((number * 10 + page, 5), 0)
            image.save(folder / f"page-{page}.png", dpi=(200, 200))
        made.append(folder)
    return made


def env(delay: float = 0.0) -> dict:
    return {**os.environ, "OLKE_FAKE_OCR_DELAY": str(delay), "OLKE_QUEUE_HEARTBEAT": "1"}


def olke(home, *args) -> list[str]:
    return [sys.executable, "-m", "cli", "--home", str(home.root), *map(str, args)]


def start_worker(home, url, delay: float) -> subprocess.Popen:
    """A worker in a session of its own: kill -9 of its group ends it and its work horse at once,
    as when its machine goes away."""
    return subprocess.Popen(olke(home, "worker", "--queue-url", url), env=env(delay), cwd=ROOT,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def archived(home) -> list[tuple]:
    db = sqlite3.connect(home.catalog_path)
    try:
        return db.execute("SELECT d.id, d.title, d.page_count, d.scan_sha256, "
                          "(SELECT COUNT(*) FROM pages p WHERE p.document_id = d.id) FROM documents d").fetchall()
    finally:
        db.close()


def assert_each_archived_once(home, batch) -> None:
    rows = archived(home)
    assert len(rows) == len({r[1] for r in rows}) == len({r[3] for r in rows}) == len(batch)   # each once
    assert all(r[2] == r[4] == PAGES for r in rows)                         # no page lost
    leftovers = list((home.root / "staging-queue").glob("*/*"))
    assert leftovers == []


def test_the_job_id_is_the_scans_and_the_options_not_the_cores():
    from ingest.queue import job_key

    job = DocumentJob("a", [], Path("."), OcrOptions(jobs=1), scan_sha256="ab" * 32)
    assert job_key(job) == job_key(replace(job, label="b", ocr_options=OcrOptions(jobs=8)))
    assert job_key(job) != job_key(replace(job, ocr_options=OcrOptions(deskew=True)))
    assert job_key(job) != job_key(replace(job, force_ocr=True))
    assert job_key(job) != job_key(replace(job, scan_sha256="cd" * 32))


def test_without_a_queue_nothing_is_asked_of_redis(olke_cli, batch, home):
    result = olke_cli("ingest", batch[0], "--workers", "1")
    assert result.exit_code == 0, result.output
    assert not (home.root / "staging-queue").exists()


@pytest.fixture
def olke_cli(olke, monkeypatch):
    monkeypatch.delenv("OLKE_QUEUE_URL", raising=False)
    return olke


def test_an_unreachable_queue_says_what_to_do(olke_cli, batch):
    result = olke_cli("ingest", batch[0], "--queue-url", f"redis://127.0.0.1:{free_port()}/0")
    assert result.exit_code == 2
    assert "start redis-server there or give the right --queue-url" in result.output


def test_two_workers_archive_a_batch_once_with_progress_over_all(redis_url, batch, home, tmp_path):
    twin = tmp_path / "inbox" / "doc-0-again"
    shutil.copytree(batch[0], twin)                        # the same scans, submitted twice in one batch
    workers = [start_worker(home, redis_url, 0.05) for _ in range(2)]
    try:
        done = subprocess.run(olke(home, "ingest", *batch, twin, "--queue-url", redis_url, "--skip-duplicates",
                                   "--json"), env=env(), cwd=ROOT, capture_output=True, text=True, timeout=120)
    finally:
        stop(workers)
    assert done.returncode == 0, done.stderr
    outcomes = {o["source"]: o for o in json.loads(done.stdout)}
    assert sorted(o["status"] for o in outcomes.values()) == ["duplicate"] + ["ingested"] * len(batch)
    assert_each_archived_once(home, batch)
    from redis import Redis

    assert [k for k in Redis.from_url(redis_url).keys("rq:job:*")] == []       # settled jobs are gone


def test_submitted_twice_then_collected_is_archived_once(redis_url, batch, home):
    for _ in range(2):
        done = subprocess.run(olke(home, "ingest", *batch[:3], "--queue-url", redis_url, "--no-wait"),
                              env=env(), cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "Submitted 3 documents to the queue" in done.stdout
    from rq import Queue
    from redis import Redis

    assert Queue("olke-ocr", connection=Redis.from_url(redis_url)).count == 3       # one job each
    subprocess.run(olke(home, "worker", "--queue-url", redis_url, "--burst"), env=env(), cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    collected = subprocess.run(olke(home, "ingest", "--collect", "--queue-url", redis_url), env=env(), cwd=ROOT,
                               capture_output=True, text=True, timeout=60)
    assert collected.returncode == 0, collected.stderr
    assert "Done: 3 documents archived (12 pages)." in collected.stdout
    assert_each_archived_once(home, batch[:3])


def test_a_worker_killed_mid_job_loses_nothing(redis_url, batch, home):
    from redis import Redis
    from rq import Queue, Worker

    queue = Queue("olke-ocr", connection=Redis.from_url(redis_url))
    # the victim reads slowly (8 s a document), so that the kill lands mid-job and the waiting
    # ingest must find the job silent and put it back on the queue for the other worker
    workers = [start_worker(home, redis_url, 2.0), start_worker(home, redis_url, 0.4)]
    ingest = subprocess.Popen(olke(home, "ingest", *batch, "--queue-url", redis_url, "--json"), env=env(),
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    victim = workers[0]
    try:
        killed_job = None
        deadline = time.monotonic() + 60
        while killed_job is None and time.monotonic() < deadline:
            for worker in Worker.all(queue=queue):
                job = worker.get_current_job()
                if worker.pid == victim.pid and job is not None and job.meta.get("pages", 0) >= 1:
                    killed_job = job.id
            time.sleep(0.05)
        assert killed_job, "the worker never got a job"
        # the worker and its work horse (rq puts the horse in a session of its own), mid-document
        horses = [int(pid) for task in Path(f"/proc/{victim.pid}/task").iterdir()
                  for pid in (task / "children").read_text().split()]
        assert horses, "the worker had no work horse"
        for pid in horses:
            os.killpg(os.getpgid(pid), signal.SIGKILL)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        out, err = ingest.communicate(timeout=120)
    finally:
        if ingest.poll() is None:
            ingest.kill()
        stop(workers)
    assert ingest.returncode == 0, err
    outcomes = json.loads(out)
    assert sorted(o["status"] for o in outcomes) == ["ingested"] * len(batch)
    assert sum(o["pages"] for o in outcomes) == len(batch) * PAGES
    assert_each_archived_once(home, batch)
    assert not queue.connection.exists(f"rq:job:{killed_job}")      # redone elsewhere, archived, forgotten


def test_waiting_reads_whole_jobs_only_where_one_runs_or_has_ended(redis_url, monkeypatch):
    """The waiting ingest looks at every job's status, and fetches a job whole (meta, result) only
    once a worker has started it: a batch of a thousand documents costs a look of statuses."""
    from redis import Redis
    from rq import Queue
    from rq.job import Job

    from ingest import queue as ocr_queue

    connection = Redis.from_url(redis_url)
    waiting = Queue("olke-test", connection=connection)
    keys = [waiting.enqueue("os.getcwd", job_id=f"olke-test-{n}").id for n in range(50)]
    assert ocr_queue._statuses(connection, keys + ["olke-test-gone"]) == [b"queued"] * 50 + [None]
    fetched = []
    real = Job.fetch_many

    def counting(job_ids, connection, serializer=None):
        fetched.append(list(job_ids))
        return real(job_ids, connection=connection)

    monkeypatch.setattr(Job, "fetch_many", staticmethod(counting))

    class Looked(Exception):
        pass

    pauses = []

    def pause(seconds):
        pauses.append(seconds)
        raise Looked                                # one look, then the pause that would follow

    monkeypatch.setattr(ocr_queue, "time", type("Clock", (), {"sleep": staticmethod(pause),
                                                              "monotonic": staticmethod(time.monotonic)}))
    with pytest.raises(Looked):
        ocr_queue.wait(waiting, {key: [] for key in keys}, home=None, reporter=None, finished=None)
    assert fetched == [] and pauses == [0.1]                      # 50 jobs not started: a look of statuses
    connection.hset(Job.key_for(keys[7]), "status", "started")
    with pytest.raises(Looked):
        ocr_queue.wait(waiting, {key: [] for key in keys}, home=None, reporter=None, finished=None)
    assert fetched == [[keys[7]]]                                   # the one that runs, whole


def test_a_queue_url_with_a_password_is_never_printed_with_it(redis_url, tmp_path):
    from archive.errors import UsageError
    from ingest.queue import connect, shown_url

    assert shown_url("redis://:s3cret@10.0.0.5:6379/0") == "redis://:***@10.0.0.5:6379/0"
    assert shown_url("redis://olke:s3cret@10.0.0.5:6379/0") == "redis://olke:***@10.0.0.5:6379/0"
    assert shown_url(redis_url) == redis_url
    port = free_port()                                  # a server that asks for a password
    guarded = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--requirepass", "right", "--dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                connect(f"redis://:right@127.0.0.1:{port}/0")
                break
            except UsageError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        with pytest.raises(UsageError) as refused:
            connect(f"redis://:s3cret@127.0.0.1:{port}/0")
        assert "s3cret" not in refused.value.message and "refused the password" in refused.value.message
        with pytest.raises(UsageError) as unasked:
            connect(f"redis://127.0.0.1:{port}/0")
        assert "refused the password" in unasked.value.message
    finally:
        guarded.terminate()
        guarded.wait(10)


def test_a_job_settled_by_another_run_is_forgotten_quietly(redis_url, home):
    """Two runs waiting for the same job: the one that archives it second finds its record gone."""
    from redis import Redis
    from rq import Queue
    from rq.job import Job

    from ingest.queue import _forget

    queue = Queue("olke-test", connection=Redis.from_url(redis_url))
    job = queue.enqueue("os.getcwd", job_id="olke-test-settled")
    seen = Job.fetch(job.id, connection=queue.connection)
    job.delete()                                   # the other run settled it first
    _forget(seen, home)
    assert not queue.connection.exists(Job.key_for(job.id))
