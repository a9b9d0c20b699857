"""An ocrmypdf plugin: keep each page's hOCR, and skip rendering pages Olke already has as images.

ocrmypdf runs tesseract once per page and renders the hOCR into the PDF's text layer; this
engine lets that happen and copies the hOCR aside, so Olke gets word boxes and confidences from
the same run instead of a second tesseract pass. It also reports each finished page.

ocrmypdf also renders every page of its input PDF back into an image for tesseract. When a page
is a scan that img2pdf put into the PDF unchanged, that image is the scan itself, so the plugin
hands over the scan instead: the same pixels, without a render and a PNG encode per page.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

from ocrmypdf import hookimpl
from ocrmypdf.builtin_plugins.tesseract_ocr import TesseractOcrEngine
from PIL import Image

from ocr import preprocess

# Set by the process that calls ocrmypdf (pages run in threads of that process, use_threads).
page_done: Callable[[int], None] | None = None
hocr_dir: Path | None = None
page_images: dict[int, Path] = {}   # page number → the scan that is that page, pixel for pixel
_SCAN_MODES = {"1", "L", "RGB"}


class HocrKeepingEngine(TesseractOcrEngine):
    @staticmethod
    def get_deskew(input_file, options) -> float:
        with Image.open(input_file) as image:
            _, degrees = preprocess.layout(preprocess.small_copy(image, image.info.get("dpi", (300, 300))[0]))
        return degrees if preprocess.MIN_SKEW_DEGREES <= abs(degrees) <= preprocess.MAX_SKEW_DEGREES else 0.0

    @staticmethod
    def generate_hocr(input_file, output_hocr, output_text, options):
        TesseractOcrEngine.generate_hocr(input_file, output_hocr, output_text, options)
        page_number = int(Path(output_hocr).name.split("_", 1)[0])
        hocr_dir.mkdir(exist_ok=True)
        shutil.copyfile(output_hocr, hocr_dir / f"{page_number:06d}.hocr")
        shutil.copyfile(output_text, hocr_dir / f"{page_number:06d}.txt")
        if page_done is not None:
            page_done(page_number)


@hookimpl
def get_ocr_engine(options):
    return HocrKeepingEngine()


@hookimpl
def rasterize_pdf_page(input_file, output_file, raster_device, raster_dpi, pageno, page_dpi, rotation,
                       filter_vector, stop_on_soft_error, options, use_cropbox):
    scan = page_images.get(pageno)
    if scan is None or rotation or filter_vector or not str(raster_device).lower().endswith(("pnggray", "png16m")):
        return None  # ocrmypdf renders the page itself
    with Image.open(scan) as image:
        dpi = image.info.get("dpi")
        if image.format not in ("PNG", "JPEG") or image.mode not in _SCAN_MODES or not dpi \
                or abs(float(dpi[0]) - float(raster_dpi.x)) > 0.5 or abs(float(dpi[1]) - float(raster_dpi.y)) > 0.5:
            return None
    shutil.copyfile(scan, output_file)
    return output_file
