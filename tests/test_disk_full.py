"""A full disk is named as such, leaves nothing half-written, and the catalog stays readable;
two first commands on a new data home do not trip over each other."""
from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.catalog import Catalog
from archive.home import Home
from cli import main
from tests.support.fake_ocr import FAKE_ENGINE

FULL = "the disk is full: "
WHAT_TO_DO = "free space and run again"


def no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def olke(home: Home, *args):
    return CliRunner().invoke(main, ["--home", str(home.root), *map(str, args)])


def test_no_space_for_the_staged_files(home, scans, monkeypatch):
    monkeypatch.setattr("ingest.stages.shutil.copy2", no_space)
    result = olke(home, "ingest", scans["png"], scans["jpeg"], "--workers", "1")
    assert result.exit_code == 12, result.output
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"olke: error: {FULL}") and last.endswith(WHAT_TO_DO) and " MB free on " in last
    assert "Traceback" not in result.output
    catalog = Catalog(home)
    assert catalog.documents() == []
    catalog.close()
    assert list(home.staging_dir.iterdir()) == [] and list(home.files_dir.iterdir()) == []


def test_no_space_for_the_index_then_a_rerun_catches_up(home, scans, monkeypatch):
    monkeypatch.setattr("archive.search.index.WhooshIndex.replace_documents", no_space)
    result = olke(home, "ingest", scans["png"])
    assert result.exit_code == 12 and FULL in result.stderr, result.output
    assert olke(home, "list").output.count("\n") == 1         # archived; only the index lacks it
    monkeypatch.undo()
    monkeypatch.setenv("OLKE_OCR_ENGINE", FAKE_ENGINE)
    assert olke(home, "ingest", scans["png"], "--skip-duplicates").exit_code == 0
    assert olke(home, "index", "check").exit_code == 0


def test_a_full_disk_on_a_real_filesystem(tmp_path, make_png):
    """A 24 MB tmpfs filled to the last byte: list and show work, ingest says what happened and
    leaves the archive as it was; once space is freed the same command goes through."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True)
    if mounted.returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        env = {**os.environ, "OLKE_OCR_ENGINE": FAKE_ENGINE}

        def run(*args):
            return subprocess.run([sys.executable, "-m", "cli", "--home", str(mount / "home"), *map(str, args)],
                                  capture_output=True, text=True, env=env, timeout=120)

        first, second = make_png("first.png"), make_png("second.png", lines=["Екінші құжат"])
        assert run("ingest", first).returncode == 0
        from search_app import create_app

        app = create_app({"OLKE_HOME": str(mount / "home"), "TESTING": True})     # serving when the disk fills
        filler = mount / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:
            written = 0
            for size in (1 << 20, 4096, 1):
                try:
                    while os.write(fd, b"\0" * size):
                        written += size
                        if written > 64 << 20:      # a tmpfs that ignores its size would take all memory
                            pytest.skip("this machine's tmpfs does not keep to its size")
                except OSError as error:
                    assert error.errno == errno.ENOSPC
        finally:
            os.close(fd)
        assert shutil.disk_usage(mount).free == 0
        client = app.test_client()
        for address in ("/", "/search?q=кітапхана", "/api/search?q=кітапхана", "/documents/1/pages/1",
                        "/files/1/document.pdf"):
            assert client.get(address).status_code == 200, address      # a view goes uncounted, that is all
        app.extensions["olke"].close()
        listed = run("list")
        assert listed.returncode == 0 and "first" in listed.stdout, listed.stderr
        assert run("show", "1").returncode == 0
        assert run("search", "кітапхана").returncode == 0
        failed = run("ingest", second)
        assert failed.returncode == 12, failed.stderr
        assert failed.stderr.strip().splitlines()[-1] == f"olke: error: {FULL}0 MB free on {mount}; {WHAT_TO_DO}"
        assert sorted(p.name for p in (mount / "home" / "files").iterdir()) == ["000001"]
        assert list((mount / "home" / "staging").iterdir()) == []
        filler.unlink()
        assert run("ingest", second).returncode == 0
        assert run("index", "check").returncode == 0
        assert run("list").stdout.count("\n") == 2
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_first_commands_on_a_new_data_home_at_once(tmp_path):
    """Several olke processes that each find the data home new: all of them work, none says
    "database is locked"."""
    env = {**os.environ, "OLKE_OCR_ENGINE": FAKE_ENGINE}
    for trial in range(2):
        home = tmp_path / f"new-{uuid.uuid4().hex[:6]}"
        commands = [["list"], ["init"], ["search", "кітапхана"], ["index", "check"]]
        processes = [subprocess.Popen([sys.executable, "-m", "cli", "--home", str(home), *command],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                     for command in commands]
        for command, process in zip(commands, processes):
            stdout, stderr = process.communicate(timeout=120)
            assert process.returncode == 0, f"{command}: {stderr}"
            assert "Traceback" not in stderr
        assert Path(home, "catalog.sqlite").exists()
