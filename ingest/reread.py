"""Read one archived page again, from its original scan, with other OCR options.

The page is taken from the scans as they came in (``originals/``), checked and prepared by the
OCR engine with the ways asked for forced on, put into a one-page PDF and read like any page at
ingest; nothing in the archive changes. The corrector then keeps the new reading
(``Archive.keep_reading``) or leaves it.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import img2pdf
import pikepdf
from PIL import Image

from archive.catalog import Catalog
from archive.errors import NotFound
from archive.home import Home
from archive.pages import PageResult
from archive.reader import PageSource
from archive.storage import new_staging_dir
from ingest.pipeline import LANGUAGE_ORDER
from ingest.scanfile import ScanFile, inspect
from ingest.stages import ASSUMED_DPI, _pdf_pages
from ocr.engine import OcrEngine, OcrOptions


def options_for(language: str, ways: set[str]) -> OcrOptions:
    """The ways asked for are forced on; the other steps are left to the page's checks, as at ingest."""
    return OcrOptions(languages=LANGUAGE_ORDER.get(language, LANGUAGE_ORDER["auto"]),
                      deskew=True if "deskew" in ways else None, clean=True if "clean" in ways else None,
                      always_osd="osd" in ways, jobs=1)


def _original(catalog: Catalog, document_id: int, number: int) -> tuple[Path, str, int]:
    """The original scan that holds page ``number``, its type and the page's index in it."""
    first = 1
    for row in catalog.files(document_id, "original"):
        path = catalog.home.absolute(row["path"])
        scan = inspect(path)
        if number < first + scan.pages:
            return path, scan.type, number - first
        first += scan.pages
    raise NotFound(f"document {document_id} has no original scan for page {number}; it cannot be read again")


def _page_image(path: Path, kind: str, index: int, folder: Path) -> Path:
    """The page as a one-page image at its scan's resolution (a PDF's page rendered as at ingest)."""
    if kind == "pdf":
        single = folder / "original-page.pdf"
        with pikepdf.open(path) as source, pikepdf.new() as one:
            one.pages.append(source.pages[index])
            one.save(single)
        (image,) = _pdf_pages(ScanFile(single, "pdf", 1), folder / "page")
        return image
    image_path = folder / "page.png"
    with Image.open(path) as image:
        image.seek(index)
        dpi = image.info.get("dpi") or (ASSUMED_DPI, ASSUMED_DPI)
        frame = image.convert("RGBA") if image.mode in ("RGBA", "LA", "P", "PA") else image.copy()
        if frame.mode == "RGBA":
            paper = Image.new("RGB", frame.size, "white")
            paper.paste(frame, mask=frame.getchannel("A"))
            frame = paper
        elif frame.mode not in ("1", "L", "RGB"):
            frame = frame.convert("RGB")
        frame.save(image_path, "PNG", dpi=(round(float(dpi[0])), round(float(dpi[1]))))
    return image_path


def locate(catalog: Catalog, document_id: int, number: int) -> PageSource:
    document = catalog.get(document_id)
    path, kind, index = _original(catalog, document_id, number)
    return PageSource(path, kind, index, document.language)


def read(home: Home, engine: OcrEngine, source: PageSource, number: int, ways: set[str]) -> PageResult:
    """Read the page with the given ways (``archive.reader.WAYS``); the catalog is not needed (nor held) meanwhile."""
    options = options_for(source.language, ways)
    engine.check(options)
    folder = new_staging_dir(home)
    try:
        prepared = engine.prepare_page(_page_image(source.path, source.kind, source.index, folder), folder, options)
        pdf = folder / "page.pdf"
        pdf.write_bytes(img2pdf.convert(str(prepared.image)))
        (reading,) = engine.ocr_pdf(pdf, folder / "read.pdf", options, None, [prepared])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    reading.number = number
    return reading


def reread(catalog: Catalog, engine: OcrEngine, document_id: int, number: int, ways: set[str]) -> PageResult:
    """A new reading of the page with the given ways; the archive stays as it is."""
    return read(catalog.home, engine, locate(catalog, document_id, number), number, ways)
