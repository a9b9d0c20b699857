"""Straighten page images before OCR, cheaply.

Tesseract's layout analysis (``--psm 2``) on a small copy of the page takes about 0.1 s and
reports both the skew angle and whether the text lines run vertically (a page scanned
sideways). Only such pages pay for orientation detection (``--psm 0``, about 0.6 s), and only
pages that are really skewed are rotated. Running ocrmypdf's own ``--rotate-pages --deskew`` on
every page instead more than doubled the time per page (see the benchmark).
"""
from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from archive.errors import OcrFailed

ANALYSIS_DPI = 100
MIN_SKEW_DEGREES = 0.3     # below this, rotating costs more than it buys
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


def small_copy(image: Image.Image, dpi: float) -> Image.Image:
    """A greyscale copy at about ANALYSIS_DPI; box-averaging is plenty for layout analysis."""
    factor = max(1, round(dpi / ANALYSIS_DPI))
    grey = image.convert("L")
    return grey.reduce(factor) if factor > 1 else grey


def layout(small: Image.Image, language: str = "kaz") -> tuple[bool, float]:
    """(text lines run vertically, skew in degrees) from tesseract's layout analysis."""
    found = _tesseract(small, ["--psm", "2", "-l", language])  # any model will do; kaz loads quickly
    vertical = found.get("WritingDirection", 0) == 2 or found.get("TextlineOrder", 2) == 1
    return vertical, round(found.get("Deskew angle", 0.0) * 57.29578, 2)  # tesseract reports radians


def analyse(image: Image.Image, dpi: float, always_osd: bool = False, deskew: bool = True,
            language: str = "kaz") -> Straightening:
    """How to turn and deskew this page so its text lines run level and upright."""
    small = small_copy(image, dpi)
    vertical_lines, degrees = layout(small, language)
    rotated = 0
    if vertical_lines or always_osd:
        larger = small.resize((small.width * 3 // 2, small.height * 3 // 2))  # OSD needs more detail
        osd = _tesseract(larger, ["--psm", "0", "-l", "osd"])
        if osd.get("Orientation confidence", 0) >= 0.1:
            rotated = int(osd.get("Rotate", 0)) % 360
    if rotated:
        _, degrees = layout(small.rotate(-rotated, expand=True), language)
    if not deskew or not MIN_SKEW_DEGREES <= abs(degrees) <= MAX_SKEW_DEGREES:
        degrees = 0.0
    return Straightening(rotated, degrees)


def straighten(path: Path, output: Path, always_osd: bool = False, deskew: bool = True,
               language: str = "kaz") -> tuple[Path, Straightening]:
    """Write a straightened copy of a one-page image to ``output``, or return ``path`` untouched."""
    with Image.open(path) as image:
        dpi = float(image.info.get("dpi", (300, 300))[0] or 300)
        plan = analyse(image, dpi, always_osd, deskew, language)
        if plan == Straightening():
            return path, plan
        page = image.convert("L") if image.mode not in ("L", "RGB") else image.copy()
        if plan.rotated:
            page = page.rotate(-plan.rotated, expand=True)
        if plan.deskewed:
            page = page.rotate(plan.deskewed, resample=Image.BICUBIC, expand=False,
                               fillcolor=255 if page.mode == "L" else (255, 255, 255))
        page.save(output, "PNG", dpi=image.info.get("dpi", (300, 300)), compress_level=1)
    return output, plan
