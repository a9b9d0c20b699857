"""An ocrmypdf plugin that keeps each page's hOCR.

ocrmypdf runs tesseract once per page and renders the hOCR into the PDF's text layer; this
engine lets that happen and copies the hOCR aside, so Olke gets word boxes and confidences from
the same run instead of a second tesseract pass. It also reports each finished page.
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
