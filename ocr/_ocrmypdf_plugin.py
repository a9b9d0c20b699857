"""An ocrmypdf plugin: read each page well, keep its hOCR, and skip rendering pages Olke already has.

ocrmypdf runs tesseract once per page and renders the hOCR into the PDF's text layer. This engine
judges that first reading against the page's checks (``ocr.reading``); a poor reading is read
again other ways and the best one is what ocrmypdf renders. The hOCR is copied aside, so Olke
gets word boxes and confidences from the same run, and each finished page is reported.

ocrmypdf also renders every page of its input PDF back into an image for tesseract, and (in its
force mode) makes the output PDF's page from that image. Every page here is a scan that img2pdf
put into the PDF with its pixels unchanged, so the plugin hands over the scan instead: the scan's
file where tesseract takes it as it is (a PNG or JPEG: ``preprocess.read_as_is``; or its cleaned
copy of the same size where it has one, which OCR reads better), else its PNG copy for reading
(a TIFF, CMYK, a palette, no resolution). No render, no PNG encode of it at zlib's default level,
and the archived page holds the scan's pixels, not PDFium's rendering of them (which differed on
half the samples of a grey TIFF page). An A4 page at 300 dpi took 1.6 s longer to ingest as a
grey TIFF than as a PNG, 2-2.3 s as an RGB or CMYK TIFF; with the copy, 0.3-0.8 s (its encode).
Where OCR was handed the cleaned copy, or a JPEG, the PDF's page is made from the scan itself
(`filter_page_image`): the page looks as scanned, and a JPEG is not encoded again.
"""
from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Callable

from ocrmypdf import hookimpl
from ocrmypdf.builtin_plugins.tesseract_ocr import TesseractOcrEngine
from PIL import Image

from ocr import checks, hocr, numbers, reading
from ocr.preprocess import READ_MODES, PreparedPage, read_as_is

# Set by the process that calls ocrmypdf (pages run in threads of that process, use_threads).
page_done: Callable[[int], None] | None = None
hocr_dir: Path | None = None
prepared: dict[int, PreparedPage] = {}   # page number → the scan that is that page, pixel for pixel
reread_poor_pages = True
languages: list[str] = []
outcomes: dict[int, dict] = {}           # page number → {"check", "readings", "kept"}
cleaned_read: set[int] = set()           # pages whose cleaned copy went to OCR
visible: dict[int, Path] = {}            # page number → the file its PDF page is made from, where not
                                         # the one handed to OCR (the scan, not its cleaned copy; a JPEG)
numbers_read = [0, 0]                    # this document's pages whose numbers were read again, digits changed
_lock = threading.Lock()


def _page_number(path: Path) -> int:
    return int(Path(path).name.split("_", 1)[0])


class HocrKeepingEngine(TesseractOcrEngine):
    @staticmethod
    def generate_hocr(input_file, output_hocr, output_text, options):
        TesseractOcrEngine.generate_hocr(input_file, output_hocr, output_text, options)
        number = _page_number(output_hocr)
        page = prepared.get(number)
        check = page.check if page is not None else None
        if check is None:   # a page ocrmypdf rendered itself: measure it now
            with Image.open(input_file) as image:
                check = checks.check(image, float((image.info.get("dpi") or (300, 300))[0] or 300))[0]
        first = reading.load("first", Path(output_hocr), Path(output_text))
        best, made = first, [first]
        if reread_poor_pages and reading.is_poor(first, check):
            cleaned_already = number in cleaned_read
            best, made = reading.reread(first, Path(input_file), check, cleaned_already,
                                        languages or list(options.languages), Path(output_hocr).parent)
            reading.keep(best, Path(output_hocr), Path(output_text))
        renumbered = None
        if "eng" in (languages or list(options.languages)) and not (numbers_read[0] >= 3 and not numbers_read[1]):
            renumbered = numbers.reread_numbers(Path(input_file), Path(output_hocr), Path(output_text),
                                                Path(output_hocr).parent)
            if renumbered is not None:
                with _lock:
                    numbers_read[0] += 1
                    numbers_read[1] += renumbered
        hocr.fix_typography(Path(output_hocr), Path(output_text))
        hocr.even_line_heights(Path(output_hocr))
        with _lock:
            outcomes[number] = {"check": check, "readings": [r.summary() for r in made], "kept": best.how,
                                "numbers_read_again": renumbered}
        hocr_dir.mkdir(exist_ok=True)
        shutil.copyfile(output_hocr, hocr_dir / f"{number:06d}.hocr")
        shutil.copyfile(output_text, hocr_dir / f"{number:06d}.txt")
        if page_done is not None:
            page_done(number)


@hookimpl
def get_ocr_engine(options):
    return HocrKeepingEngine()


@hookimpl
def rasterize_pdf_page(input_file, output_file, raster_device, raster_dpi, pageno, page_dpi, rotation,
                       filter_vector, stop_on_soft_error, options, use_cropbox):
    page = prepared.get(pageno)
    # any PNG device: the one ocrmypdf picks says the depth of the page's image (pngmonod for a
    # bilevel scan, png256 for a palette), which the scan or its copy has; not its JPEG preview
    if page is None or rotation or filter_vector or not str(raster_device).lower().startswith("png"):
        return None  # ocrmypdf renders the page itself
    source = page.read_image or page.image
    with Image.open(source) as image:
        dpi = image.info.get("dpi")
        if (page.read_image is None and not read_as_is(image)) or image.mode not in READ_MODES or not dpi \
                or abs(float(dpi[0]) - float(raster_dpi.x)) > 0.5 or abs(float(dpi[1]) - float(raster_dpi.y)) > 0.5:
            return None
        jpeg = image.format == "JPEG"       # (whatever its name: .jpe, .jfif, none)
    # The cleaned copy (or the one without a coloured stamp's ink) is handed wherever a grey or
    # colour page is asked for, the scan's own file's or its PNG copy's (a TIFF was first read
    # uncleaned, then read again: 0.4 s more a page than its PNG); not for a bilevel page. The PDF's
    # page is made from the scan all the same (``filter_page_image``).
    grey_or_colour = str(raster_device).lower().endswith(("pnggray", "png16m"))
    cleaned = page.ocr_image is not None and grey_or_colour
    shutil.copyfile(page.ocr_image if cleaned else source, output_file)
    with _lock:
        if cleaned and page.steps.get("cleaned", True):
            cleaned_read.add(pageno)
        if cleaned or jpeg:
            visible[pageno] = Path(source)
    return output_file


@hookimpl
def filter_page_image(page, image_filename):
    """The PDF's page is made from the scan as handed to ocrmypdf: not from the cleaned copy OCR read
    (the archived page showed it: borders painted white, the background divided out), and a JPEG
    scan as it came, not encoded again at quality 75 (16% of a page's pixels changed, by up to 29
    grey levels)."""
    source = visible.get(page.pageinfo.pageno + 1)
    if source is None:
        return image_filename
    out = Path(image_filename).with_name(f"{Path(image_filename).stem}-scan{source.suffix.lower()}")
    shutil.copyfile(source, out)
    return out
