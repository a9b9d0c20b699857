"""Make each page ready for OCR as its checks say: turned upright, straightened, cleaned.

Every page is measured (``ocr.checks``), and the row profile of the ink on its small cleaned copy
tells its skew and whether its lines run sideways (``checks.text_lines``, about 40 ms; tesseract's
own layout analysis took 0.1-0.2 s and a process a page). Only pages with sideways lines (or every page with
``--osd``) pay for orientation detection (``--psm 0``, about 0.6 s), only skewed pages are
rotated, and only pages with dark borders, faint ink or uneven light get a cleaned copy for OCR.
"""
from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

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


DEEP_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I")   # more than 8 bits a pixel; render.viewable scales them
EXIF_TURNS = {1: 0, 6: 90, 3: 180, 8: 270}   # as img2pdf reads the orientation; mirrored ones are ignored


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
        if plan == Straightening() and not clean_it and not deep:
            return PreparedPage(path, None, found, steps, turn)
        page = measured.convert("L") if measured.mode not in ("L", "RGB") else measured.copy()
        save_dpi = image.info.get("dpi") or (300, 300)
    stem = workdir / path.stem
    if plan.rotated or plan.deskewed or deep:
        if deep:
            steps["eight_bits"] = True
        if plan.rotated or plan.deskewed:
            page = _turn(page, plan)
            steps.update(rotated=plan.rotated, deskewed=plan.deskewed)
            turn = 0                                  # a page Olke wrote carries no EXIF
        visible = stem.with_name(stem.name + "-straight.png")
        page.save(visible, "PNG", dpi=save_dpi, compress_level=1)
        if (plan.rotated or plan.deskewed) and (clean_it or plan.rotated):
            # measured again: a turned page's lines run the other way, a straightened one has new
            # corners, and its border moved with it
            found, cleaning = checks.check(page, dpi)
            steps["checks"] = found.as_dict()
    else:
        visible = path
    ocr_image = None
    if clean_it:
        ocr_image = stem.with_name(stem.name + "-ocr.tif")
        # uncompressed: it is read once, by tesseract, and a PNG encode costs a third of a second
        checks.cleaned(page, cleaning).save(ocr_image, "TIFF", dpi=save_dpi)
        steps["cleaned"] = True
    return PreparedPage(visible, ocr_image, found, steps, turn)


def _turn(page: Image.Image, plan: Straightening) -> Image.Image:
    if plan.rotated:
        page = page.rotate(-plan.rotated, expand=True)
    if plan.deskewed:
        page = page.rotate(plan.deskewed, resample=Image.BICUBIC, expand=False,
                           fillcolor=255 if page.mode == "L" else (255, 255, 255))
    return page
