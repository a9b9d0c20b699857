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
  as it is, the whole dark page counted as scanner background and was painted white;
- coloured stamps over the text (a library's round or oblong ownership stamp in blue, violet or
  red ink): looked for on the small copy in colour, before it is turned grey (``stamps``). Such a
  page is read from a grey copy in which the stamp's ink is turned to paper, inside the stamp's
  box only, and the black text under it is kept (``without_stamps``). Read as scanned, tesseract
  lost and reordered the words under the stamp (12-35% CER on generated pages judged ok; read
  without it, 0.1-0.7%). A stamp of any colour is also found by its shape (``stamp_like``).

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

from dataclasses import asdict, dataclass, field

import numpy as np
from PIL import Image, ImageChops, ImageOps
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
STAMP_CHROMA = 48                # max - min of a pixel's R, G, B: coloured ink (black ink and paper: under 15)
STAMP_MM = (12.0, 75.0)          # a stamp's box, both sides (15-60 mm stamps, turned a little)
STAMP_JOIN_MM = 3.0              # a stamp's strokes and letters lie closer than this to each other
STAMP_FILL = 0.45                # a stamp is strokes: at most this share of its box is coloured (a photo is full)
STAMP_TEXT_INK = 0.02            # black ink under it, as a share of its box: it lies over text
STAMP_LOST_CHARS = 40           # a mark over fewer characters than this loses too few to tell
STAMP_LOST_SHARE = 0.5           # words read under a mark giving less than this share of its letters: lost
STAMP_GREY_INK = 0.99           # ink this close to grey (cosine with it) is not told from black
STAMP_MIN_PIXELS = 150           # fewer coloured pixels (at 100 dpi) than this: no stamp, nothing more looked at
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
    stamps: int = 0            # coloured stamps over the text: read from a copy without their ink
    marks: tuple = ()          # stamp-like marks of any colour: (top, left, bottom, right, characters
                               # promised inside), fractions of the page (``stamp_like``)

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
        if self.stamps:
            found.append("stamp")
        return found

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in ("dpi", "dark_border", "text_ink", "text_height_mm", "expected_chars", "pictures"):
            data[key] = round(data[key], 4 if key in ("dark_border", "text_ink", "pictures") else 1)
        data["marks"] = [[round(v, 4) for v in mark[:4]] + [mark[4]] for mark in self.marks]
        return data


def level(values: np.ndarray, percent: float) -> float:
    """The grey level below which ``percent`` of the values lie (a histogram, not a sort)."""
    counts = np.bincount(np.clip(values, 0, 255).astype(np.uint8).ravel(), minlength=256)
    return float(np.searchsorted(np.cumsum(counts), percent / 100 * values.size))


def small_copies(image: Image.Image, dpi: float) -> tuple[np.ndarray, float, Image.Image | None]:
    """A greyscale copy at about ANALYSIS_DPI (box-averaged), its scale against the original, and
    the small copy in colour for an RGB page (None for any other).

    An RGB page is made small first and turned grey after: the colour is wanted (``stamps``),
    and three channels reduced cost about what the full page turned grey did.
    """
    factor = max(1, round(dpi / ANALYSIS_DPI))
    if image.mode == "RGB":
        colour = image.reduce(factor) if factor > 1 else image
        return np.asarray(colour.convert("L"), dtype=np.uint8), factor, colour
    grey = image.convert("L") if image.mode != "L" else image
    small = grey.reduce(factor) if factor > 1 else grey
    return np.asarray(small, dtype=np.uint8), factor, None


@dataclass(frozen=True)
class Stamp:
    """A coloured stamp over the text: its box on the small copy, and how to see through its ink."""
    box: tuple[int, int, int, int]           # top, left, bottom, right on the small copy
    weights: tuple[float, float, float]      # R, G, B weights (over the paper's colour) that see the
                                             # stamp's ink as paper and keep black and grey as they are


def chroma(colour: Image.Image) -> np.ndarray:
    """How coloured each pixel is: the largest of its R, G, B less the smallest (Pillow's, a
    millisecond on a small copy; numpy's max and min across channels took 25 ms)."""
    red, green, blue = colour.split()
    most = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    least = ImageChops.darker(ImageChops.darker(red, green), blue)
    return np.asarray(ImageChops.subtract(most, least), dtype=np.uint8)


def stamps(colour: Image.Image | None, grey: np.ndarray, dpi: float) -> list[Stamp]:
    """Coloured stamps that lie over text, found on the small copy in colour.

    Coloured ink is where a pixel's channels differ much (black and grey ink do not). Strokes that
    lie within STAMP_JOIN_MM of each other make one mark; a mark is a stamp when its box is of a
    stamp's size both ways (a coloured headline is far lower), it is strokes and letters, not a
    solid patch (a photo), and there is black ink in its box (text lines under it). A few
    milliseconds a page; a page without colour costs a max and a min of its small copy.
    """
    if colour is None or not grey.size:
        return []
    tint = chroma(colour)
    coloured = tint > STAMP_CHROMA
    if int(np.count_nonzero(coloured)) < STAMP_MIN_PIXELS:
        return []
    colour = np.asarray(colour, dtype=np.uint8)
    mm = dpi / 25.4
    joined = ndimage.binary_dilation(coloured, iterations=max(1, round(STAMP_JOIN_MM * mm / 2)))
    labels, count = ndimage.label(joined)
    found = []
    paper = _paper_colour(colour)
    lowest, highest = STAMP_MM[0] * mm, STAMP_MM[1] * mm
    for index, where in enumerate(ndimage.find_objects(labels), start=1):
        mark = coloured[where] & (labels[where] == index)
        rows, cols = np.nonzero(mark)
        if rows.size < STAMP_MIN_PIXELS:
            continue
        top, bottom = where[0].start + rows.min(), where[0].start + rows.max() + 1
        left, right = where[1].start + cols.min(), where[1].start + cols.max() + 1
        height, width = bottom - top, right - left
        if not (lowest <= height <= highest and lowest <= width <= highest):
            continue
        if rows.size > STAMP_FILL * height * width:
            continue
        box = (slice(top, bottom), slice(left, right))
        black = (grey[box] < 128) & (tint[box] <= STAMP_CHROMA // 2)
        if black.mean() < STAMP_TEXT_INK:
            continue
        weights = _see_through(colour[box][coloured[box] & (labels[box] == index)], paper)
        if weights is None:
            continue
        inside = [s for s in found if s.box[0] <= bottom and top <= s.box[2] and s.box[1] <= right and left <= s.box[3]]
        for other in inside:        # a ring and its centre lying apart are one stamp: one box round both
            found.remove(other)
            top, left = min(top, other.box[0]), min(left, other.box[1])
            bottom, right = max(bottom, other.box[2]), max(right, other.box[3])
        found.append(Stamp((int(top), int(left), int(bottom), int(right)), weights))
    return found


def _paper_colour(pixels: np.ndarray) -> np.ndarray:
    """The paper's R, G, B (each channel's 90th percentile, at least 1) of an RGB array."""
    return np.array([max(level(pixels[..., c], 90), 1.0) for c in range(3)], dtype=np.float32)


def _see_through(ink: np.ndarray, paper: np.ndarray) -> tuple[float, float, float] | None:
    """Weights w of R, G, B (each over the paper's) with w·1 = 1 and w·d = 0, d the ink's colour.

    Ink laid over paper and text multiplies each channel: a pixel is paper × text × (1 - a·d), a
    its ink's strength. Weights that sum to one keep the text's grey, and weights across d see the
    ink, however strong, as paper; the least such weights (in the span of 1 and d) add the least
    noise. None when the ink is too close to grey to be told from black.
    """
    absorbed = 1.0 - ink.astype(np.float32) / paper
    strong = absorbed[absorbed.sum(axis=1) >= np.percentile(absorbed.sum(axis=1), 50)]
    direction = np.median(strong / np.maximum(np.linalg.norm(strong, axis=1, keepdims=True), 1e-6), axis=0)
    direction /= max(float(np.linalg.norm(direction)), 1e-6)
    ones = np.ones(3, dtype=np.float64)
    if float(direction @ ones) / np.sqrt(3) > STAMP_GREY_INK:      # black text would go with it
        return None
    system = np.array([[3.0, direction @ ones], [direction @ ones, direction @ direction]])
    alpha, beta = np.linalg.solve(system, [1.0, 0.0])
    weights = alpha * ones + beta * direction
    return tuple(float(w) for w in weights)


def without_stamps(image: Image.Image, found: list[Stamp], factor: float) -> Image.Image:
    """The page in grey (``image``'s size), with each stamp's ink turned to paper inside its box only.

    Outside the boxes the page is what ``convert("L")`` makes of it, so a coloured headline or a
    photo elsewhere is read as before; inside them black and grey text keeps its level.
    """
    grey = image.convert("L")
    if not found or image.mode != "RGB":
        return grey
    out = np.array(grey)
    colour = np.asarray(image)
    margin = int(round(factor * 2))
    for stamp in found:
        top, left, bottom, right = stamp.box
        box = (slice(max(0, int(top * factor) - margin), int(bottom * factor) + margin),
               slice(max(0, int(left * factor) - margin), int(right * factor) + margin))
        part = colour[box].astype(np.float32)
        paper = _paper_colour(part)
        seen = (part / paper) @ np.asarray(stamp.weights, dtype=np.float32)
        paper_grey = float(level(out[box], 90))
        out[box] = np.clip(seen * paper_grey, 0, 255).astype(np.uint8)
    return Image.fromarray(out, "L")


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


def words_lost(marks, words) -> bool:
    """Whether a reading has lost the words under a stamp-like mark: the letters in its box promise
    STAMP_LOST_CHARS or more characters and the words read there give under STAMP_LOST_SHARE of them."""
    for top, left, bottom, right, promised in marks or ():
        if promised < STAMP_LOST_CHARS:
            continue
        read = sum(len(w.text) for w in words
                   if top < (w.y0 + w.y1) / 2 < bottom and left < (w.x0 + w.x1) / 2 < right)
        if read < STAMP_LOST_SHARE * promised:
            return True
    return False


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


def text_ink(flat: np.ndarray, border: np.ndarray, marks_out: list | None = None,
             dpi: float = ANALYSIS_DPI) -> tuple[float, float]:
    """(ink pixels of letter-like marks / their median height², median height in pixels).

    ``marks_out``, when given, gets the boxes of stamp-like marks (``stamp_like``) with the
    characters the letters in each box promise.
    """
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
    if marks_out is not None:
        marks_out += stamp_like(boxes, heights, widths, areas, letters, height, flat.shape, dpi)
    return float(areas[letters].sum()) / (height * height), height


def stamp_like(boxes, heights, widths, areas, letters, height: float, shape, dpi: float) -> list[tuple]:
    """Marks shaped like a stamp with letters inside: (top, left, bottom, right as fractions of the
    page, the characters those letters promise).

    A ring or a frame of a stamp's size both ways (STAMP_MM), thin (at most STAMP_FILL of its box is
    ink), in ink of any colour: a black stamp cannot be dropped out, but a reading with no words
    where it lies over text has lost them (``words_lost``). The ring takes the letters it touches
    into itself, so the letters left in its box promise fewer characters than lie under it.
    """
    mm = dpi / 25.4
    lowest, highest = STAMP_MM[0] * mm, STAMP_MM[1] * mm
    shaped = (heights >= lowest) & (heights <= highest) & (widths >= lowest) & (widths <= highest) \
        & (areas <= STAMP_FILL * heights * widths)
    if not shaped.any():
        return []
    tops = np.array([b[0].start for b in boxes], dtype=np.float32)
    lefts = np.array([b[1].start for b in boxes], dtype=np.float32)
    middle_y, middle_x = tops + heights / 2, lefts + widths / 2
    found = []
    for index in np.nonzero(shaped)[0]:
        top, left = tops[index], lefts[index]
        bottom, right = top + heights[index], left + widths[index]
        inside = letters & (middle_y > top) & (middle_y < bottom) & (middle_x > left) & (middle_x < right)
        promised = float(areas[inside].sum()) / (height * height) * CHARS_PER_INK
        found.append((float(top / shape[0]), float(left / shape[1]), float(bottom / shape[0]),
                      float(right / shape[1]), round(promised, 1)))
    return found


@dataclass
class Cleaning:
    """What ``cleaned`` needs, measured on the small copy."""
    background: np.ndarray
    border: np.ndarray
    ink: float
    small: np.ndarray          # the small copy, cleaned: for layout analysis
    pictures: np.ndarray | None = None   # kept as scanned in the cleaned copy
    negative: bool = False     # the page is turned positive before it is cleaned
    stamps: list[Stamp] = field(default_factory=list)   # coloured stamps over text (``without_stamps``)
    factor: float = 1          # the page's size over the small copy's


def check(image: Image.Image, dpi: float) -> tuple[PageCheck, Cleaning]:
    """The page's checks, and what cleaning it needs."""
    grey, factor, colour = small_copies(image, dpi)
    small_dpi = dpi / factor
    negative = looks_negative(grey, small_dpi)
    over_text = [] if negative else stamps(colour, grey, small_dpi)
    if over_text:       # measured as it is read: without the stamps' ink
        grey = np.asarray(without_stamps(colour, over_text, 1), dtype=np.uint8)
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
    stamp_marks: list = []
    ink_units, height_px = text_ink(flat, border, stamp_marks, small_dpi)
    marks = (flat < 128) & ~border
    paper_pixels = max(1, int((~border).sum()))
    result = PageCheck(
        dpi=dpi, paper=int(round(paper)), contrast=contrast, dark_border=float(border.mean()),
        uneven_light=uneven, text_ink=float(marks.sum()) / paper_pixels,
        text_height_mm=height_px / small_dpi * 25.4, expected_chars=ink_units * CHARS_PER_INK,
        pictures=float(pictures.sum()) / paper_pixels, negative=negative, stamps=len(over_text),
        marks=tuple(stamp_marks),
    )
    return result, Cleaning(bg, border, ink, flat, pictures, negative, over_text, factor)


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
