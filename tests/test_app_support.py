"""A small archive for the reading room's tests, built with the fake OCR engine, and `serve`, which
runs an app on waitress for tests that speak HTTP (no tests here).

Imported by tests/test_app_*.py, tests/test_browser.py and the OAI and delivery tests; the archive holds:
  kazakh  — a Kazakh newspaper article, open, 2 pages, in the collection "kitaphana"
  russian — a Russian journal article, on request, 1 page
  hostile — a book whose title, metadata and OCR text carry HTML and script
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, ImageDraw

KAZAKH_PAGES = ["Қаладағы кітапхана тарихы туралы мақала. Кітапханалардың қорында ескі газеттер сақталған.",
                "Өлкетану бөлімі оқырмандарға ашық. Кітапханаға келіңіз, ескі газеттерді оқыңыз."]
RUSSIAN_PAGES = ["Городская библиотека хранит старые газеты. Краеведческий отдел открыт для читателей."]
HOSTILE_PAGES = ['<script>alert("ocr")</script> Кітапхана <b>тарихы</b> & "тырнақша" <img src=x onerror=alert(2)>']
HOSTILE_TITLE = '<script>alert("title")</script> Тарих'

DOCUMENTS = {
    "kazakh": (KAZAKH_PAGES, dict(kind="newspaper_article", title="Кітапхана тарихы", authors=("Сейітов Б.",),
                                  source="Өлке тынысы", issue="12", published="1998-05-14", source_pages="3",
                                  language="kaz", rubrics=("Тарих", "Кітапханалар"), access="open",
                                  digitised_on="2026-02-10")),
    "russian": (RUSSIAN_PAGES, dict(kind="journal_article", title="Городская библиотека", authors=("Семёнов П.",),
                                    source="Краевед", issue="3", published="2005", source_pages="12-14",
                                    language="rus", rubrics=("История края",), access="on_request",
                                    digitised_on="2026-03-01")),
    "hostile": (HOSTILE_PAGES, dict(kind="book", title=HOSTILE_TITLE, authors=("<b>Автор</b>",),
                                    published="2010", language="kaz", rubrics=("<i>Тарих</i>",),
                                    notes='<img src=x onerror=alert(1)>', udc='"><script>x()</script>',
                                    access="open", digitised_on="2026-04-01")),
}


def _scan_folder(folder: Path, pages: int, seed: int) -> Path:
    """Page images that differ from every other document's (the archive refuses duplicates)."""
    folder.mkdir(parents=True)
    for number in range(1, pages + 1):
        image = Image.new("L", (600, 800), 255)
        draw = ImageDraw.Draw(image)
        for line in range(8):
            y = 80 + line * 60
            draw.rectangle((60, y, 540 - (seed * 37 + number * 23 + line * 11) % 200, y + 18), fill=40)
        image.save(folder / f"page-{number}.png", dpi=(150, 150))
    return folder


def build_archive(root: Path) -> tuple[Path, dict[str, int]]:
    """Ingest the three documents into a data home under ``root``; returns it and the documents' ids."""
    from archive.home import Home
    from archive.library import Archive
    from archive.metadata import Description
    from ingest.pipeline import IngestOptions, ingest
    from ingest.sources import discover
    from tests.support.fake_ocr import FakeEngine

    home = Home.resolve(root / "home")
    archive = Archive(home)
    ids: dict[str, int] = {}
    try:
        with archive.batch():
            for seed, (name, (pages, fields)) in enumerate(DOCUMENTS.items()):
                folder = _scan_folder(root / "scans" / name, len(pages), seed)
                sources, errors = discover([folder], Description.from_mapping(fields))
                assert not errors
                (outcome,) = ingest(sources, archive, FakeEngine(pages), IngestOptions(workers=1))
                assert outcome.ok, outcome.error
                ids[name] = outcome.document_id
        archive.collections.create("kitaphana", title_kk="Кітапхана тарихы топтамасы",
                                   title_ru="История библиотеки", description="Кітапхана туралы мақалалар")
        archive.collections.add("kitaphana", [ids["kazakh"]])
    finally:
        archive.close()
    return home.root, ids


# English strings of the interface that must never show in the Kazakh or Russian pages.
ENGLISH_UI = ["Skip to main content", "Search the full text", ">Search<", "Browse", "Collections", "Home<",
              "What the archive holds", "Recently added", "Newspaper article", "Journal article", "Documents",
              "Pages", "Kazakh", "Russian", "Refine", "Sort by", "Apply", "Relevance", "Download PDF",
              "Description", "Title", "Published", "Previous", "Next", "Page ", "Zoom", "Go to page",
              "Request a copy", "copies on request", "Cite", "Nothing was found", "Did you mean",
              "Interface language", "local history archive", "Years", "Subject", "document found",
              "Page not found", "Something went wrong", "recognition confidence", "Thematic collections"]


@contextmanager
def serve(app, threads: int = 8):
    """`app` on waitress on a free loopback port, in a background thread; yields its base URL.

    The server's sockets are closed from its own thread (through waitress's trigger): closing them
    from this one let its loop poll a closed socket now and then, an OSError in that thread that
    pytest reports against whichever test runs at the time."""
    from waitress import create_server, wasyncore

    server = create_server(app, host="127.0.0.1", port=0, threads=threads, ident="olke-test")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        thread.join(timeout=5)
        server.task_dispatcher.shutdown()
