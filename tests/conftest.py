"""Fixtures: tiny scans built on the fly, a fresh data home, the fake OCR engine."""
from __future__ import annotations

import os
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from archive.clock import use_library_time

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
use_library_time()      # as the CLI and the apps do: the library's day, whatever the machine's zone
FONT_CANDIDATES = ("/usr/share/fonts/truetype/paratype/PTF55F.ttf",
                   "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
                   "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
KAZAKH_LINES = ["Қаладағы кітапхана тарихы туралы мақала.", "Кітапханалардың қорында ескі газеттер сақталған.",
                "Өлкетану бөлімі оқырмандарға ашық."]
RUSSIAN_LINES = ["Городская библиотека хранит старые газеты.", "Краеведческий отдел открыт для читателей.",
                 "Щедрые дарители передали ещё сто книг."]


ROOT = Path(__file__).resolve().parents[1]
SCANS = ROOT / "scans"


def import_from_scans(name: str):
    """Import a module from scans/ without leaving a __pycache__ folder in the inbox."""
    import importlib
    import sys

    before = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    if str(SCANS) not in sys.path:
        sys.path.insert(0, str(SCANS))
    try:
        return importlib.import_module(name)
    finally:
        sys.dont_write_bytecode = before


@pytest.fixture
def olke(home):
    """Run the olke command in-process on the test's data home: olke("list", "--json")."""
    from click.testing import CliRunner

    from cli import main

    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(main, ["--home", str(home.root), *map(str, args)], input=input)
    return run


def font(size: int) -> ImageFont.FreeTypeFont:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    pytest.skip("no font with Kazakh letters; install fonts-dejavu-core")


def page_image(lines: list[str], dpi: int = 200, size=(1200, 500), angle: float = 0.0) -> Image.Image:
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    face = font(int(dpi / 6.5))
    for number, line in enumerate(lines):
        draw.text((60, 50 + number * int(dpi / 3.6)), line, font=face, fill=0)
    return image.rotate(angle, fillcolor=255) if angle else image


@pytest.fixture
def make_png(tmp_path):
    def make(name="page.png", lines=KAZAKH_LINES, dpi=200, **kw) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        page_image(lines, dpi, **kw).save(path, dpi=(dpi, dpi))
        return path
    return make


@pytest.fixture
def scans(tmp_path, make_png):
    """A set of good and bad inputs, named by what they are."""
    made = {"png": make_png("single.png")}
    made["jpeg"] = tmp_path / "photo.jpg"
    page_image(RUSSIAN_LINES).save(made["jpeg"], quality=85, dpi=(200, 200))
    made["tiff"] = tmp_path / "two-pages.tif"
    first, second = page_image(KAZAKH_LINES), page_image(RUSSIAN_LINES)
    first.save(made["tiff"], save_all=True, append_images=[second], dpi=(200, 200), compression="tiff_lzw")
    book = tmp_path / "book"
    book.mkdir()
    for n in (1, 2, 10, 3):
        page_image([f"Бет {n}"], size=(300, 200)).save(book / f"page-{n}.png", dpi=(200, 200))
    made["book"] = book
    made["image_pdf"] = tmp_path / "image-only.pdf"
    import img2pdf
    made["image_pdf"].write_bytes(img2pdf.convert([str(made["png"]), str(made["jpeg"])]))
    made["text_pdf"] = text_pdf(tmp_path / "born-digital.pdf", ["Кітапхана тарихы. Бірінші бет.",
                                                                 "Библиотека. Вторая страница."])
    made["empty"] = tmp_path / "empty.png"
    made["empty"].write_bytes(b"")
    made["wrong_type"] = tmp_path / "notes.png"
    made["wrong_type"].write_text("this is not an image", encoding="utf-8")
    made["truncated"] = tmp_path / "truncated.png"
    made["truncated"].write_bytes(made["png"].read_bytes()[:400])
    made["bomb"] = tmp_path / "bomb.png"
    Image.new("1", (13000, 13000), 1).save(made["bomb"])
    made["encrypted"] = tmp_path / "encrypted.pdf"
    with pikepdf.open(made["image_pdf"]) as pdf:
        pdf.save(made["encrypted"], encryption=pikepdf.Encryption(owner="o", user="secret"))
    made["truncated_pdf"] = tmp_path / "truncated.pdf"          # cut off half way, as a broken copy is
    data = made["text_pdf"].read_bytes()
    made["truncated_pdf"].write_bytes(data[:len(data) // 2])
    made["corrupt_pdf"] = tmp_path / "corrupt.pdf"
    made["corrupt_pdf"].write_bytes(b"%PDF-1.7\n garbage that is not a pdf at all\n")
    return made


def text_pdf(path: Path, pages: list[str]) -> Path:
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(420, 595))
    pdf.add_font("body", fname=str(next(p for p in FONT_CANDIDATES if Path(p).exists())))
    for text in pages:
        pdf.add_page()
        pdf.set_font("body", size=14)
        pdf.multi_cell(0, 20, text)
    pdf.output(str(path))
    return path


# --- hangs -----------------------------------------------------------------------------------------
# A test still running after pyproject's `timeout` fails, and is run once more (pytest-rerunfailures,
# for timeouts only); where the first run was stuck is printed here, so that it is not lost.

def pytest_terminal_summary(terminalreporter):
    stuck = terminalreporter.stats.get("rerun", [])
    for report in stuck:
        terminalreporter.write_sep("-", f"timed out, then run again: {report.nodeid}")
        terminalreporter.write_line("\n".join(report.longreprtext.splitlines()[-60:]))


# --- the catalog's database ------------------------------------------------------------------------
# SQLite in the data home, as by default; tests (or modules) marked `databases` run twice, the second
# time with the catalog on a PostgreSQL server of the tests' own (tests/support/postgres.py).

DATABASES = ("sqlite", "postgresql")


def pytest_configure(config):
    config.addinivalue_line("markers", "databases: runs on SQLite and again with the catalog on PostgreSQL")


def pytest_generate_tests(metafunc):
    if not metafunc.definition.get_closest_marker("databases"):
        return
    if "module_database" in metafunc.fixturenames:
        metafunc.parametrize("module_database", DATABASES, indirect=True, scope="module")
    elif "database" in metafunc.fixturenames:
        metafunc.parametrize("database", DATABASES, indirect=True)


@pytest.fixture(scope="session")
def postgresql_server():
    """One PostgreSQL server per test process, started on first use and stopped at the end."""
    from tests.support.postgres import Server, binaries

    bindir = binaries()
    if bindir is None or not (bindir / "pg_ctl").exists():
        pytest.skip("PostgreSQL is not installed (make test installs it: apt-get install postgresql)")
    server = Server(bindir)
    try:
        yield server.start()
    finally:
        server.stop()


def _catalog_database(request, patch: pytest.MonkeyPatch, postgresql: bool, copy_of: str | None = None):
    """None (SQLite in the data home), or the URL of a new PostgreSQL database (empty and migrated,
    or a copy of ``copy_of``), set as OLKE_DATABASE_URL for the commands the test starts; dropped after."""
    if not postgresql:
        patch.delenv("OLKE_DATABASE_URL", raising=False)
        yield None
        return
    server = request.getfixturevalue("postgresql_server")
    url = server.new_database(copy_of)
    patch.setenv("OLKE_DATABASE_URL", url)
    try:
        yield url
    finally:
        server.drop(url)


@pytest.fixture
def database(request, monkeypatch):
    """Where the test's catalog is: None for SQLite in the data home, else a PostgreSQL URL."""
    yield from _catalog_database(request, monkeypatch, getattr(request, "param", "sqlite") == "postgresql")


@pytest.fixture(scope="module")
def module_database(request):
    """As ``database``, for an archive a whole module's tests share (built by a module-scoped fixture)."""
    with pytest.MonkeyPatch.context() as patch:
        yield from _catalog_database(request, patch, getattr(request, "param", "sqlite") == "postgresql")


@pytest.fixture
def database_copy(request, module_database, monkeypatch):
    """For a test that works on a copy of the module's archive (its data home copied): a copy of the
    module's catalog database too, when that is on PostgreSQL."""
    yield from _catalog_database(request, monkeypatch, module_database is not None, copy_of=module_database)


@pytest.fixture
def home(tmp_path, database):
    from archive.home import Home

    home = Home.resolve(tmp_path / "home")
    yield home
    if database:
        assert not home.catalog_path.exists(), "the catalog went to SQLite in the data home, not to PostgreSQL"


@pytest.fixture
def catalog(home):
    from archive.catalog import Catalog

    catalog = Catalog(home)
    yield catalog
    catalog.close()


@pytest.fixture
def archive(home):
    """The test's data home opened as the CLI and the apps open it: the one way into the data."""
    from archive.library import Archive

    archive = Archive(home)
    yield archive
    archive.close()


@pytest.fixture(autouse=True)
def fake_ocr(monkeypatch):
    """Most tests use the fake engine (tests/support/fake_ocr.py); real-OCR tests ask for tesseract
    explicitly. The commands the tests start find it, and this checkout's code, on PYTHONPATH."""
    from tests.support.fake_ocr import FAKE_ENGINE

    monkeypatch.setenv("OLKE_OCR_ENGINE", FAKE_ENGINE)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("OLKE_USER", "tester")


SEARCH_BACKENDS = ("whoosh", "tantivy")      # archive.search.backends.BACKENDS


@pytest.fixture(params=SEARCH_BACKENDS)
def search_backend(request, monkeypatch):
    """Each search engine in turn (``OLKE_SEARCH``): a test that asks for it runs against both."""
    monkeypatch.setenv("OLKE_SEARCH", request.param)
    return request.param


def whoosh_only(backend: str, why: str) -> None:
    """Skip a test of something only Olke's Whoosh index has."""
    if backend != "whoosh":
        pytest.skip(f"Whoosh only: {why}")
