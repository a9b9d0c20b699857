"""A few small tests through the real ocrmypdf + tesseract path."""
from __future__ import annotations

import io
import json
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


@pytest.fixture
def catalog(archive):
    return archive.catalog


def test_kazakh_page_to_pdfa_with_text_layer_and_boxes(make_png, archive, catalog):
    from ingest.pipeline import IngestOptions, ingest
    from ingest.sources import discover
    from archive.metadata import Description

    image = make_png("kaz.png", KAZAKH_LINES + ["Windows 10 және Microsoft Office."], angle=1.5)
    sources, _ = discover([image], Description(title="Сынақ"))
    (outcome,) = ingest(sources, archive, TesseractEngine(), IngestOptions(workers=1))
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


def test_sideways_and_skewed_scans_are_straightened(make_png, archive, catalog, tmp_path):
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
    (outcome,) = ingest(sources, archive, TesseractEngine(), IngestOptions(workers=1, deskew=True))
    assert outcome.status == "ingested", outcome.error
    first, second = catalog.pages(outcome.document_id)
    assert jiwer.cer("\n".join(KAZAKH_LINES), first["text"]) < 0.05
    assert jiwer.cer("\n".join(RUSSIAN_LINES * 4), second["text"]) < 0.03
    assert first["width_pt"] > first["height_pt"]  # landscape once turned upright
    with Image.open(catalog.file_path(outcome.document_id, "page_image", 1)) as image:
        assert image.width > image.height


def _ingest_one(path, archive, **options):
    from archive.metadata import Description
    from ingest.pipeline import IngestOptions, ingest
    from ingest.sources import discover

    sources, _ = discover([path], Description(title="Сынақ", language="kaz"))
    (outcome,) = ingest(sources, archive, TesseractEngine(), IngestOptions(workers=1, **options))
    assert outcome.status == "ingested", outcome.error
    return outcome.document_id


def test_grey_page_with_dark_borders_is_read_reread_and_never_ok_when_empty(tmp_path, archive, catalog):
    """Plain tesseract reads nothing on this page; Olke cleans it, or rereads it, or says it failed."""
    import json

    from tests.test_page_checks import on_scanner, text_page

    page, chars = text_page(lines=8, size=(1100, 800), paper=185, ink=140)

    def ingest_scan(name: str, **options) -> dict:
        folder = tmp_path / name
        folder.mkdir()
        shade = 24 + len(list(tmp_path.iterdir()))   # a new scan each time, not a duplicate
        on_scanner(page, angle=2.5, background=shade).save(folder / "page-1.png", dpi=(200, 200))
        (read,) = catalog.pages(_ingest_one(folder, archive, **options))
        read["steps"] = json.loads(read["ocr_steps"]) if isinstance(read["ocr_steps"], str) else read["ocr_steps"]
        read["chars"] = len("".join(read["text"].split()))
        return read

    default = ingest_scan("default")
    assert default["steps"]["cleaned"] and abs(default["steps"]["deskewed"]) > 1.5
    assert default["verdict"] == "ok" and default["chars"] > 0.9 * chars

    reread = ingest_scan("reread", clean=False)
    assert [r["how"] for r in reread["steps"]["readings"]][:2] == ["first", "cleaned"]
    assert reread["steps"]["readings"][0]["chars"] < 25 and reread["chars"] > 0.9 * chars

    unread = ingest_scan("unread", clean=False, reread=False)
    assert unread["chars"] < 25
    assert unread["verdict"] == "failed" and "no_text" in unread["verdict_reasons"]


def test_uneven_columns_read_column_by_column_in_every_text_extraction(tmp_path, archive, catalog):
    from PIL import Image, ImageDraw

    from tests.conftest import font

    left = ["Қаладағы кітапхана тарихы", "туралы мақала жазылды.", "Ескі газеттер сақталған,",
            "оқырмандар оларды сұрайды.", "Өлкетану бөлімі ашық."]
    right = ["Мұрағат деректері", "ауыл тарихын ашады."]
    image = Image.new("L", (1400, 520), 250)
    draw = ImageDraw.Draw(image)
    face = font(30)
    for column, lines in ((60, left), (740, right)):
        for number, line in enumerate(lines):
            draw.text((column, 60 + number * 42), line, font=face, fill=20)
    folder = tmp_path / "columns"
    folder.mkdir()
    image.save(folder / "page-1.png", dpi=(200, 200))
    document = _ingest_one(folder, archive)
    truth = " ".join(left + right)
    pdf = str(catalog.file_path(document, "pdf"))
    for mode in (["-raw"], []):
        text = subprocess.run(["pdftotext", *mode, pdf, "-"], capture_output=True, text=True).stdout
        assert jiwer.cer(truth, " ".join(text.split())) < 0.03, (mode, text)
    (page,) = catalog.pages(document)
    assert jiwer.cer(truth, " ".join(page["text"].split())) < 0.03


def test_a_white_on_black_heading_on_a_page_that_needs_cleaning_is_read(tmp_path, archive, catalog):
    """Newspapers print headings white on black; the cleaned copy keeps such a picture-like box as
    scanned (cleaned, it turned to speckle; painted out, its words were lost)."""
    from PIL import Image, ImageDraw

    from tests.conftest import font
    from tests.test_page_checks import on_scanner

    page = Image.new("L", (1500, 700), 236)
    draw = ImageDraw.Draw(page)
    draw.rectangle((80, 60, 1420, 190), fill=20)
    draw.text((150, 85), "ӨЛКЕ ТАРИХЫ ЖАҢАЛЫҚТАРЫ", font=font(70), fill=245)
    for number, line in enumerate(KAZAKH_LINES[:4]):
        draw.text((110, 260 + number * 70), line, font=font(34), fill=40)
    folder = tmp_path / "banner"
    folder.mkdir()
    on_scanner(page, border=80, angle=0.0, background=30).save(folder / "page-1.png", dpi=(200, 200))
    (read,) = catalog.pages(_ingest_one(folder, archive))
    steps = json.loads(read["ocr_steps"]) if isinstance(read["ocr_steps"], str) else read["ocr_steps"]
    assert steps["cleaned"] and steps["checks"]["pictures"] > 0          # read from the cleaned copy
    assert "ӨЛКЕ ТАРИХЫ ЖАҢАЛЫҚТАРЫ" in read["text"]
    assert jiwer.cer(" ".join(KAZAKH_LINES[:4]), " ".join(read["text"].split("\n", 2)[-1].split())) < 0.05


def test_a_scanned_page_among_born_digital_ones_gets_a_text_layer(make_png, archive, catalog, tmp_path):
    import img2pdf

    from tests.conftest import text_pdf

    scan = make_png("scan.png", KAZAKH_LINES)
    born = text_pdf(tmp_path / "born.pdf", ["Кітапхана тарихы. Бірінші бет."])
    with pikepdf.open(born) as text, pikepdf.open(io.BytesIO(img2pdf.convert(str(scan)))) as picture:
        with pikepdf.new() as mixed:
            mixed.pages.extend([text.pages[0], picture.pages[0]])
            mixed.save(tmp_path / "mixed.pdf")
    document_id = _ingest_one(tmp_path / "mixed.pdf", archive)
    pdf = catalog.file_path(document_id, "pdf")
    layer = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True).stdout.split("\f")
    assert layer[0].strip() == "Кітапхана тарихы. Бірінші бет."
    assert jiwer.cer("\n".join(KAZAKH_LINES), layer[1].strip()) < 0.03
    assert [page["verdict"] for page in catalog.pages(document_id)] == ["ok", "ok"]


def test_an_upside_down_page_is_shown_upright_in_the_viewer(tmp_path, archive, catalog):
    import numpy as np
    from PIL import Image

    from tests.conftest import page_image

    upright = page_image(RUSSIAN_LINES, 200)
    upright.rotate(180).save(tmp_path / "upside.png", dpi=(200, 200))
    from archive.metadata import Description
    from ingest.pipeline import IngestOptions, ingest
    from ingest.sources import discover

    sources, _ = discover([tmp_path / "upside.png"], Description(title="Сынақ", language="rus"))
    (outcome,) = ingest(sources, archive, TesseractEngine(), IngestOptions(workers=1))
    assert outcome.status == "ingested", outcome.error
    document_id = outcome.document_id
    (page,) = catalog.pages(document_id)
    assert jiwer.cer("\n".join(RUSSIAN_LINES), page["text"]) < 0.03
    shown = np.asarray(Image.open(catalog.home.absolute(
        next(row["path"] for row in catalog.files(document_id) if row["path"].endswith("page-0001.jpg")))).convert("L"))
    ink = np.asarray(upright.convert("L").resize((shown.shape[1], shown.shape[0]))) < 128
    half = shown.shape[0] // 2
    # the text sits in the top half of the upright page: so it must in the viewer's image
    assert (ink[:half].mean() > 2 * ink[half:].mean()) and (shown[:half] < 128).mean() > 2 * (shown[half:] < 128).mean()


def test_a_flat_topped_3_is_read_as_3_not_5(tmp_path, archive, catalog):
    """PT Serif's 3 is read as 5 by the Kazakh and Russian models (1933 as 1955); the page's
    numbers are read again by the Latin model, in the text and in the PDF's text layer."""
    from pathlib import Path

    from PIL import Image, ImageDraw, ImageFont

    serif = Path("/usr/share/fonts/truetype/paratype/PTF55F.ttf")
    if not serif.exists():
        pytest.skip("fonts-paratype is not installed (make installs it)")
    lines = ["Газет № 33 шықты, 1937 жылғы 3 наурыз.", "Мектеп 1933 жылы ашылды, 33-бет."]
    page = Image.new("L", (1700, 400), 255)
    draw = ImageDraw.Draw(page)
    for n, line in enumerate(lines):
        draw.text((60, 60 + 120 * n), line, font=ImageFont.truetype(str(serif), 48), fill=0)
    page.save(tmp_path / "numbers.png", dpi=(300, 300))
    document_id = _ingest_one(tmp_path / "numbers.png", archive)
    (stored,) = catalog.pages(document_id)
    for number in ("33", "1937", "1933", "33-бет"):
        assert number in stored["text"], stored["text"]
    assert "55" not in stored["text"] and "1957" not in stored["text"]
    layer = subprocess.run(["pdftotext", "-raw", str(catalog.file_path(document_id, "pdf")), "-"],
                           capture_output=True, text=True).stdout
    assert "1933" in layer and "1937" in layer


def test_a_tiff_scan_is_read_without_its_page_being_rendered_and_archived_as_scanned(tmp_path, monkeypatch):
    # single-page TIFFs (what library scanners write) went to ocrmypdf's rasterizer: the page was
    # rendered from the PDF and written as a PNG for tesseract, seconds a page, and the rendered
    # pixels, not the scan's, became the archived page
    import numpy as np
    from ocrmypdf._exec import ghostscript
    from ocrmypdf.builtin_plugins import pypdfium
    from PIL import Image

    from ingest.stages import _image_pdf, _into_pdf
    from tests.conftest import page_image

    rendered = []
    for module, name in ((pypdfium, "_render_page_to_bitmap"), (ghostscript, "rasterize_pdf")):
        def watched(*args, _real=getattr(module, name), _name=name, **kwargs):
            rendered.append(_name)
            return _real(*args, **kwargs)
        monkeypatch.setattr(module, name, watched)
    scan = tmp_path / "scan.tif"
    page_image(KAZAKH_LINES, 200).save(scan, compression="tiff_lzw", dpi=(200, 200))
    engine, options = TesseractEngine(), OcrOptions()
    prepared = engine.prepare_page(scan, tmp_path, options)
    (tmp_path / "input.pdf").write_bytes(_image_pdf(_into_pdf(prepared), turn=prepared.exif_turn))
    (page,) = engine.ocr_pdf(tmp_path / "input.pdf", tmp_path / "out.pdf", options, None, [prepared])
    assert rendered == []
    assert jiwer.cer("\n".join(KAZAKH_LINES), page.text) < 0.03 and page.verdict == "ok"
    with pikepdf.open(tmp_path / "out.pdf") as pdf, Image.open(scan) as original:
        (picture,) = pdf.pages[0].get_images().values()
        assert np.array_equal(np.asarray(pikepdf.PdfImage(picture).as_pil_image()), np.asarray(original))


def _archived_page(scan, tmp_path):
    from ingest.stages import _image_pdf, _into_pdf

    engine, options = TesseractEngine(), OcrOptions()
    prepared = engine.prepare_page(scan, tmp_path, options)
    (tmp_path / "input.pdf").write_bytes(_image_pdf(_into_pdf(prepared), turn=prepared.exif_turn))
    (page,) = engine.ocr_pdf(tmp_path / "input.pdf", tmp_path / "out.pdf", options, None, [prepared])
    return page, prepared


def test_a_jpeg_scan_is_archived_as_it_came_and_a_cleaned_page_shows_the_scan(tmp_path):
    """The PDF's page was made from what OCR read: a JPEG scan encoded again at quality 75 (16% of
    its pixels changed), and a page read from its cleaned copy showed the cleaned copy (borders
    painted white, background divided out), where the README promised the scan's look."""
    import numpy as np
    from PIL import Image

    from tests.conftest import page_image
    from tests.test_page_checks import on_scanner, text_page

    jpeg = tmp_path / "jpeg" / "scan.jpg"
    jpeg.parent.mkdir()
    page_image(KAZAKH_LINES, 200).save(jpeg, quality=90, dpi=(200, 200))
    page, _ = _archived_page(jpeg, jpeg.parent)
    assert jiwer.cer("\n".join(KAZAKH_LINES), page.text) < 0.03
    with pikepdf.open(jpeg.parent / "out.pdf") as pdf:
        (picture,) = pdf.pages[0].get_images().values()
        assert picture.Filter == pikepdf.Name.DCTDecode and picture.read_raw_bytes() == jpeg.read_bytes()

    from ocr import _ocrmypdf_plugin

    image, chars = text_page(lines=8, size=(1100, 800), paper=185, ink=140)
    for name in ("scan.png", "scan.tif"):      # a TIFF, read from a PNG copy, was first read uncleaned
        grey = tmp_path / name.replace(".", "-") / name
        grey.parent.mkdir()
        on_scanner(image, angle=0, background=30).save(grey, dpi=(200, 200))
        page, prepared = _archived_page(grey, grey.parent)
        assert prepared.ocr_image is not None and _ocrmypdf_plugin.cleaned_read == {1}     # read cleaned
        assert len("".join(page.text.split())) > 0.9 * chars
        with pikepdf.open(grey.parent / "out.pdf") as pdf, Image.open(grey) as scanned:
            (picture,) = pdf.pages[0].get_images().values()
            shown = np.asarray(pikepdf.PdfImage(picture).as_pil_image().convert("L"))
            assert np.array_equal(shown, np.asarray(scanned.convert("L")))


def test_a_blue_library_stamp_over_the_text_is_read_through_and_the_pdf_shows_it(tmp_path, home, archive, catalog):
    """Read as scanned, tesseract lost and reordered the words under the stamp, and the page was ok."""
    from pathlib import Path

    from tests.test_page_checks import stamped, text_page

    page, _ = text_page(lines=9, size=(1100, 800))
    truth = subprocess.run(["tesseract", "-", "-", "-l", "kaz"], input=_png(page), capture_output=True,
                           check=True).stdout.decode()
    scan = stamped(page, centre=(560, 400))
    (tmp_path / "in").mkdir()
    scan.save(tmp_path / "in" / "page-1.png", dpi=(200, 200))
    (read,) = catalog.pages(_ingest_one(tmp_path / "in", archive))
    steps = json.loads(read["ocr_steps"]) if isinstance(read["ocr_steps"], str) else read["ocr_steps"]
    assert "stamp" in steps["found"] and steps["stamps_dropped"] == 1
    assert jiwer.cer(" ".join(truth.split()), " ".join(read["text"].split())) < 0.02
    pdf = next(Path(home.root).glob("files/*/document.pdf"))
    shown = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True).stdout
    assert " rgb " in shown                                   # the archived page is the scan, in colour


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(200, 200))
    return buffer.getvalue()


def test_a_queue_worker_learns_the_programs_versions_before_it_forks_a_work_horse(monkeypatch):
    """rq forks a work horse per job, and each asked tesseract and Ghostscript for their versions
    again (ocrmypdf does at every run; Olke remembers the answers within a process): a document
    cost 0.1 s more on the queue than in the local pool. The worker's warm-up now reads one page."""
    from ocrmypdf import subprocess as ocrmypdf_subprocess
    from ocrmypdf._exec import ghostscript
    from ocrmypdf._exec import tesseract as tesseract_program

    TesseractEngine().warm_up(wait=True)

    def asked_again(*args, **kwargs):
        raise AssertionError(f"asked again: {args[0]}")

    monkeypatch.setattr(ocrmypdf_subprocess, "run", asked_again)
    assert tesseract_program.PROBE.version() and ghostscript.PROBE.version()
