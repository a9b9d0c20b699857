"""How large a PDF page's bitmap will be when it is rendered, known before anything renders it.

ocrmypdf renders each page at its images' resolution, and at least at 400 dpi when the page has
text or drawings (``VECTOR_PAGE_DPI``); the viewer's images are rendered 1100 px wide. A page box of
14,400 pt (200 inches, the largest PDF allows) at 400 dpi is 6,400 megapixels, and rendering it took
6.3 GB of memory before it failed; such pages are refused by their boxes alone.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from ocr.render import PAGE_WIDTH

OCR_MIN_DPI = 400          # ocrmypdf's resolution for text and drawings (VECTOR_PAGE_DPI)
SCAN_MIN_DPI = 72          # the least Olke renders a scanned PDF page at before OCR (ingest.stages)
BYTES_PER_PIXEL = 3        # a colour page as ocrmypdf and the viewer render it
MIN_SIDE_PT = 1.0          # narrower than this is not a page, and a division by nearly zero


@dataclass(frozen=True)
class PageSize:
    number: int
    width_pt: float            # in PDF points (1/72 inch), UserUnit applied
    height_pt: float
    dpi: float                 # the resolution ocrmypdf will render it at

    @property
    def ocr_pixels(self) -> float:
        return (self.width_pt / 72 * self.dpi) * (self.height_pt / 72 * self.dpi)

    @property
    def viewer_pixels(self) -> float:
        return PAGE_WIDTH * PAGE_WIDTH * self.height_pt / self.width_pt

    @property
    def pixels(self) -> float:
        return max(self.ocr_pixels, self.viewer_pixels)

    @property
    def memory_bytes(self) -> float:
        return self.pixels * BYTES_PER_PIXEL

    def describe(self) -> str:
        return (f"page {self.number} is {self.width_pt:,.0f} x {self.height_pt:,.0f} pt "
                f"({self.width_pt / 72:,.1f} x {self.height_pt / 72:,.1f} in)")


def page_sizes(pdf: Path) -> list[PageSize]:
    """Every page's box (the larger of MediaBox and CropBox, with UserUnit) and rendering resolution."""
    dpis = _render_dpis(pdf)
    sizes = []
    with pikepdf.open(pdf) as document:
        for number, page in enumerate(document.pages, start=1):
            unit = float(page.obj.get("/UserUnit", 1) or 1)
            boxes = [_box(page.obj.get(key)) for key in ("/MediaBox", "/CropBox")]
            width = max(w for w, _ in boxes) * unit
            height = max(h for _, h in boxes) * unit
            sizes.append(PageSize(number, width, height, dpis.get(number, OCR_MIN_DPI) * unit))
    return sizes


def _box(value) -> tuple[float, float]:
    try:
        x0, y0, x1, y1 = (float(v) for v in value)
    except (TypeError, ValueError):
        return 0.0, 0.0
    return abs(x1 - x0), abs(y1 - y0)


def _render_dpis(pdf: Path) -> dict[int, float]:
    """The resolution ocrmypdf renders each page at: its images' highest, at least 400 dpi for text or
    drawings (``ocrmypdf._pipeline.get_canvas_square_dpi``)."""
    from ocrmypdf.pdfinfo import PdfInfo

    logging.getLogger("ocrmypdf").setLevel(logging.ERROR)
    try:
        info = PdfInfo(pdf, progbar=False)
    except Exception:   # ocrmypdf reports damage its own way; the page boxes still tell the size
        return {}
    dpis = {}
    for page in info.pages:
        images = max(float(page.dpi.x or 0), float(page.dpi.y or 0))
        vector = OCR_MIN_DPI if page.has_vector or page.has_text else 0
        dpis[page.pageno + 1] = max(images or OCR_MIN_DPI, vector, SCAN_MIN_DPI)
    return dpis
