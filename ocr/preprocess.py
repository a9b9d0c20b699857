"""Make each page ready for OCR as its checks say: turned upright, straightened, cleaned.

Every page is measured (``ocr.checks``), and the row profile of the ink on its small cleaned copy
tells its skew and whether its lines run sideways (``checks.text_lines``, about 40 ms; tesseract's
own layout analysis took 0.1-0.2 s and a process a page). Only pages with sideways lines (or every page with
``--osd``) pay for orientation detection (``--psm 0``, about 0.6 s), only skewed pages are
rotated, and only pages with dark borders, faint ink or uneven light get a cleaned copy for OCR;
a page with a coloured stamp over its text gets a grey copy without the stamp's ink.
A page whose file tesseract cannot be handed as it is (a TIFF, CMYK, a palette, no resolution) gets
a PNG copy to be read, its pixels in a kind tesseract takes; without one, ocrmypdf rendered the
page from the PDF again and wrote a PNG of that, and img2pdf re-encoded a TIFF's pixels twice.
"""
from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops

from archive.errors import OcrFailed
from ocr import checks, render

MIN_SKEW_DEGREES = 0.3     # below this a forced --deskew leaves the page as it is
AUTO_SKEW_DEGREES = 1.0    # by default only pages skewed more than this are straightened: under it
                           # tesseract reads as well unstraightened (measured on the samples: 8 book
                           # pages at 0.4-0.55° gave 5.1% summed CER as scanned and 5.4% straightened)
MAX_SKEW_DEGREES = 15.0    # beyond this the estimate is not trusted
_FIELD = re.compile(r"^(\w[\w ]*?):\s*(-?[\d.]+)\s*$", re.M)


@dataclass(frozen=True)
class Straightening:
    rotated: int = 0          # clockwise quarter turns applied, in degrees (0, 90, 180, 270)
    deskewed: float = 0.0     # degrees


def _tesseract(image: Image.Image, args: list[str]) -> dict[str, float]:
    with tempfile.NamedTemporaryFile(suffix=".pgm") as handle:
        image.save(handle.name)  # uncompressed: quickest to write and to read
        done = subprocess.run(["tesseract", handle.name, "-", *args], capture_output=True, text=True)
    if done.returncode != 0 and "Too few characters" not in done.stderr:
        raise OcrFailed(f"tesseract could not analyse the page layout: {done.stderr.strip()[:200]}")
    return {key: float(value) for key, value in _FIELD.findall(done.stdout + done.stderr)}


def analyse_small(small: Image.Image, always_osd: bool = False, deskew: bool = True) -> Straightening:
    """How to turn and deskew a page, from its small cleaned copy, so its lines run level and upright."""
    sideways, degrees = checks.text_lines(np.asarray(small))
    rotated = 0
    if sideways or always_osd:
        larger = small.resize((small.width * 3 // 2, small.height * 3 // 2))  # OSD needs more detail
        osd = _tesseract(larger, ["--psm", "0", "-l", "osd"])
        if osd.get("Orientation confidence", 0) >= 0.1:
            rotated = int(osd.get("Rotate", 0)) % 360
    if rotated:
        _, degrees = checks.text_lines(np.asarray(small.rotate(-rotated, expand=True)))
    if not deskew or not MIN_SKEW_DEGREES <= abs(degrees) <= MAX_SKEW_DEGREES:
        degrees = 0.0
    return Straightening(rotated, degrees)


@dataclass
class PreparedPage:
    """One page made ready for OCR: the image that goes into the PDF, and the one OCR reads.

    Both have the same size and resolution, so the reading's word boxes fit the visible page.
    """
    image: Path                        # the page as it goes into the PDF (straightened if it needed it)
    ocr_image: Path | None = None      # a cleaned copy for OCR; None: OCR reads ``image``
    check: checks.PageCheck | None = None
    steps: dict = field(default_factory=dict)
    exif_turn: int | None = None       # clockwise degrees the image's EXIF asks for; None: not read
    read_image: Path | None = None     # ``image`` as a PNG OCR takes as it is, when it is not one (see
                                       # ``read_as_is``): the same pixels; None: not needed


DEEP_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I")   # more than 8 bits a pixel; render.viewable scales them
EXIF_TURNS = {1: 0, 6: 90, 3: 180, 8: 270}   # as img2pdf reads the orientation; mirrored ones are ignored


READ_MODES = ("1", "L", "RGB")      # the pixels tesseract is handed: bilevel, 8-bit grey, RGB
READ_FORMATS = ("PNG", "JPEG")      # scan files handed to tesseract as they are


def read_as_is(image: Image.Image) -> bool:
    """Whether OCR can be handed the scan file itself: a PNG or JPEG of bilevel, grey or RGB pixels
    that says its resolution. The PDF shows those pixels, so tesseract reads what ocrmypdf would
    render from the PDF, without a render and a PNG encode."""
    return image.format in READ_FORMATS and image.mode in READ_MODES and bool(image.info.get("dpi"))


def for_reading(image: Image.Image) -> Image.Image:
    """The scan's pixels in a mode tesseract reads: bilevel, grey or RGB. Losslessly, but for
    colours that are not RGB (CMYK, YCbCr, LAB), turned RGB as Pillow does it (the archived page was
    RGB before too, as PDFium rendered it)."""
    if image.mode in READ_MODES:
        return image
    if image.mode == "P" and "transparency" not in image.info:
        rgb = image.convert("RGB")
        red, green, blue = rgb.split()
        grey = not ImageChops.difference(red, green).getbbox() and not ImageChops.difference(red, blue).getbbox()
        return red if grey else rgb         # grey only when every colour used is a grey
    if image.mode in ("LA", "La", "PA", "RGBA", "RGBa", "P", "I") or image.mode.startswith("I;16"):
        return render.viewable(image)     # transparency laid on white, deep grey scaled to 8 bits
    return image.convert("RGB")           # CMYK (a JPEG's or a TIFF's), YCbCr, LAB


def _reading_copy(image: Image.Image, path: Path, workdir: Path) -> Path:
    """A copy of the scan for OCR, in a kind tesseract takes as it is: a PNG of its pixels (colours
    turned RGB) at the resolution the PDF gives the scan (300 dpi for one that says none).

    A PNG because ocrmypdf makes the PDF's page from the file it reads, and img2pdf takes a PNG as
    it is, where it re-encodes a TIFF's pixels (0.85 s a grey A4 page at 300 dpi, 2 s an RGB one).
    Level 3: 0.3 s (grey) to 0.5 s (RGB) such a page, some 10 % larger than at the default level 6,
    which took 0.9-1 s."""
    copy = workdir / f"{path.name}-read.png"
    for_reading(image).save(copy, "PNG", compress_level=3, dpi=image.info.get("dpi") or (300, 300))
    return copy


def _exif_turn(image: Image.Image) -> int:
    """The turn the image's EXIF orientation asks for (read once the pixels are loaded: a PNG's
    EXIF may follow its pixels, and img2pdf would decode the whole image again to find it)."""
    return EXIF_TURNS.get(image.getexif().get(0x0112, 1), 0)


def prepare(path: Path, workdir: Path, deskew: bool | None = None, clean: bool | None = None,
            always_osd: bool = False) -> PreparedPage:
    """Measure a one-page image and straighten or clean it as it needs (None: as the checks decide)."""
    with Image.open(path) as image:
        dpi = float((image.info.get("dpi") or (300, 300))[0] or 300)
        # 16-bit grey (archival scanners) is measured, read and put into the PDF in 8 bits:
        # converted plainly it is clipped white, and img2pdf refuses it
        deep = image.mode in DEEP_MODES
        measured = render.viewable(image) if deep else image
        found, cleaning = checks.check(measured, dpi)
        steps: dict = {"checks": found.as_dict(), "found": found.reasons}
        small = Image.fromarray(cleaning.small, "L")
        plan = analyse_small(small, always_osd, deskew is not False)
        if deskew is None and abs(plan.deskewed) < AUTO_SKEW_DEGREES:
            plan = Straightening(plan.rotated, 0.0)
        clean_it = found.needs_cleaning if clean is None else clean
        turn = _exif_turn(image)
        turned = plan != Straightening()
        as_scanned = not turned and not deep          # the scan's own pixels go into the PDF
        read = None if not as_scanned or read_as_is(image) else _reading_copy(image, path, workdir)
        if as_scanned and not clean_it and not cleaning.stamps:
            return PreparedPage(path, None, found, steps, turn, read)
        page = measured.convert("L") if measured.mode not in ("L", "RGB") else measured.copy()
        save_dpi = image.info.get("dpi") or (300, 300)
    stem = workdir / path.stem
    if not as_scanned:                                # Olke writes the page the PDF shows
        if deep:
            steps["eight_bits"] = True
        if turned:
            page = _turn(page, plan)
            steps.update(rotated=plan.rotated, deskewed=plan.deskewed)
            turn = 0                                  # a page Olke wrote carries no EXIF
        visible = stem.with_name(stem.name + "-straight.png")
        page.save(visible, "PNG", dpi=save_dpi, compress_level=1)
        if turned and (clean_it or plan.rotated or cleaning.stamps):
            # measured again: a turned page's lines run the other way, a straightened one has new
            # corners, and its border moved with it
            found, cleaning = checks.check(page, dpi)
            steps["checks"] = found.as_dict()
    else:
        visible = path
    ocr_image = None
    if clean_it or cleaning.stamps:
        ocr_image = stem.with_name(stem.name + "-ocr.tif")
        read_page = page
        if cleaning.stamps:      # coloured stamps over the text: read without their ink
            read_page = checks.without_stamps(page, cleaning.stamps, cleaning.factor)
            steps["stamps_dropped"] = len(cleaning.stamps)
        if clean_it:
            read_page = checks.cleaned(read_page, cleaning)
            steps["cleaned"] = True
        # uncompressed: it is read once, by tesseract, and a PNG encode costs a third of a second
        read_page.save(ocr_image, "TIFF", dpi=save_dpi)
    return PreparedPage(visible, ocr_image, found, steps, turn, read)


def _turn(page: Image.Image, plan: Straightening) -> Image.Image:
    if plan.rotated:
        page = page.rotate(-plan.rotated, expand=True)
    if plan.deskewed:
        page = page.rotate(plan.deskewed, resample=Image.BICUBIC, expand=False,
                           fillcolor=255 if page.mode == "L" else (255, 255, 255))
    return page
