"""`olke index rebuild` while the reading room serves: readers see the old index or the new one."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from http.client import HTTPConnection

from click.testing import CliRunner

from archive.library import Archive
from archive.metadata import Description
from archive.search.index import GENERATION
from archive.search.model import SearchRequest
from cli import main
from ingest.pipeline import IngestOptions, ingest
from ingest.sources import DocumentSource
from tests.support.fake_ocr import FakeEngine
from test_app_support import serve

REBUILDS = 25
CLIENTS = 20
QUERY = "/api/search?" + urllib.parse.urlencode({"q": "кітапхана", "per_page": 5})

REBUILD_LOOP = """
import sys
from archive.home import Home
from archive.library import Archive
from archive.search.sync import rebuild

archive = Archive(Home.resolve(sys.argv[1]))
for _ in range(int(sys.argv[2])):
    rebuild(archive.catalog, archive.index)
archive.close()
"""


def test_searches_during_25_rebuilds_never_fail_and_never_come_back_empty(home, make_png):
    archive = Archive(home)
    with archive.batch():
        for number in range(8):
            image = make_png(f"doc-{number}.png", lines=[f"Құжат {number}"])
            description = Description(kind="newspaper_article", title=f"Кітапхана {number}", language="kaz")
            texts = [f"Кітапхана қоры {number}, {page}-бет" for page in range(1, 4)]
            ingest([DocumentSource(str(image), [image] * 3, description)], archive, FakeEngine(texts),
                   IngestOptions(workers=1))
    expected = archive.search(SearchRequest(text="кітапхана")).total_documents
    assert expected == 8
    archive.close()

    from search_app import create_app

    app = create_app({"OLKE_HOME": str(home.root), "TESTING": True})
    answers: Counter = Counter()
    problems: list[str] = []
    stop = threading.Event()

    def reader(base: str) -> None:
        connection = HTTPConnection(*urllib.parse.urlsplit(base).netloc.split(":"), timeout=30)
        while not stop.is_set():
            connection.request("GET", QUERY)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                answers["failed"] += 1
                problems.append(f"HTTP {response.status}: {body[:200]!r}")
            elif json.loads(body)["total_documents"] != expected:
                answers["empty"] += 1
                problems.append(f"{json.loads(body)['total_documents']} documents instead of {expected}")
            else:
                answers["ok"] += 1
        connection.close()

    with serve(app, threads=8) as base:
        readers = [threading.Thread(target=reader, args=(base,)) for _ in range(CLIENTS)]
        for thread in readers:
            thread.start()
        started = time.monotonic()
        rebuilds = subprocess.run([sys.executable, "-c", REBUILD_LOOP, str(home.root), str(REBUILDS)],
                                  capture_output=True, text=True, timeout=300)
        took = time.monotonic() - started
        time.sleep(0.3)
        stop.set()
        for thread in readers:
            thread.join(timeout=30)
    app.extensions["olke"].close()
    assert rebuilds.returncode == 0, rebuilds.stderr
    print(f"{sum(answers.values())} searches during {REBUILDS} rebuilds in {took:.1f} s: {dict(answers)}")
    assert answers["ok"] > CLIENTS and not problems, problems[:5]

    # the retired generations are gone, or go at the next rebuild once no reader holds them
    archive = Archive(home)
    archive.index.remove_retired()
    generations = [p.name for p in home.index_dir.iterdir() if p.name.startswith(GENERATION)]
    assert generations == [archive.index.live().name]
    assert archive.search(SearchRequest(text="кітапхана")).total_documents == expected
    archive.close()


def test_a_rebuild_repairs_an_index_whose_live_generation_is_gone(home, make_png):
    def olke(*args):
        return CliRunner().invoke(main, ["--home", str(home.root), *args])

    image = make_png("one.png")
    assert olke("ingest", str(image)).exit_code == 0
    assert olke("index", "rebuild").exit_code == 0
    shutil.rmtree(Archive(home).index.live())
    checked = olke("index", "check")
    assert checked.exit_code == 9 and "run `olke index rebuild`" in checked.stderr
    assert olke("index", "rebuild").exit_code == 0
    assert olke("index", "check").exit_code == 0
