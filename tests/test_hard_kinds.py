"""Each hard kind of scan (scans/README.md, issue 12) through the default `olke ingest`, real tesseract.

Every test renders a small page of one hard kind with the samples' own renderer (a clipping of a
few paragraphs, so each runs in seconds), ingests it with the defaults, and checks the stored text
against the truth: its character error rate stays under the limit, and a page whose text is
missing is never judged `ok`. Where the layout is the hard part, the archived PDF's text layer
must read in the same order (`pdftotext` in its default mode, as a reader's copy would).
"""
from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from pathlib import Path

import jiwer
import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import import_from_scans

pytestmark = pytest.mark.tesseract

SCANS = Path(__file__).resolve().parents[1] / "scans"
MISSING = 0.5      # a page whose CER is above this has lost its text


samples = import_from_scans("samples")
make_samples = import_from_scans("make_samples")


@pytest.fixture(autouse=True)
def real_ocr(monkeypatch):
    monkeypatch.setenv("OLKE_OCR_ENGINE", "tesseract")


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def cer(truth: str, found: str) -> float:
    return jiwer.cer(normalise(truth), normalise(found)) if normalise(found) else 1.0


def small_page(tmp_path: Path, slug: str, keep: slice | None = None, page: int = 0, **render) -> tuple[Path, str]:
    """A small page of the hard sample ``slug``: page ``page``'s paragraphs ``keep`` on a clipping
    (``page_size`` in ``render`` to keep another size).

    Returns the folder to ingest (the page file and its olke.toml) and the page's truth.
    """
    sample = samples.load(slug)
    pages = sample["pages"][:page + 1]
    paragraphs = [p for p in re.split(r"\n\s*\n", pages[page]["text"].strip()) if p.strip()]
    pages[page] = {**pages[page], "text": "\n\n".join(paragraphs[keep] if keep else paragraphs)}
    sample = {**sample, "render": {**sample["render"], "page_size": "clipping", **render}, "pages": pages}
    image = make_samples.render_page(sample, page, make_samples.Fonts())
    folder = tmp_path / slug
    folder.mkdir()
    dpi = sample["render"]["dpi"]
    if sample["render"]["format"] == "jpeg":
        image.save(folder / "page-1.jpg", "JPEG", dpi=(dpi, dpi), quality=sample["render"]["jpeg_quality"])
    else:
        image.save(folder / "page-1.png", "PNG", dpi=(dpi, dpi))
    (folder / "olke.toml").write_text(make_samples.sidecar_text(sample), encoding="utf-8")
    truth = "\n".join(b.text for b in samples.page_blocks(sample, page) if b.text)
    return folder, truth


def ingest_default(home, folder: Path) -> dict:
    """`olke ingest FOLDER --workers 1` with every other option at its default; the page's row."""
    result = CliRunner().invoke(main, ["--home", str(home.root), "ingest", str(folder), "--workers", "1", "--json"])
    assert result.exit_code == 0, result.output
    (outcome,) = json.loads(result.stdout)
    db = sqlite3.connect(home.root / "catalog.sqlite")
    db.row_factory = sqlite3.Row
    (row,) = db.execute("SELECT * FROM pages WHERE document_id = ?", (outcome["document_id"],)).fetchall()
    page = dict(row)
    pdf = db.execute("SELECT path FROM files WHERE document_id = ? AND role = 'pdf'",
                     (outcome["document_id"],)).fetchone()[0]
    db.close()
    page["pdf"] = home.absolute(pdf)
    return page


def check(page: dict, truth: str, limit: float) -> float:
    """The page's CER is below ``limit``; and if its text is missing, its verdict says so."""
    found = cer(truth, page["text"])
    verdict = page.get("verdict")
    if found > MISSING:
        assert verdict in ("doubtful", "failed"), (
            f"text missing (CER {found:.1%}) but the page's verdict is {verdict!r}")
    assert found < limit, f"CER {found:.2%} (limit {limit:.1%}); read:\n{page['text']}"
    return found


def pdftotext(pdf: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("page, degrees", [(0, 2.5), (1, -4.0), (0, -2.5)])
def test_skewed_dense_book_page(home, tmp_path, page, degrees):
    # The first case: a dense 200 dpi book page (A5, 10 pt), skewed: the sample's own pages
    # (2.5 and -4 degrees; small at 200 dpi), and the first page turned the other way.
    folder, truth = small_page(tmp_path, "hard-skew-book", page=page, page_size="A5", skew_degrees=degrees)
    check(ingest_default(home, folder), truth, 0.015)


def test_dark_scanner_border_around_a_turned_page(home, tmp_path):
    # The second case: greyish paper turned 3 degrees, the dark scanner bed in the corners.
    folder, truth = small_page(tmp_path, "hard-dark-border", slice(0, 3))
    check(ingest_default(home, folder), truth, 0.015)


def test_grey_paper_and_faded_ink(home, tmp_path):
    folder, truth = small_page(tmp_path, "hard-grey-faded", slice(0, 3))
    check(ingest_default(home, folder), truth, 0.015)


@pytest.mark.parametrize("slug", ["hard-columns-two", "hard-columns-three"])
def test_uneven_columns_read_column_by_column(home, tmp_path, slug):
    # The third case: the stored text and the PDF's text layer must not interleave the columns.
    folder, truth = small_page(tmp_path, slug)
    page = ingest_default(home, folder)
    check(page, truth, 0.015)
    for mode in ((), ("-raw",)):
        layer = cer(truth, pdftotext(page["pdf"], *mode))
        assert layer < 0.015, f"pdftotext {' '.join(mode) or '(default mode)'}: CER {layer:.2%}"


def test_photo_with_its_caption_inside_the_text(home, tmp_path):
    folder, truth = small_page(tmp_path, "hard-photo-caption")
    check(ingest_default(home, folder), truth, 0.015)


def test_latin_names_inside_kazakh_text(home, tmp_path):
    folder, truth = small_page(tmp_path, "hard-latin-names", slice(0, 3))
    page = ingest_default(home, folder)
    check(page, truth, 0.015)
    for name in ("Tesseract", "ABBYY FineReader", "IRBIS64", "RUSMARC", "Europeana", "UNESCO"):
        assert name in page["text"], name


def test_phone_capture_at_150_dpi(home, tmp_path):
    folder, truth = small_page(tmp_path, "hard-phone-capture", slice(0, 3))
    check(ingest_default(home, folder), truth, 0.03)
