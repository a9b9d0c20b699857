"""Ctrl-C in the middle of a batch, as a bibliographer would press it."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from archive.catalog import Catalog
from tests.support.fake_ocr import FAKE_ENGINE
from tests.support.signals import interruptible


def olke(home, *args, env=None, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "cli", "--home", str(home.root), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=interruptible, **kwargs)


def test_ctrl_c_leaves_a_consistent_archive_and_a_rerun_resumes(home, scans):
    env = dict(os.environ, OLKE_OCR_ENGINE=FAKE_ENGINE, OLKE_FAKE_OCR_DELAY="0.4")
    inputs = [scans["png"], scans["jpeg"], scans["tiff"], scans["book"]]
    process = olke(home, "ingest", *inputs, "--workers", "1", env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # wait until the first document is in the catalog
        if home.catalog_path.exists():
            catalog = Catalog(home)
            count = len(catalog.documents())
            catalog.close()
            if count:
                break
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert "run the same command again with --skip-duplicates to continue" in stderr.strip().splitlines()[-1]
    catalog = Catalog(home)
    archived = catalog.documents()
    assert 1 <= len(archived) < 4
    for document in archived:  # every catalogued file is there, with its size
        for row in catalog.files(document.id):
            assert catalog.home.absolute(row["path"]).stat().st_size == row["size_bytes"]
    assert sorted(p.name for p in home.files_dir.iterdir()) == sorted(f"{d.id:06d}" for d in archived)
    catalog.close()

    rerun = olke(home, "ingest", *inputs, "--workers", "1", "--skip-duplicates", "--json",
                 env=dict(env, OLKE_FAKE_OCR_DELAY="0"))
    stdout, stderr = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, stderr
    statuses = [o["status"] for o in json.loads(stdout)]
    assert statuses.count("duplicate") == len(archived)
    assert statuses.count("ingested") == 4 - len(archived)
    catalog = Catalog(home)
    assert len(catalog.documents()) == 4
    assert list(home.staging_dir.iterdir()) == []
    catalog.close()


def test_an_interrupt_inside_ocrmypdf_leaves_the_error_streams_as_they_were(monkeypatch, tmp_path):
    """Ctrl-C while ocrmypdf checked its output PDF left sys.stderr a StringIO: the message saying
    how to continue went into it, and the bibliographer saw the command end with nothing said."""
    import io

    import ocrmypdf

    from ocr.engine import OcrOptions
    from ocr.tesseract import TesseractEngine

    def interrupted_ocr(*args, **kwargs):
        sys.stderr = io.StringIO()
        return ocrmypdf.ExitCode.ctrl_c

    monkeypatch.setattr(ocrmypdf, "ocr", interrupted_ocr)
    stderr = sys.stderr
    try:
        TesseractEngine._run(tmp_path / "in.pdf", tmp_path / "out.pdf", OcrOptions(), False, None, None)
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("ocrmypdf's ctrl-c exit code is an interrupt")
    finally:
        swapped, sys.stderr = sys.stderr, stderr
    assert swapped is stderr
