"""Replace one page's invisible text layer in an archived PDF with corrected lines.

The page image stays as it is. The old invisible text (render mode 3: ocrmypdf draws it in a
form XObject, a born-digital PDF may draw it in the page's own content) is stripped with
ocrmypdf's own function, and the corrected lines are rendered by ocrmypdf's fpdf2 renderer, the
one that wrote the layer at ingest (glyphless text, scaled to each word's box), then grafted onto
the page as ocrmypdf grafts it: a form XObject drawn under a matrix that fits it to the page and
its /Rotate. Text extraction then reads the corrected text where the words stand on the image.
"""
from __future__ import annotations

import logging
from pathlib import Path

import ocrmypdf
import pikepdf
from ocrmypdf._graft import _build_text_layer_ctm, strip_invisible_text
from ocrmypdf.font import MultiFontManager
from ocrmypdf.fpdf_renderer import Fpdf2PdfRenderer
from ocrmypdf.models.ocr_element import BoundingBox, OcrClass, OcrElement
from pikepdf import Name

from ocr.hocr import SAME_SIZE
from archive.lines import Line

_RENDER_DPI = 72.0    # the text page is laid out in points: one "pixel" of the boxes below is a point
# A line's word boxes hold its ink (capitals to descenders); the text is set a little larger, at
# about the type's size: 1.45 kept two uneven columns apart in pdftotext's default mode for
# leading from 1.25 to 1.6 times the type (1.0-1.3 read them across, line by line).
TYPE_PER_INK = 1.45


def _line_heights(lines: list[Line]) -> list[float]:
    """Each line's height for the text layer: lines near the page's usual height all get it, so
    they are set at one size and text extractors that find reading order by geometry (pdftotext's
    default mode, viewers' copy and paste) see blocks and columns instead of a block per line (as
    ``ocr.hocr.even_line_heights`` does at ingest); then enlarged from the word boxes' ink height
    to the type's, with which the renderer sets about 0.8 of a line's height as the font size."""
    heights = [line.box[3] - line.box[1] for line in lines]
    if not heights:
        return []
    usual = sorted(heights)[len(heights) // 2]
    return [(usual if abs(h - usual) <= SAME_SIZE * usual else h) * TYPE_PER_INK for h in heights]


def _text_page(lines: list[Line], width: float, height: float, output: Path) -> None:
    """A one-page PDF of ``width`` × ``height`` points holding only the lines' invisible text."""
    def box(x0, y0, x1, y1) -> BoundingBox:
        return BoundingBox(x0 * width, max(y0, 0.0) * height, max(x1, x0) * width, max(y1, y0 + 1e-4) * height)

    lines = [line for line in lines if line.words]
    children = []
    for line, size in zip(lines, _line_heights(lines)):
        x0, _, x1, bottom = line.box
        top = bottom - size
        children.append(OcrElement(OcrClass.LINE, bbox=box(x0, top, x1, bottom), children=[
            OcrElement(OcrClass.WORD, bbox=box(w[1], top, w[3], bottom), text=w[0]) for w in line.words]))
    page = OcrElement(OcrClass.PAGE, bbox=BoundingBox(0, 0, width, height), dpi=_RENDER_DPI, children=children)
    fonts = MultiFontManager(Path(ocrmypdf.__file__).parent / "data")
    logging.getLogger("ocrmypdf").setLevel(logging.ERROR)
    Fpdf2PdfRenderer(page=page, dpi=_RENDER_DPI, multi_font_manager=fonts, invisible_text=True).render(output)


def replace_page_text(pdf_path: Path, number: int, lines: list[Line], output: Path) -> None:
    """Write ``pdf_path`` to ``output`` with page ``number``'s invisible text replaced by ``lines``
    (word boxes as fractions of the page as it is shown, i.e. after its /Rotate)."""
    with pikepdf.open(pdf_path) as pdf:
        page = pdf.pages[number - 1]
        media = [float(v) for v in page.mediabox]
        width, height = media[2] - media[0], media[3] - media[1]
        rotation = int(page.obj.get("/Rotate", 0)) % 360
        shown_width, shown_height = (height, width) if rotation in (90, 270) else (width, height)
        strip_invisible_text(pdf, page)
        if any(line.words for line in lines):
            text_pdf = output.with_name(output.name + ".text.pdf")
            _text_page(lines, shown_width, shown_height, text_pdf)
            with pikepdf.open(text_pdf) as text:
                _graft(pdf, page, text.pages[0], media, rotation)
            text_pdf.unlink()
        pdf.save(output)


def _graft(pdf: pikepdf.Pdf, page: pikepdf.Page, text_page: pikepdf.Page, media: list[float], rotation: int) -> None:
    """Draw the text page's content on ``page`` as a form XObject (as ocrmypdf's grafting does)."""
    form = pdf.make_stream(text_page.Contents.read_bytes())
    form.Type, form.Subtype, form.FormType = Name.XObject, Name.Form, 1
    form.BBox = pikepdf.Array(media)
    form.Resources = pikepdf.Dictionary()
    for kind in ("/Font", "/ExtGState"):
        held = text_page.obj.get("/Resources", pikepdf.Dictionary()).get(kind)
        if held:
            form.Resources[kind] = pikepdf.Dictionary({k: pdf.copy_foreign(v) for k, v in held.items()})
    if "/Resources" not in page.obj:
        page.obj.Resources = pikepdf.Dictionary()
    if "/XObject" not in page.obj.Resources:
        page.obj.Resources.XObject = pikepdf.Dictionary()
    xobjects = page.obj.Resources.XObject
    name = Name.random(prefix="OCR-")
    xobjects[name] = form
    text_box = [float(v) for v in text_page.mediabox]
    # The text page is upright as the page is shown, i.e. turned clockwise by /Rotate from the page's
    # own space; ocrmypdf's matrix turns it clockwise by the angle given, so by the rest of the turn.
    ctm = _build_text_layer_ctm(text_box[2] - text_box[0], text_box[3] - text_box[1], media[2] - media[0],
                                media[3] - media[1], media[0], media[1], (360 - rotation) % 360)
    draw = (b"q %s cm\n" % ctm.encode() if ctm is not None else b"q\n") + b"%s Do\nQ\n" % bytes(str(name), "ascii")
    page.contents_coalesce()
    page.contents_add(pikepdf.Stream(pdf, draw), prepend=False)
    page.contents_coalesce()
