"""A few small tests through the real ocrmypdf + tesseract path."""
from __future__ import annotations

import subprocess

import jiwer
import pikepdf
import pytest

from archive.errors import MissingLanguagePack
from ocr.engine import OcrOptions
from ocr.tesseract import TesseractEngine, installed_languages
from tests.conftest import KAZAKH_LINES, RUSSIAN_LINES

pytestmark = pytest.mark.tesseract


@pytest.fixture(autouse=True)
def real_ocr(monkeypatch):
    monkeypatch.setenv("OLKE_OCR_ENGINE", "tesseract")


def test_kazakh_page_to_pdfa_with_text_layer_and_boxes(make_png, catalog):
    from ingest.pipeline import IngestOptions, ingest
    from ingest.sources import discover
    from archive.metadata import Description

    image = make_png("kaz.png", KAZAKH_LINES + ["Windows 10 және Microsoft Office."], angle=1.5)
    sources, _ = discover([image], Description(title="Сынақ"))
    (outcome,) = ingest(sources, catalog, TesseractEngine(), IngestOptions(workers=1))
    assert outcome.status == "ingested", outcome.error
    document = catalog.get(outcome.document_id)
    assert document.language == "kaz"
    pdf = catalog.file_path(document.id, "pdf")
    with pikepdf.open(pdf) as opened:
        assert opened.open_metadata().pdfa_status == "2B"
    truth = "\n".join(KAZAKH_LINES + ["Windows 10 және Microsoft Office."])
    layer = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True).stdout
    assert jiwer.cer(truth, layer.strip()) < 0.03
    (page,) = catalog.pages(document.id)
    assert jiwer.cer(truth, page["text"]) < 0.03
    assert page["confidence"] > 80 and page["language"] == "kaz"
    word = next(w for w in page["words"] if w[0].startswith("кітапхана"))
    x0, y0, x1, y1 = word[1:5]
    assert 0 < x0 < x1 < 1 and 0 < y0 < y1 < 0.5


def test_russian_page_detected_as_russian(make_png):
    image = make_png("rus.png", RUSSIAN_LINES)
    import img2pdf
    source = image.with_suffix(".pdf")
    source.write_bytes(img2pdf.convert(str(image)))
    output = image.with_name("out.pdf")
    pages = TesseractEngine().ocr_pdf(source, output, OcrOptions(languages=("rus", "kaz", "eng")))
    assert pages[0].language == "rus"
    assert jiwer.cer("\n".join(RUSSIAN_LINES), pages[0].text) < 0.03


def test_missing_language_pack_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))  # an empty tessdata
    installed_languages.cache_clear()
    try:
        with pytest.raises(MissingLanguagePack) as caught:
            TesseractEngine().check(OcrOptions())
        assert str(caught.value) == "Tesseract language 'kaz' is missing; install tesseract-ocr-kaz"
    finally:
        monkeypatch.undo()
        installed_languages.cache_clear()
    assert "kaz" in installed_languages()


def test_sideways_and_skewed_scans_are_straightened(make_png, catalog, tmp_path):
    from PIL import Image

    from archive.metadata import Description
    from ingest.pipeline import IngestOptions, ingest
    from ingest.sources import discover

    folder = tmp_path / "article"
    folder.mkdir()
    upright = make_png("article/page-1.png", KAZAKH_LINES)
    Image.open(upright).rotate(90, expand=True).save(upright, dpi=(200, 200))
    make_png("article/page-2.png", RUSSIAN_LINES * 4, size=(1200, 1600), angle=3.0)
    sources, _ = discover([folder], Description(title="Бұрылған", language="rus"))
    (outcome,) = ingest(sources, catalog, TesseractEngine(), IngestOptions(workers=1, deskew=True))
    assert outcome.status == "ingested", outcome.error
    first, second = catalog.pages(outcome.document_id)
    assert jiwer.cer("\n".join(KAZAKH_LINES), first["text"]) < 0.05
    assert jiwer.cer("\n".join(RUSSIAN_LINES * 4), second["text"]) < 0.03
    assert first["width_pt"] > first["height_pt"]  # landscape once turned upright
    with Image.open(catalog.file_path(outcome.document_id, "page_image", 1)) as image:
        assert image.width > image.height
