"""The cheap page checks, the cleaned copy, the verdict rules and the hOCR handling (no OCR)."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from archive import verdict
from ocr import checks, hocr, reading
from ocr.engine import PageResult
from tests.conftest import KAZAKH_LINES, font

DPI = 200
PARAGRAPH = ("Өлкетану бөлімі қорындағы ескі газеттер мен журналдарды цифрлап, оқырмандарға "
             "электрондық түрде ұсынады. Мұрағат деректері ауыл тарихын зерттеуге көмектеседі.")


def text_page(lines: int = 14, size=(1100, 1500), paper: int = 246, ink: int = 25) -> tuple[Image.Image, int]:
    """A page of body text at 200 dpi, and the number of characters on it (spaces left out)."""
    image = Image.new("L", size, paper)
    draw = ImageDraw.Draw(image)
    face = font(int(DPI / 7))
    words, chars, y = PARAGRAPH.split(), 0, 80
    rng = random.Random(7)
    for _ in range(lines):
        line = " ".join(rng.choice(words) for _ in range(7))
        draw.text((70, y), line, font=face, fill=ink)
        chars += len(line.replace(" ", ""))
        y += int(DPI / 7 * 1.35)
    return image, chars


def on_scanner(page: Image.Image, border: int = 90, angle: float = 3.0, background: int = 30) -> Image.Image:
    canvas = Image.new("L", (page.width + 2 * border, page.height + 2 * border), background)
    canvas.paste(page, (border, border))
    return canvas.rotate(angle, resample=Image.BICUBIC, fillcolor=background)


def test_a_clean_page_needs_no_cleaning_and_its_ink_promises_about_its_characters():
    page, chars = text_page()
    found, _ = checks.check(page, DPI)
    assert not found.needs_cleaning and found.reasons == []
    assert found.dark_border == 0
    assert 0.6 * chars < found.expected_chars < 1.6 * chars


def test_a_blank_page_promises_no_text():
    found, _ = checks.check(Image.new("L", (1100, 1500), 240), DPI)
    assert found.expected_chars < verdict.MIN_TEXT_CHARS


def test_grey_paper_faint_ink_and_dark_borders_are_found_and_cleaned_away():
    page, chars = text_page(paper=185, ink=140)
    scan = on_scanner(page)
    found, cleaning = checks.check(scan, DPI)
    assert {"dark_border", "low_contrast"} <= set(found.reasons) and found.needs_cleaning
    assert 0.6 * chars < found.expected_chars < 1.6 * chars
    clean = np.asarray(checks.cleaned(scan, cleaning))
    assert clean.shape == (scan.height, scan.width)            # same geometry: boxes still fit the page
    assert clean[:20, :20].min() >= 250                        # the scanner background is paper-white now
    body = clean[scan.height // 2 - 200: scan.height // 2 + 200, 200:-200]
    assert np.percentile(body, 1) < 60 and np.percentile(body, 50) > 230   # dark ink on white paper


def test_uneven_light_is_found():
    page, _ = text_page()
    shade = np.linspace(0.45, 1.0, page.width, dtype=np.float32)[None, :]
    dim = Image.fromarray((np.asarray(page, dtype=np.float32) * shade).astype(np.uint8))
    found, _ = checks.check(dim, DPI)
    assert "uneven_light" in found.reasons and found.pictures == 0


def photo_on(page: Image.Image, at=(150, 650)) -> Image.Image:
    """The page with a greyish photo-like picture pasted on it (sharp edges, a mottled inside)."""
    rng = np.random.default_rng(3)
    smooth = rng.normal(110, 40, size=(60, 80)).clip(30, 200).astype(np.uint8)
    photo = Image.fromarray(smooth, "L").resize((800, 600), Image.BICUBIC)
    with_photo = page.copy()
    with_photo.paste(photo, at)
    return with_photo


def test_a_photo_is_a_picture_not_uneven_light_and_the_cleaned_copy_keeps_it_as_scanned():
    page, _ = text_page(lines=5)
    found, cleaning = checks.check(photo_on(page), DPI)
    assert found.reasons == [] and not found.needs_cleaning      # a photo alone is left to tesseract
    assert 0.2 < found.pictures < 0.4                             # 800×600 of 1100×1500, and its edge
    scan = on_scanner(photo_on(page), angle=0.0)                  # a photo on a page that needs cleaning
    found, cleaning = checks.check(scan, DPI)
    assert found.reasons == ["dark_border"]
    clean = np.asarray(checks.cleaned(scan, cleaning))
    inside = (slice(90 + 700, 90 + 1200), slice(90 + 200, 90 + 900))
    # as scanned, not divided by its own background into a speckle that reads as letters
    assert np.array_equal(clean[inside], np.asarray(scan)[inside])
    assert clean[:20, :20].min() >= 250                           # the border is still painted out


def test_a_negative_is_measured_and_read_turned_positive():
    # a microfilm or photostat copy: light letters on a dark page; taken for scanner background
    # all over, it was painted white and read as nothing
    page, chars = text_page(paper=240, ink=30)
    negative = Image.fromarray((250 - np.asarray(page, dtype=np.uint8) * 0.8).astype(np.uint8), "L")
    found, cleaning = checks.check(negative, DPI)
    assert found.negative and "negative" in found.reasons and found.needs_cleaning
    assert found.dark_border < checks.MIN_BORDER_SHARE
    assert 0.6 * chars < found.expected_chars < 1.6 * chars
    clean = np.asarray(checks.cleaned(negative, cleaning))
    body = clean[80:900, 70:1000]
    assert np.percentile(body, 1) < 60 and np.percentile(body, 50) > 230   # dark ink on white paper
    assert not checks.text_lines(cleaning.small)[0]


def test_a_clipping_on_a_dark_scanner_bed_is_not_a_negative():
    page, _ = text_page(size=(700, 800))
    bed = Image.new("L", (1600, 1800), 25)
    bed.paste(page, (100, 100))
    found, _ = checks.check(bed, DPI)
    assert not found.negative and "dark_border" in found.reasons


def test_a_picture_is_not_taken_for_text():
    page, chars = text_page(lines=5)
    rng = np.random.default_rng(3)
    photo = rng.integers(40, 200, size=(600, 800), dtype=np.uint8)
    with_photo = page.copy()
    with_photo.paste(Image.fromarray(photo, "L"), (150, 650))
    found, _ = checks.check(with_photo, DPI)
    assert found.expected_chars < 2.5 * chars


@pytest.mark.parametrize("angle", [-4.0, -1.2, 0.0, 2.5, 9.0])
def test_skew_is_found_to_a_quarter_of_a_degree(angle):
    page, _ = text_page()
    tilted = page.rotate(-angle, resample=Image.BICUBIC, fillcolor=246)
    _, cleaning = checks.check(tilted, DPI)
    sideways, found = checks.text_lines(cleaning.small)
    assert not sideways and abs(found - angle) <= 0.25


@pytest.mark.parametrize("turn", [90, 270])
def test_sideways_lines_are_found(turn):
    page, _ = text_page()
    _, cleaning = checks.check(page.rotate(turn, expand=True), DPI)
    assert checks.text_lines(cleaning.small)[0]


def test_a_blank_page_has_no_lines_to_turn():
    assert checks.text_lines(np.full((300, 200), 255, dtype=np.uint8)) == (False, 0.0)


def test_judge_no_text_where_there_is_ink_is_failed_never_ok():
    judged = verdict.judge(0, expected_chars=900, confidence=None)
    assert judged.verdict == "failed" and judged.reasons == ("no_text",)
    assert verdict.judge(12, 900, 95.0).verdict == "failed"


def test_judge_sparse_low_confidence_and_good_pages():
    assert verdict.judge(450, 1000, 95.0) == verdict.Judgement("doubtful", ("sparse_text",))
    assert verdict.judge(900, 1000, 55.0) == verdict.Judgement("doubtful", ("low_confidence",))
    assert verdict.judge(900, 1000, 30.0).verdict == "failed"
    assert verdict.judge(950, 1000, 93.0) == verdict.Judgement("ok")
    assert verdict.judge(0, 3, None) == verdict.Judgement("ok")                 # a blank page
    assert verdict.judge(900, None, None) == verdict.Judgement("ok")           # a born-digital text layer
    assert verdict.judge(900, 1000, 93.0, columns_uncertain=True).reasons == ("columns_uncertain",)


def test_pages_in_another_language_are_doubtful():
    pages = [PageResult(1, "x", language="rus", verdict="ok"), PageResult(2, "y", language="kaz", verdict="ok"),
             PageResult(3, "z", language=None, verdict="ok"), PageResult(4, "w", language="rus", verdict=None)]
    verdict.mark_language(pages, "kaz")
    assert [(p.verdict, p.reasons) for p in pages] == [
        ("doubtful", ["language_mismatch"]), ("ok", []), ("ok", []), (None, [])]


HOCR = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <body>
  <div class='ocr_page' id='page_1' title='bbox 0 0 2000 1000'>
   <div class='ocr_carea' id='block_1_1' title="bbox 100 100 900 300">
    <p class='ocr_par' id='par_1_1' title="bbox 100 100 900 300">
{lines}
    </p>
   </div>
  </div>
 </body>
</html>
"""


def hocr_line(number: int, top: int, bottom: int, words: list[tuple[str, int, int]], descent: int = -8) -> str:
    spans = "".join(f"<span class='ocrx_word' id='w_{number}_{i}' title='bbox {x0} {top} {x1} {bottom}; "
                    f"x_wconf 95'>{text}</span> " for i, (text, x0, x1) in enumerate(words))
    return (f"<span class='ocr_line' id='line_{number}' title=\"bbox 100 {top} 900 {bottom}; "
            f"baseline 0 {descent}; x_size 40\">{spans}</span>")


def test_even_line_heights_sets_a_blocks_lines_at_one_size(tmp_path):
    lines = [hocr_line(1, 100, 140, [("Әуелі", 100, 300)]),          # capitals: 32 px to the baseline
             hocr_line(2, 146, 178, [("ауыл", 100, 250)]),           # small letters only: 24 px
             hocr_line(3, 200, 240, [("Қала", 100, 250)])]
    path = tmp_path / "page.hocr"
    path.write_text(HOCR.format(lines="\n".join(lines)), encoding="utf-8")
    hocr.even_line_heights(path)
    from xml.etree import ElementTree
    tops = {el.get("id"): el.get("title") for el in ElementTree.parse(path).getroot().iter()
            if el.get("class") == "ocr_line"}
    usual = round(32 * hocr.EM_PER_CAP)
    assert tops["line_1"].startswith(f"bbox 100 {132 - usual} 900 140;")
    assert tops["line_2"].startswith(f"bbox 100 {170 - usual} 900 178;")
    assert [w.text for w in hocr.read_words(path)] == ["Әуелі", "ауыл", "Қала"]   # words keep their boxes


def test_lines_read_across_a_gutter_make_columns_uncertain(tmp_path):
    across = [hocr_line(n, 100 + 50 * n, 140 + 50 * n, [("сол", 100, 900), ("оң", 1100, 1900)]) for n in range(4)]
    path = tmp_path / "across.hocr"
    path.write_text(HOCR.format(lines="\n".join(across)), encoding="utf-8")
    assert hocr.lines_across_gutter(path) == 4
    head = [hocr_line(1, 100, 140, [("«Газет»", 100, 400), ("№ 11", 900, 1000), ("2019", 1700, 1900)])]
    path.write_text(HOCR.format(lines="\n".join(head)), encoding="utf-8")
    assert hocr.lines_across_gutter(path) == 0                        # a running head is one line


def test_a_tables_rows_are_not_columns_read_across(tmp_path):
    # a table's rows have gaps as wide as a gutter between their cells, and read across rightly
    rows = [hocr_line(n, 100 + 50 * n, 140 + 50 * n, [("Бесқарағай", 100, 330), ("35", 700, 750),
                                                      ("22096", 1100, 1230), ("159,8", 1500, 1620)])
            for n in range(12)]
    path = tmp_path / "table.hocr"
    path.write_text(HOCR.format(lines="\n".join(rows)), encoding="utf-8")
    assert hocr.lines_across_gutter(path) == 0
    prose = [("Өлкетану", 100, 300), ("бөлімі", 320, 460), ("қорындағы", 480, 700), ("газеттер", 720, 880)]
    across = [hocr_line(n, 100 + 50 * n, 140 + 50 * n, prose + [(w, x0 + 1000, x1 + 1000) for w, x0, x1 in prose])
              for n in range(4)]
    path.write_text(HOCR.format(lines="\n".join(across)), encoding="utf-8")
    assert hocr.lines_across_gutter(path) == 4                        # columns of words on either side


def test_a_reading_is_poor_when_sparse_for_its_ink_or_unsure(tmp_path):
    from ocr.engine import Word

    def made(n_chars: int, confidence: float) -> reading.Reading:
        words = [Word("а" * 10, 0, 0, 0.1, 0.1, confidence) for _ in range(n_chars // 10)]
        return reading.Reading("first", Path("x.hocr"), Path("x.txt"), words)

    page, _ = text_page()
    found, _ = checks.check(page, DPI)
    expected = int(found.expected_chars)
    assert reading.is_poor(made(0, 0), found)
    assert reading.is_poor(made(expected // 2, 95), found)
    assert reading.is_poor(made(expected, 50), found)
    assert not reading.is_poor(made(expected, 95), found)
    assert made(100, 90).score > made(100, 40).score > made(20, 90).score


def test_a_scanned_page_without_text_in_a_born_digital_pdf_is_failed(tmp_path, make_png):
    import img2pdf
    import pikepdf

    from ocr import textlayer
    from tests.conftest import text_pdf

    mixed = tmp_path / "mixed.pdf"
    born = text_pdf(tmp_path / "born.pdf", ["Кітапхана тарихы. Бірінші бет.", ""])
    scanned = tmp_path / "scan.pdf"
    scanned.write_bytes(img2pdf.convert(str(make_png("scan.png"))))
    with pikepdf.open(born) as pdf, pikepdf.open(scanned) as scan:
        pdf.pages.append(scan.pages[0])
        pdf.save(mixed)
    pages = textlayer.read_pages(mixed)
    assert [(p.verdict, p.reasons) for p in pages] == [("ok", []), ("ok", []), ("failed", ["no_text"])]


@pytest.mark.parametrize("read, meant", [
    ("Ещё в ХУШ веке здесь", "Ещё в XVIII веке здесь"), ("ХІХ-ХХ ғасырлар", "XIX-XX ғасырлар"),
    ("ХVI–ХVII вв.", "XVI–XVII вв."), ("ІІІ тоқсан", "III тоқсан"), ("Иртыш -- Караганда", "Иртыш — Караганда"),
    ("с века до века", "с века до века"), ("Хан ғасыр", "Хан ғасыр"), ("ХУШ", "ХУШ"), ("1960-1970", "1960-1970"),
])
def test_roman_numerals_and_dashes_are_put_right(read, meant):
    from ocr.typography import fix_text

    assert fix_text(read) == meant


def test_typography_is_fixed_in_the_hocr_and_the_text(tmp_path):
    path, text = tmp_path / "page.hocr", tmp_path / "page.txt"
    words = [("в", 100, 140), ("ХІХ", 150, 260), ("веке", 270, 380), ("--", 390, 420), ("мұрағат", 430, 600)]
    path.write_text(HOCR.format(lines=hocr_line(1, 100, 140, words)), encoding="utf-8")
    text.write_text("в ХІХ веке -- мұрағат\n", encoding="utf-8")
    hocr.fix_typography(path, text)
    assert [w.text for w in hocr.read_words(path)] == ["в", "XIX", "веке", "—", "мұрағат"]
    assert text.read_text(encoding="utf-8") == "в XIX веке — мұрағат\n"


def test_the_exif_orientation_read_during_preparation_turns_the_pdf_page_as_img2pdf_would(tmp_path):
    import pikepdf

    from ingest.stages import _image_pdf
    from ocr.preprocess import prepare

    page, _ = text_page(lines=5)
    exif = Image.Exif()
    exif[0x0112] = 6                                    # "turn 90° clockwise to view"
    scan = tmp_path / "phone.jpg"
    page.convert("RGB").save(scan, "JPEG", exif=exif, dpi=(DPI, DPI))
    prepared = prepare(scan, tmp_path, deskew=False, clean=False)
    assert prepared.image == scan and prepared.exif_turn == 90

    def rotate(data: bytes) -> int:
        import io

        with pikepdf.open(io.BytesIO(data)) as pdf:
            return int(pdf.pages[0].obj.get("/Rotate", 0))

    assert rotate(_image_pdf(scan, turn=prepared.exif_turn)) == rotate(_image_pdf(scan)) == 90


def test_a_16_bit_grey_scan_is_measured_and_put_into_the_pdf_in_8_bits(tmp_path):
    # archival scanners write 16-bit grey: converted plainly to 8 bits it was clipped white (a
    # blank page that promises no text), and img2pdf refused it ("re-save it as PNG or TIFF")
    import io

    import pikepdf

    from ingest.stages import _image_pdf
    from ocr.preprocess import prepare

    page, chars = text_page()
    scan = tmp_path / "archival.tif"
    Image.fromarray(np.asarray(page, dtype=np.uint16) * 257).save(scan, dpi=(DPI, DPI))
    assert Image.open(scan).mode == "I;16"
    prepared = prepare(scan, tmp_path)
    assert 0.6 * chars < prepared.check.expected_chars < 1.6 * chars
    assert prepared.check.contrast > 150 and prepared.steps.get("eight_bits")
    with Image.open(prepared.image) as visible:
        assert visible.mode == "L" and np.percentile(np.asarray(visible), 1) < 60
    for image in (scan, prepared.image):        # the original too, for engines that do not prepare pages
        with pikepdf.open(io.BytesIO(_image_pdf(image))) as pdf:
            (picture,) = pdf.pages[0].get_images().values()
            assert picture.BitsPerComponent == 8 and int(pdf.pages[0].mediabox[2]) == round(1100 / DPI * 72)


def _scan_as(page: Image.Image, kind: str, folder: Path) -> Path:
    """``page`` saved as a library scanner or a photo might write it."""
    saves = {
        "grey LZW TIFF": ("grey.tif", lambda p: p, {"compression": "tiff_lzw"}),
        "RGB LZW TIFF": ("rgb.tif", lambda p: p.convert("RGB"), {"compression": "tiff_lzw"}),
        "CMYK TIFF": ("cmyk.tif", lambda p: p.convert("RGB").convert("CMYK"), {"compression": "tiff_lzw"}),
        "bilevel Group 4 TIFF": ("bilevel.tif", lambda p: p.point(lambda v: 255 if v > 140 else 0).convert("1"),
                                 {"compression": "group4"}),
        "CMYK JPEG": ("cmyk.jpg", lambda p: p.convert("RGB").convert("CMYK"), {"quality": 92}),
        "palette PNG": ("palette.png", lambda p: p.convert("RGB").quantize(32), {}),
    }
    name, convert, options = saves[kind]
    path = folder / name
    convert(page).save(path, dpi=(DPI, DPI), **options)
    return path


@pytest.mark.parametrize("kind", ["grey LZW TIFF", "RGB LZW TIFF", "CMYK TIFF", "bilevel Group 4 TIFF",
                                  "CMYK JPEG", "palette PNG", "PNG without a resolution"])
def test_a_scan_tesseract_cannot_take_as_it_is_is_read_from_a_png_of_its_pixels_not_rendered(tmp_path, kind):
    # a single-page TIFF (what library scanners write), CMYK, a palette or no resolution went to
    # ocrmypdf's rasterizer: the page was rendered from the PDF and written as a PNG (an A4 page at
    # 300 dpi took 5.6 s to ingest as a grey TIFF, 6.9 s as CMYK, where as a PNG it took 4.0), and
    # the rendered pixels, not the scan's, were archived
    import io

    import pikepdf
    from ocrmypdf._pipeline import _select_raster_device
    from ocrmypdf.helpers import Resolution
    from ocrmypdf.pdfinfo import PdfInfo

    from ingest.stages import _image_pdf, _into_pdf
    from ocr import _ocrmypdf_plugin as plugin
    from ocr.preprocess import for_reading, prepare

    page, _ = text_page()
    if kind == "PNG without a resolution":
        scan = tmp_path / "nodpi.png"
        page.save(scan)
    else:
        scan = _scan_as(page, kind, tmp_path)
    prepared = prepare(scan, tmp_path, deskew=False, clean=False)
    assert prepared.image == scan and prepared.read_image is not None
    dpi = DPI if kind != "PNG without a resolution" else 300            # as img2pdf places such a page
    with Image.open(scan) as original, Image.open(prepared.read_image) as copy:
        assert copy.format == "PNG" and copy.mode in ("1", "L", "RGB") and round(copy.info["dpi"][0]) == dpi
        assert copy.tobytes() == for_reading(original).tobytes()       # the scan's pixels, losslessly
    into = _into_pdf(prepared)
    assert into == (scan if kind == "CMYK JPEG" else prepared.read_image)   # a JPEG stays one in the PDF
    pdf = tmp_path / "input.pdf"
    pdf.write_bytes(_image_pdf(into, kind == "PNG without a resolution", prepared.exif_turn))
    device = _select_raster_device(PdfInfo(pdf).pages[0])             # as ocrmypdf chooses it
    output = tmp_path / "rasterize.png"
    try:
        plugin.prepared, plugin.cleaned_read = {1: prepared}, set()
        handed = plugin.rasterize_pdf_page(input_file=pdf, output_file=output, raster_device=device,
                                           raster_dpi=Resolution(dpi, dpi), pageno=1, page_dpi=None, rotation=0,
                                           filter_vector=False, stop_on_soft_error=True, options=None,
                                           use_cropbox=False)
    finally:
        plugin.prepared = {}
    assert handed == output and output.read_bytes() == prepared.read_image.read_bytes()
    with pikepdf.open(io.BytesIO(_image_pdf(output))) as visible:    # the page ocrmypdf makes from it
        assert round(float(visible.pages[0].mediabox[2])) == round(page.width / dpi * 72)


def test_a_png_or_jpeg_scan_that_says_its_resolution_is_read_as_it_is(tmp_path):
    from ocr.preprocess import prepare

    page, _ = text_page()
    for name in ("page.png", "page.jpg"):
        page.save(tmp_path / name, dpi=(DPI, DPI))
        prepared = prepare(tmp_path / name, tmp_path, deskew=False, clean=False)
        assert prepared.image == tmp_path / name and prepared.read_image is None
    assert not list(tmp_path.glob("*-read.png"))


# ---------------------------------------------------------------- stamps over the text

BLUE_INK, RED_INK, BLACK_INK = (35, 65, 165), (205, 40, 45), (45, 45, 50)


def stamped(page: Image.Image, ink=BLUE_INK, centre=(560, 520), diameter_mm: float = 40, rect: bool = False,
            strength: float = 0.85) -> Image.Image:
    """The page in colour with a library stamp over it: a ring (or frame), a ring of letters and a
    centre text, in ink laid over the page as ink is (multiplied, not painted over)."""
    d = round(diameter_mm / 25.4 * DPI)
    mark = Image.new("L", (d, d), 0)
    draw = ImageDraw.Draw(mark)
    if rect:
        draw.rectangle((2, d // 4, d - 3, 3 * d // 4), outline=255, width=5)
    else:
        draw.ellipse((2, 2, d - 3, d - 3), outline=255, width=6)
        draw.ellipse((d * 0.17, d * 0.17, d * 0.83, d * 0.83), outline=255, width=3)
        face = font(22)
        for k in range(24):
            angle = 2 * np.pi * k / 24
            draw.text((d / 2 + 0.42 * d * np.cos(angle), d / 2 + 0.42 * d * np.sin(angle)), "КІТАП"[k % 5],
                      font=face, fill=255, anchor="mm")
    draw.text((d / 2, d / 2), "КІТАПХАНА", font=font(30), fill=255, anchor="mm")
    colour = np.asarray(page.convert("RGB"), dtype=np.float32).copy()
    strength_at = np.asarray(mark, dtype=np.float32)[..., None] / 255 * strength
    layer = 1 - strength_at * (1 - np.asarray(ink, dtype=np.float32) / 255)
    top, left = centre[1] - d // 2, centre[0] - d // 2
    colour[top:top + d, left:left + d] *= layer
    return Image.fromarray(colour.clip(0, 255).astype(np.uint8), "RGB")


@pytest.mark.parametrize("ink", [BLUE_INK, RED_INK, (105, 45, 150)], ids=["blue", "red", "violet"])
@pytest.mark.parametrize("rect", [False, True], ids=["round", "oblong"])
def test_a_coloured_stamp_over_the_text_is_found_and_its_ink_dropped_keeping_the_text_under_it(ink, rect):
    page, chars = text_page()
    scan = stamped(page, ink, rect=rect)
    found, cleaning = checks.check(scan, DPI)
    assert found.stamps == 1 and "stamp" in found.reasons and not found.needs_cleaning
    assert 0.6 * chars < found.expected_chars < 1.6 * chars        # measured without the stamp's letters
    read = np.asarray(checks.without_stamps(scan, cleaning.stamps, cleaning.factor), dtype=np.int16)
    plain = np.asarray(page, dtype=np.int16)
    assert read.shape == plain.shape                                # same pixels: word boxes fit the page
    # the page with the stamp dropped is the page without it, give or take a few grey levels
    assert np.abs(read - plain).mean() < 1.5 and np.percentile(np.abs(read - plain), 99.9) < 40
    ink_under = (plain < 100)[420:620, 460:660]
    assert ink_under.mean() > 0.03 and read[420:620, 460:660][ink_under].mean() < 60   # the text under it stays black


def test_a_page_without_colour_a_red_headline_and_a_colour_photo_have_no_stamp():
    page, _ = text_page()
    assert checks.check(page.convert("RGB"), DPI)[0].stamps == 0
    headline = page.convert("RGB")
    ImageDraw.Draw(headline).text((70, 20), "КІТАПХАНА ТАРИХЫ МЕН БҮГІНІ", font=font(48), fill=RED_INK)
    photo = np.asarray(photo_on(page).convert("RGB"), dtype=np.float32).copy()
    photo[650:1250, 150:950] *= np.array([1.0, 0.8, 0.45], dtype=np.float32)   # a sunlit landscape
    small_photo = page.convert("RGB")
    small_photo.paste(Image.fromarray(photo[650:900, 150:450].astype(np.uint8)), (500, 400))   # 38 × 32 mm, over text
    for scan in (headline, Image.fromarray(photo.astype(np.uint8)), small_photo):
        found, cleaning = checks.check(scan, DPI)
        assert found.stamps == 0 and "stamp" not in found.reasons and cleaning.stamps == []
        assert found.marks == ()


def test_the_copy_for_reading_drops_a_stamp_inside_its_box_only():
    page, _ = text_page()
    scan = stamped(page)
    ImageDraw.Draw(scan).text((70, 1400), "ҚЫЗЫЛ", font=font(40), fill=BLUE_INK)   # blue, far from the stamp
    _, cleaning = checks.check(scan, DPI)
    read = np.asarray(checks.without_stamps(scan, cleaning.stamps, cleaning.factor))
    assert np.array_equal(read[1380:1460], np.asarray(scan.convert("L"))[1380:1460])   # read as scanned


def test_a_stamped_page_is_read_from_a_grey_copy_of_its_size_and_resolution(tmp_path):
    from ocr import preprocess

    page, _ = text_page()
    stamped(page).save(tmp_path / "stamped.png", dpi=(DPI, DPI))
    page.convert("RGB").save(tmp_path / "plain.png", dpi=(DPI, DPI))
    prepared = preprocess.prepare(tmp_path / "stamped.png", tmp_path)
    assert prepared.image == tmp_path / "stamped.png"                 # the PDF shows the scan
    assert prepared.steps["stamps_dropped"] == 1 and "stamp" in prepared.steps["found"]
    assert "cleaned" not in prepared.steps
    with Image.open(prepared.ocr_image) as read:
        assert read.size == page.size and read.mode == "L" and round(read.info["dpi"][0]) == DPI
    plain = preprocess.prepare(tmp_path / "plain.png", tmp_path)
    assert plain.ocr_image is None and "stamp" not in plain.steps["found"]


def test_a_black_stamp_cannot_be_dropped_but_a_reading_without_words_under_it_is_not_ok():
    from ocr.engine import Word

    page, chars = text_page()
    scan = stamped(page, BLACK_INK, strength=1.0)
    found, _ = checks.check(scan, DPI)
    assert found.stamps == 0 and len(found.marks) >= 1
    top, left, bottom, right, promised = found.marks[0]
    assert top < 520 / 1500 < bottom and left < 560 / 1100 < right and promised >= checks.STAMP_LOST_CHARS

    def words(skip_stamp: bool) -> list[Word]:       # every line's words, but those under the stamp
        out = []
        for row in range(14):
            y = (80 + row * 38 + 14) / 1500
            for col in range(10):
                x = (70 + col * 95 + 40) / 1100
                if not (skip_stamp and top < y < bottom and left < x < right):
                    out.append(Word("кітапхана", x - 0.03, y - 0.01, x + 0.03, y + 0.01, 95.0))
        return out

    assert checks.words_lost(found.marks, words(skip_stamp=True))
    assert not checks.words_lost(found.marks, words(skip_stamp=False))
    read = sum(len(w.text) for w in words(skip_stamp=True))
    assert read > verdict.SPARSE_SHARE * found.expected_chars          # too much text for 'sparse' alone
    lost = verdict.judge(read, found.expected_chars, 95.0, words_lost=True)
    assert lost.verdict == "doubtful" and lost.reasons == ("sparse_text",)
    assert verdict.judge(read, found.expected_chars, 95.0).verdict == "ok"
    assert checks.check(page, DPI)[0].marks == ()                      # an ordinary page has no such mark
