"""Turn sideways pages upright after OCR, from the word boxes alone.

Tesseract reads a page scanned sideways almost as well as an upright one, but the page would be
shown sideways. Its words then stand tall and follow each other down (or up) the page; that
tells which way to turn the page's view (PDF /Rotate, lossless) and its word boxes, at no cost,
so no page pays for orientation detection before OCR.
"""
from __future__ import annotations

from ocr.engine import Word

MIN_WORDS = 8
TALL_SHARE = 0.6


def sideways_rotation(words: list[Word], aspect: float) -> int:
    """Clockwise degrees (0, 90 or 270) to turn the page's view so its text reads upright.

    ``aspect`` is the page's width / height, as the boxes are fractions of each.
    """
    long_words = [w for w in words if len(w.text) >= 3]
    if len(long_words) < MIN_WORDS:
        return 0
    tall = [w for w in long_words if (w.y1 - w.y0) > 1.5 * (w.x1 - w.x0) * aspect]
    if len(tall) < TALL_SHARE * len(long_words):
        return 0
    down = sum(1 for a, b in zip(tall, tall[1:]) if b.y0 > a.y0)
    return 270 if down >= len(tall) / 2 else 90


def turn_words(words: list[Word], rotation: int) -> list[Word]:
    """The word boxes as seen on the page turned ``rotation`` degrees clockwise."""
    def point(x: float, y: float) -> tuple[float, float]:
        return (1 - y, x) if rotation == 90 else (y, 1 - x)

    turned = []
    for w in words:
        (ax, ay), (bx, by) = point(w.x0, w.y0), point(w.x1, w.y1)
        turned.append(Word(w.text, min(ax, bx), min(ay, by), max(ax, bx), max(ay, by), w.confidence))
    return turned
