"""Killed ingests: whatever reached the catalog becomes searchable at the next run, and nothing
of a killed ingest (workers, forkserver, OCR programs) stays running."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.catalog import Catalog
from archive.crashpoints import POINTS
from archive.library import Archive
from archive.search.model import SearchRequest
from archive.search.sync import check
from cli import main
from conftest import page_image
from tests.support.fake_ocr import FAKE_ENGINE
from tests.support.signals import interruptible

CLI = [sys.executable, "-m", "cli"]


def olke(home, *args, env=None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([*CLI, "--home", str(home.root), *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, preexec_fn=interruptible, **kwargs)


def run(home, *args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "--home", str(home.root), *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=120)


@pytest.fixture
def batch(tmp_path):
    """Four documents: two single pages, two folders of three pages (each scan distinct)."""
    paths = []
    for number in range(4):
        pages = 1 if number < 2 else 3
        folder = tmp_path / "inbox" / f"doc-{number}"
        folder.mkdir(parents=True)
        for page in range(1, pages + 1):
            page_image([f"Кітапхана {number} бет {page}"], size=(400, 160)).save(folder / f"page-{page}.png",
                                                                                dpi=(200, 200))
        paths.append(folder)
    return paths


def fake_env(**extra) -> dict:
    return {**os.environ, "OLKE_OCR_ENGINE": FAKE_ENGINE, "OLKE_FAKE_OCR_DELAY": "0", **extra}


def assert_consistent(home, documents: int) -> None:
    """Catalog, files and index agree: every catalogued file there with its size, no orphan
    folder, nothing left in staging, `olke index check` exit 0, every document found."""
    catalog = Catalog(home)
    try:
        archived = catalog.documents()
        assert len(archived) == documents
        for document in archived:
            for row in catalog.files(document.id):
                assert catalog.home.absolute(row["path"]).stat().st_size == row["size_bytes"]
        assert sorted(p.name for p in home.files_dir.iterdir()) == sorted(f"{d.id:06d}" for d in archived)
        assert list(home.staging_dir.iterdir()) == []
    finally:
        catalog.close()
    checked = CliRunner().invoke(main, ["--home", str(home.root), "index", "check"])
    assert checked.exit_code == 0, checked.output
    archive = Archive(home)
    try:
        assert archive.search(SearchRequest(text="кітапхана")).total_documents == documents
    finally:
        archive.close()


@pytest.mark.parametrize("point", POINTS)
def test_a_crash_at_each_point_is_repaired_by_one_rerun(home, batch, point):
    crashed = run(home, "ingest", *batch, "--workers", "1", env=fake_env(OLKE_TEST_CRASH_AT=point))
    assert crashed.returncode == 137, crashed.stderr
    rerun = run(home, "ingest", *batch, "--workers", "1", "--skip-duplicates", "--json", env=fake_env())
    assert rerun.returncode == 0, rerun.stderr
    statuses = [o["status"] for o in json.loads(rerun.stdout)]
    assert set(statuses) <= {"ingested", "duplicate"} and len(statuses) == 4
    assert_consistent(home, 4)


def test_kill_9_at_random_moments_then_one_rerun(home, batch):
    """Real `kill -9` at random moments of a parallel ingest (slowed down so the moments fall
    everywhere: OCR, the catalog commit, the index write); one re-run puts everything right."""
    chooser = random.Random(13)
    for trial in range(3):
        trial_home = type(home).resolve(home.root.parent / f"trial-{trial}")
        process = olke(trial_home, "ingest", *batch, "--workers", "2", env=fake_env(OLKE_FAKE_OCR_DELAY="0.15"))
        time.sleep(chooser.uniform(1.0, 3.0))
        process.kill()
        process.communicate(timeout=30)
        rerun = run(trial_home, "ingest", *batch, "--workers", "2", "--skip-duplicates", env=fake_env())
        assert rerun.returncode == 0, rerun.stderr
        assert_consistent(trial_home, 4)


def ingest_here(home, *paths) -> None:
    result = CliRunner().invoke(main, ["--home", str(home.root), "ingest", *map(str, paths), "--workers", "1"])
    assert result.exit_code == 0, result.output


def test_catching_up_costs_nothing_when_nothing_is_missing(home, batch):
    ingest_here(home, *batch[:2])
    archive = Archive(home)
    try:
        toc = archive.index.ix._read_toc().generation
        started = time.perf_counter()
        assert archive.catch_up() == []
        assert time.perf_counter() - started < 1.0
        assert archive.index.ix._read_toc().generation == toc        # nothing was written
    finally:
        archive.close()


def test_changes_the_index_missed_are_caught_up(home, batch):
    """A description edited, a document deleted and one added, all in the catalog only (as a
    crash after the commit leaves them): the next catch-up indexes all three."""
    from archive.metadata import Description

    ingest_here(home, *batch[:3])
    catalog = Catalog(home)
    first, second, third = sorted(d.id for d in catalog.documents())
    document = catalog.get(first)
    described = {field: getattr(document, field) for field in Description.FIELDS}
    catalog.update_description(first, Description.from_mapping({**described, "title": "Жаңа атау"}))
    catalog.delete(second)
    catalog.conn.execute("DELETE FROM index_pending")      # as if marks were lost: page counts still tell
    catalog.delete(third)
    catalog.close()
    archive = Archive(home)
    try:
        assert not check(archive.catalog, archive.index).ok
        assert archive.catch_up() == [second, third]      # the deletion without its mark: counts tell
        assert not check(archive.catalog, archive.index).ok      # the title edit: its mark was dropped
        catalog = archive.catalog
        catalog.update_description(first, Description.from_mapping({**described, "title": "Тағы бір"}))
        assert archive.catch_up() == [first]
        assert check(archive.catalog, archive.index).ok
        assert [d.title for d in archive.search(SearchRequest(text="тағы")).documents] == ["Тағы бір"]
    finally:
        archive.close()


def test_serve_catches_up_at_start(home, batch, monkeypatch):
    crashed = run(home, "ingest", *batch[:2], env=fake_env(OLKE_TEST_CRASH_AT="after-commit"))
    assert crashed.returncode == 137
    served = []
    monkeypatch.setattr("cli.web.run_server", lambda app, *args, **kwargs: served.append(app))
    result = CliRunner().invoke(main, ["--home", str(home.root), "serve"])
    assert result.exit_code == 0, result.output
    assert served and "Indexed 1 document the search index lacked." in result.stderr
    checked = run(home, "index", "check", env=fake_env())
    assert checked.returncode == 0, checked.stdout


# --- nothing keeps running after a killed ingest ---------------------------------------------

def session_processes(session: int) -> set[int]:
    """Every process in the session (the ingest was started as its leader: workers, forkserver,
    resource tracker and their children all stay in it)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            found.add(int(entry.name))
    return found


@pytest.mark.parametrize("how", ["kill -9", "SIGTERM", "Ctrl-C"])
def test_nothing_outlives_a_killed_ingest(home, batch, how):
    process = olke(home, "ingest", *batch, "--workers", "2", env=fake_env(OLKE_FAKE_OCR_DELAY="0.5"),
                   start_new_session=True)
    deadline = time.monotonic() + 60
    while len(session_processes(process.pid)) < 4 and time.monotonic() < deadline:    # workers started
        time.sleep(0.1)
    assert len(session_processes(process.pid)) >= 4
    time.sleep(0.5)
    {"kill -9": process.kill, "SIGTERM": process.terminate,
     "Ctrl-C": lambda: os.killpg(process.pid, signal.SIGINT)}[how]()
    stopped = time.monotonic()
    process.communicate(timeout=30)
    while session_processes(process.pid) and time.monotonic() - stopped < 10:
        time.sleep(0.05)
    assert session_processes(process.pid) == set(), f"still running {time.monotonic() - stopped:.1f} s after {how}"
    assert time.monotonic() - stopped < 5
    if how != "kill -9":
        assert process.returncode == 130
        assert list(home.staging_dir.iterdir()) == []
