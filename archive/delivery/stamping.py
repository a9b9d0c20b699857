"""Stamp every page of a copy: a small footer with the request number, the requester, the date and the
copying terms, drawn with fpdf2 in a font that has every Kazakh letter and merged onto the page with pypdf.
"""
from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from archive.errors import FulfilmentFailed, MissingDependency

FONTS = ("/usr/share/fonts/truetype/paratype/PTS55F.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_SIZE = 6.5          # points
MARGIN = 6.0


def stamp_font() -> str:
    for candidate in FONTS:
        if Path(candidate).exists():
            return candidate
    raise MissingDependency("no font with Kazakh letters for the stamp; install fonts-paratype or fonts-dejavu-core")


def overlay(width: float, height: float, lines: list[str], font: str) -> bytes:
    """A one-page PDF of the page's size holding only the footer."""
    pdf = FPDF(unit="pt", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_page()
    pdf.add_font("stamp", fname=font)
    size = FONT_SIZE if width >= 300 else FONT_SIZE * width / 300
    pdf.set_font("stamp", size=size)
    leading = size * 1.25
    text = "\n".join(lines)
    count = len(pdf.multi_cell(width - 2 * MARGIN, leading, text, dry_run=True, output="LINES"))
    box = count * leading + 4
    with pdf.local_context(fill_opacity=0.85):
        pdf.set_fill_color(255, 255, 255)
        pdf.rect(0, height - box - 2, width, box + 2, style="F")
    pdf.set_text_color(40, 40, 40)
    pdf.set_xy(MARGIN, height - box)
    pdf.multi_cell(width - 2 * MARGIN, leading, text, align="L")
    return bytes(pdf.output())


def stamp(source: Path, output: Path, lines: list[str], title: str | None = None) -> int:
    """Write ``source`` with the footer on every page to ``output``; returns the number of pages."""
    font = stamp_font()
    try:
        writer = PdfWriter(clone_from=source)
        overlays: dict[tuple[float, float], object] = {}
        for page in writer.pages:
            if page.get("/Rotate", 0):
                page.transfer_rotation_to_content()
            box = page.mediabox
            size = (round(float(box.width), 2), round(float(box.height), 2))
            if size not in overlays:
                overlays[size] = PdfReader(io.BytesIO(overlay(*size, lines, font))).pages[0]
            page.merge_translated_page(overlays[size], float(box.left), float(box.bottom))
        writer.add_metadata({"/Title": title or lines[0], "/Producer": "Olke"})
        with open(output, "wb") as handle:
            writer.write(handle)
    except (OSError, ValueError, KeyError, PyPdfError) as error:
        raise FulfilmentFailed(f"could not stamp the copy ({error}); check the archived PDF with "
                               "`olke show ID`", source) from None
    return len(writer.pages)
