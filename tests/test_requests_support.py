"""Support for the delivery tests (no tests here): a small archive, the apps, a real SMTP server.

The archive holds:
  book    — a 10-page book (2012), on request: 1 page is 10%, 2 pages exceed the 15% rule
  article — a 2-page Kazakh newspaper article, on request: may be copied whole
  old     — a 4-page book of 1890: public domain, may be copied in full
"""
from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path

BOOK_PAGES = [f"Дала мен өзен кітабы, {n}-бет. Өлкетану очерктері." for n in range(1, 11)]
ARTICLE_PAGES = ["Қаладағы кітапхана тарихы туралы мақала.", "Өлкетану бөлімі оқырмандарға ашық."]
OLD_PAGES = [f"Старинная книга о крае, страница {n}." for n in range(1, 5)]
DOCUMENTS = {
    "book": (BOOK_PAGES, dict(kind="book", title="Дала мен өзен", language="kaz", published="2012",
                              access="on_request")),
    "article": (ARTICLE_PAGES, dict(kind="newspaper_article", title="Кітапхана тарихы", language="kaz",
                                    source="Өлке тынысы", issue="12", published="1998-05-14", access="on_request")),
    "old": (OLD_PAGES, dict(kind="book", title="Степной край", language="rus", published="1890", access="open")),
}
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parent.parent / "test-output"


def build_archive(root: Path) -> tuple[Path, dict[str, int]]:
    """A data home with the three documents (born-digital PDFs, so no OCR); returns it and the ids."""
    from conftest import text_pdf

    from archive.home import Home
    from archive.library import Archive
    from archive.metadata import Description
    from ingest.pipeline import IngestOptions, ingest
    from ingest.sources import discover
    from tests.support.fake_ocr import FakeEngine

    home = Home.resolve(root / "home")
    archive = Archive(home)
    ids = {}
    try:
        with archive.batch():
            for name, (pages, fields) in DOCUMENTS.items():
                pdf = text_pdf(root / f"{name}.pdf", pages)
                sources, errors = discover([pdf], Description.from_mapping(fields))
                assert not errors
                (outcome,) = ingest(sources, archive, FakeEngine(pages), IngestOptions(workers=1))
                assert outcome.ok, outcome.error
                ids[name] = outcome.document_id
    finally:
        archive.close()
    return home.root, ids


def copy_home(template: Path, target: Path) -> Path:
    shutil.copytree(template, target)
    return target


def public_app(home: Path, **settings):
    from search_app import create_app

    app = create_app({"OLKE_HOME": str(home), "TESTING": True, "OLKE_DELIVERY": settings})
    if "delivery" not in app.blueprints:          # until the reading room registers it itself
        from search_app import delivery

        delivery.init_app(app)
    return app


def staff_app(home: Path, **settings):
    from ingest.reader import ScanReader
    from search_app.staff import create_staff_app

    return create_staff_app({"OLKE_HOME": str(home), "TESTING": True, "OLKE_DELIVERY": settings,
                             "OLKE_READER": ScanReader()})


def set_settings(app, **changes) -> None:
    """Change the delivery settings of a running app (e.g. the public address once the port is known)."""
    if "olke_delivery" in app.extensions:
        app.extensions["olke_delivery"].live.change(**changes)
    else:
        app.extensions["olke_staff"]["settings"].change(**changes)


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or \
        re.search(rf'value="([^"]*)"[^>]*name="{name}"', html)
    assert match, f"no field {name}"
    return match.group(1)


def aged_start(secret: str, seconds_ago: float) -> str:
    """A form-start token signed ``seconds_ago``: a form a person has been filling that long."""
    from itsdangerous import TimestampSigner

    class Past(TimestampSigner):
        def get_timestamp(self):
            return int(time.time() - seconds_ago)

    return Past(secret, salt="olke-form-started").sign("test").decode()


def aged_link(secret: str, copy_id: int, days_ago: float) -> str:
    from itsdangerous import URLSafeTimedSerializer

    from archive.delivery.links import SALT

    serializer = URLSafeTimedSerializer(secret, salt=SALT)
    signer = serializer.make_signer(SALT)
    signer.get_timestamp = lambda: int(time.time() - days_ago * 86400)
    payload = serializer.dump_payload({"copy": copy_id})
    return signer.sign(payload).decode()


def form_data(html: str, **fields) -> dict:
    """The hidden fields of the request form, then the fields a person fills in."""
    data = {name: hidden(html, name) for name in ("csrf_token", "started", "consent_version")}
    document = re.search(r'name="document_id" value="(\d+)"', html)
    if document:
        data["document_id"] = document.group(1)
    data.update({"name": "Сынақ Оқырман", "email": "reader@example.kz", "category": "teacher", "consent": "y",
                 "rules_acknowledged": "y"})
    data.update({k: v for k, v in fields.items() if v is not None})
    return {k: v for k, v in data.items() if v is not None}


class Mailbox:
    """What the local SMTP server received."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def wait(self, count: int, timeout: float = 10) -> list:
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"{len(self.messages)} letters arrived, {count} expected")


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free loopback port; yields (mailbox, mail settings)."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, {"host": "127.0.0.1", "port": port, "sender": "eddo@library.example.kz", "timeout": 10}
    finally:
        controller.stop()


def pdf_page_texts(path: Path) -> list[str]:
    import subprocess

    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def page_image_bytes(text: str) -> bytes:
    """A small page image with a line of text, as a PNG."""
    import io

    from conftest import page_image

    out = io.BytesIO()
    page_image([text], size=(800, 300)).save(out, format="PNG", dpi=(200, 200))
    return out.getvalue()
