"""Cheap checks on a page image before OCR, and the cleaned copy OCR reads when a page needs one.

Every page is measured on a small greyscale copy (about 100 dpi, a few tens of milliseconds):

- the paper's background, estimated by a wide maximum filter (ink is thin, paper is everywhere);
- dark scanner background around the paper: dark background that touches the image's edges;
- contrast: how far the ink stands from the paper, once the background is flattened;
- uneven light: how much the background itself varies (phone captures, book gutters);
- pictures: dark areas of the background with a sharp edge all round (photos, drawings); light
  falls off gently, so a step of many grey levels within a millimetre is a picture's edge;
- ink that looks like text (connected marks of letter size, pictures left out), from which the
  number of characters the page should give is estimated; a reading far below it is sparse;
- a negative (a microfilm or photostat copy): light letters on a dark page, with no light paper
  anywhere. Its checks are made on the page turned positive, and so is the copy OCR reads; taken
  as it is, the whole dark page counted as scanner background and was painted white.

A page that has dark borders, low contrast or uneven light is read from a cleaned copy of the
same size: the background divided out, the levels stretched, the borders painted paper-white.
Pictures stay in that copy as they were scanned: divided by their own background they turn into
a speckled texture that tesseract reads as stray letters, and painted white they would take with
them the white-on-black headings of newspapers, which tesseract reads as scanned. A picture
alone is no reason to clean a page (tesseract leaves a photo on an untouched page alone).
Without that, tesseract's global threshold takes the dark border for ink and the faded text for
paper, and reads nothing at all.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from PIL import Image, ImageOps
from scipy import ndimage

ANALYSIS_DPI = 100
BACKGROUND_WINDOW_MM = 4.0       # wider than any stroke, narrower than a margin
DARK_BACKGROUND = 0.55           # background this much darker than the paper is not paper
MIN_BORDER_SHARE = 0.004         # dark background covering less of the page is a speck, not a border
LOW_CONTRAST = 110               # ink less than this many grey levels below the paper is faint
UNEVEN_LIGHT = 45                # background varying more than this across the page
PICTURE_DARKER = 20              # background this far below the paper may be a picture...
PICTURE_EDGE = 40                # ...when its edge drops this many grey levels within three pixels
PICTURE_EDGE_SHARE = 0.6         # ...along this much of its length
PICTURE_MM = 10.0                # smaller dark areas (a heavy rule, a bold initial) are not pictures
NEGATIVE_MEDIAN = 100            # a negative is dark over most of the page...
NEGATIVE_PAPER_MM = 1.5          # ...and nothing light on it is wider than a stroke (paper is)
NEGATIVE_PAPER_SHARE = 0.02
# Characters a page should give per unit of its text ink (ink pixels / text height²), measured on
# the samples' pages at 100 dpi; the verdict compares a reading with this estimate loosely.
CHARS_PER_INK = 2.4


@dataclass(frozen=True)
class PageCheck:
    dpi: float
    paper: int                 # grey level of the paper (0-255)
    contrast: int              # grey levels between ink and paper, after flattening the light
    dark_border: float         # share of the image that is scanner background
    uneven_light: int          # spread of the background's level over the paper (pictures left out)
    text_ink: float            # share of the paper covered by text-like ink
    text_height_mm: float      # median height of the text's marks
    expected_chars: float      # characters the page's text ink promises (0: a blank page)
    pictures: float = 0.0      # share of the paper under pictures
    negative: bool = False     # light text on a dark page: measured, and read, turned positive

    @property
    def needs_cleaning(self) -> bool:
        return (self.negative or self.dark_border >= MIN_BORDER_SHARE or self.contrast < LOW_CONTRAST
                or self.uneven_light > UNEVEN_LIGHT)

    @property
    def reasons(self) -> list[str]:
        found = ["negative"] if self.negative else []
        if self.dark_border >= MIN_BORDER_SHARE:
            found.append("dark_border")
        if self.contrast < LOW_CONTRAST:
            found.append("low_contrast")
        if self.uneven_light > UNEVEN_LIGHT:
            found.append("uneven_light")
        return found

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in ("dpi", "dark_border", "text_ink", "text_height_mm", "expected_chars", "pictures"):
            data[key] = round(data[key], 4 if key in ("dark_border", "text_ink", "pictures") else 1)
        return data


def level(values: np.ndarray, percent: float) -> float:
    """The grey level below which ``percent`` of the values lie (a histogram, not a sort)."""
    counts = np.bincount(np.clip(values, 0, 255).astype(np.uint8).ravel(), minlength=256)
    return float(np.searchsorted(np.cumsum(counts), percent / 100 * values.size))


def small_grey(image: Image.Image, dpi: float) -> tuple[np.ndarray, float]:
    """A greyscale copy at about ANALYSIS_DPI (box-averaged), and its scale against the original."""
    factor = max(1, round(dpi / ANALYSIS_DPI))
    grey = image.convert("L") if image.mode != "L" else image
    small = grey.reduce(factor) if factor > 1 else grey
    return np.asarray(small, dtype=np.uint8), factor


def looks_negative(grey: np.ndarray, dpi: float) -> bool:
    """Light marks on a page dark nearly all over, with no light area wider than a stroke.

    A page on a dark scanner bed is dark over most of the image too, but its paper is light
    and wide; a negative's only light is its letters' strokes.
    """
    if not grey.size or level(grey, 50) >= NEGATIVE_MEDIAN:
        return False
    dark, light = level(grey, 50), level(grey, 99.5)
    if light - dark < LOW_CONTRAST / 2:
        return False                    # a dark page with nothing light on it: no letters either
    wide = max(3, int(round(NEGATIVE_PAPER_MM / 25.4 * dpi)))
    paper = ndimage.minimum_filter(grey, size=wide) > (dark + light) / 2
    return float(paper.mean()) < NEGATIVE_PAPER_SHARE


def _window(dpi: float) -> int:
    return max(3, int(round(BACKGROUND_WINDOW_MM / 25.4 * dpi)) | 1)


def widest_light(grey: np.ndarray, dpi: float) -> np.ndarray:
    """The lightest level within a window wider than strokes: the paper wherever there is any."""
    return ndimage.maximum_filter(grey, size=_window(dpi))


def background(light: np.ndarray, dpi: float) -> np.ndarray:
    """The paper's level under every pixel: ``widest_light``, smoothed."""
    return ndimage.uniform_filter(light.astype(np.float32), size=_window(dpi) * 3)


def picture_mask(light: np.ndarray, paper: float, dpi: float, border: np.ndarray) -> np.ndarray:
    """Pictures: areas with no paper in reach whose edge is a sharp step down from the paper.

    A maximum filter wider than strokes leaves text at the paper's level and a picture dark. A
    shadow or a phone's vignetting darkens it too, but gently. An area counts as a picture when
    most of its edge falls by PICTURE_EDGE grey levels within three pixels (under a millimetre):
    on the samples photos' edges did so all round (0.96-1.0 of the edge), gutters' and phones'
    shading on at most 0.36 of it. The edge next to the scanner border is left out (painting the
    border paper-white makes a step there).
    """
    window = _window(dpi)
    raw = light.astype(np.float32)
    darker = raw < paper - PICTURE_DARKER
    deep = raw < paper - UNEVEN_LIGHT
    labels, _ = ndimage.label(darker)
    candidates = np.unique(labels[deep])
    candidates = candidates[candidates > 0]
    if not len(candidates):
        return np.zeros_like(darker)
    ring = max(1, round(dpi / 25.4))
    edge = darker & ~ndimage.binary_erosion(darker, border_value=1)
    if border.any():
        edge &= ~ndimage.binary_dilation(border, iterations=window // 2 + 2 * ring)
    jump = ndimage.maximum_filter(raw, 3) - ndimage.minimum_filter(raw, 3)
    steep = ndimage.mean(jump[edge] >= PICTURE_EDGE, labels[edge], candidates) if edge.any() else []
    sizes = ndimage.sum_labels(darker, labels, candidates)
    min_area = (PICTURE_MM / 25.4 * dpi) ** 2
    pictures = [c for c, share, size in zip(candidates, steep, sizes) if share >= PICTURE_EDGE_SHARE
                and size >= min_area]
    if not pictures:
        return np.zeros_like(darker)
    # the filter shrank each picture by half its window; a millimetre more for the halftone's fringe
    return ndimage.binary_dilation(np.isin(labels, pictures), iterations=window // 2 + ring)


def border_mask(grey: np.ndarray, paper: float, dpi: float) -> np.ndarray:
    """Scanner background: large dark areas connected to the image's edges, grown by a margin."""
    dark = ndimage.uniform_filter(grey, size=3) < paper * DARK_BACKGROUND
    if not dark.any():
        return dark
    labels, count = ndimage.label(dark)
    edge_labels = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    edge_labels = edge_labels[edge_labels > 0]
    if not len(edge_labels):
        return np.zeros_like(dark)
    sizes = ndimage.sum_labels(dark, labels, edge_labels)
    keep = edge_labels[sizes >= MIN_BORDER_SHARE * dark.size]
    if not len(keep):
        return np.zeros_like(dark)
    # the paper's edge casts a soft shadow; a millimetre more is paper nobody prints on
    return ndimage.binary_dilation(np.isin(labels, keep), iterations=max(1, round(dpi / 25.4)))


def flatten(grey: np.ndarray, bg: np.ndarray, border: np.ndarray, ink: float | None = None
            ) -> tuple[np.ndarray, float]:
    """The page with its light evened out and its levels stretched; the ink's level found."""
    flat = np.minimum(grey.astype(np.float32) / np.maximum(bg, 1.0), 1.0) * 255.0
    if ink is None:
        paper_area = flat[~border] if border.any() else flat.ravel()
        ink = level(paper_area, 0.5) if paper_area.size else 255.0
    stretched = (flat - ink) * (255.0 / max(255.0 - ink, 16.0))
    stretched[border] = 255
    return np.clip(stretched, 0, 255).astype(np.uint8), ink


def text_ink(flat: np.ndarray, border: np.ndarray) -> tuple[float, float]:
    """(ink pixels of letter-like marks / their median height², median height in pixels)."""
    ink = (flat < 128) & ~border
    labels, count = ndimage.label(ink, structure=np.ones((3, 3)))
    if count == 0:
        return 0.0, 0.0
    boxes = ndimage.find_objects(labels)
    heights = np.array([b[0].stop - b[0].start for b in boxes], dtype=np.float32)
    widths = np.array([b[1].stop - b[1].start for b in boxes], dtype=np.float32)
    areas = np.bincount(labels.ravel(), minlength=count + 1)[1:].astype(np.float32)
    marks = (areas >= 3) & (heights >= 3)
    if not marks.any():
        return 0.0, 0.0
    height = float(np.median(heights[marks]))
    # Rules, frames and pictures are far taller or denser than letters (and words) are.
    letters = marks & (heights <= 3.5 * height) & (widths <= 60 * height) & (areas <= 0.6 * heights * widths + 8)
    if not letters.any():
        return 0.0, height
    return float(areas[letters].sum()) / (height * height), height


@dataclass
class Cleaning:
    """What ``cleaned`` needs, measured on the small copy."""
    background: np.ndarray
    border: np.ndarray
    ink: float
    small: np.ndarray          # the small copy, cleaned: for layout analysis
    pictures: np.ndarray | None = None   # kept as scanned in the cleaned copy
    negative: bool = False     # the page is turned positive before it is cleaned


def check(image: Image.Image, dpi: float) -> tuple[PageCheck, Cleaning]:
    """The page's checks, and what cleaning it needs."""
    grey, factor = small_grey(image, dpi)
    small_dpi = dpi / factor
    negative = looks_negative(grey, small_dpi)
    if negative:
        grey = 255 - grey
    paper = level(grey, 90)
    border = border_mask(grey, paper, small_dpi)
    if border.any():
        grey = grey.copy()
        grey[border] = int(paper)   # so the background estimate does not reach into the border
    light = widest_light(grey, small_dpi)
    bg = background(light, small_dpi)
    pictures = picture_mask(light, paper, small_dpi, border)
    flat, ink = flatten(grey, bg, border | pictures)       # the small copy (layout, skew): pictures blank
    contrast = int(round(255 - ink))
    light = ~(border | pictures)
    paper_bg = bg[light] if not light.all() else bg.ravel()
    uneven = int(level(paper_bg, 95) - level(paper_bg, 5)) if paper_bg.size else 0
    ink_units, height_px = text_ink(flat, border)
    marks = (flat < 128) & ~border
    paper_pixels = max(1, int((~border).sum()))
    result = PageCheck(
        dpi=dpi, paper=int(round(paper)), contrast=contrast, dark_border=float(border.mean()),
        uneven_light=uneven, text_ink=float(marks.sum()) / paper_pixels,
        text_height_mm=height_px / small_dpi * 25.4, expected_chars=ink_units * CHARS_PER_INK,
        pictures=float(pictures.sum()) / paper_pixels, negative=negative,
    )
    return result, Cleaning(bg, border, ink, flat, pictures, negative)


def cleaned(image: Image.Image, cleaning: Cleaning) -> Image.Image:
    """A full-size copy of the page for OCR: turned positive if a negative, light evened, levels
    stretched, borders paper-white, pictures as they were scanned."""
    bg, border = cleaning.background, cleaning.border
    grey = image.convert("L") if image.mode != "L" else image
    if cleaning.negative:
        grey = ImageOps.invert(grey)
    size = grey.size
    bg_full = np.asarray(Image.fromarray(bg).resize(size, Image.BILINEAR), dtype=np.float32)
    border_full = _full_size(border, size)
    original = np.asarray(grey, dtype=np.uint8)
    flat, _ = flatten(original, bg_full, border_full, cleaning.ink)
    if cleaning.pictures is not None and cleaning.pictures.any():
        pictures = _full_size(cleaning.pictures, size) & ~border_full
        flat[pictures] = original[pictures]
    return Image.fromarray(flat, "L")


def _full_size(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return np.asarray(Image.fromarray(mask.astype(np.uint8) * 255).resize(size, Image.NEAREST)) > 0


def _sharpness(ink: Image.Image, angle: float) -> float:
    """How cleanly the ink's rows part into lines and gaps when turned by ``angle`` degrees."""
    rows = np.asarray(ink.rotate(angle, resample=Image.NEAREST), dtype=np.float32).sum(axis=1)
    steps = np.diff(rows)
    return float((steps * steps).mean()) / max(float(rows.mean()) ** 2, 1e-6)


def text_lines(small: np.ndarray, max_skew: float = 15.0) -> tuple[bool, float]:
    """(the lines run sideways, their skew in degrees) from the ink's row profile.

    Text lines turned level make the rows of ink alternate sharply between lines and gaps; turned
    sideways they make the columns do so. A coarse search on a 33 dpi copy finds the angle to
    within a degree and a fine one on the 100 dpi copy to a tenth, in about 40 ms a page (on the
    samples it agreed with tesseract's layout analysis on every page, upright or sideways, to
    half a degree).
    """
    ink = Image.fromarray(((small < 128) * 255).astype(np.uint8), "L")
    if not small.size or (small < 128).mean() < 0.001:
        return False, 0.0
    rough = ink.reduce(3)
    coarse_angles = np.arange(-max_skew, max_skew + 0.01, 1.5)
    level_score, coarse = max((_sharpness(rough, float(a)), float(a)) for a in coarse_angles)
    turned = rough.transpose(Image.Transpose.ROTATE_90)
    sideways_score = max(_sharpness(turned, a) for a in (-3.0, 0.0, 3.0))
    if sideways_score > SIDEWAYS_MARGIN * level_score:
        return True, 0.0
    fine = max(np.arange(coarse - 1.2, coarse + 1.21, 0.1), key=lambda a: _sharpness(ink, float(a)))
    return False, round(float(fine), 2)


SIDEWAYS_MARGIN = 1.5   # on the samples the wrong direction scored 3-10 times lower
