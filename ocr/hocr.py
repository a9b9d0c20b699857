"""Read tesseract's hOCR: words with boxes and confidences, and the page size."""
from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

from ocr.engine import Word

_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_WCONF = re.compile(r"x_wconf (\d+)")
_NS = "{http://www.w3.org/1999/xhtml}"


def read_words(hocr_path: Path) -> list[Word]:
    root = ElementTree.parse(hocr_path).getroot()
    page = next(el for el in root.iter() if el.get("class") == "ocr_page")
    _, _, width, height = map(int, _BBOX.search(page.get("title", "")).groups())
    words = []
    for el in page.iter():
        if el.get("class") != "ocrx_word":
            continue
        text = "".join(el.itertext()).strip()
        if not text:
            continue
        title = el.get("title", "")
        x0, y0, x1, y1 = map(int, _BBOX.search(title).groups())
        conf = _WCONF.search(title)
        words.append(
            Word(text, x0 / width, y0 / height, x1 / width, y1 / height, float(conf.group(1)) if conf else None)
        )
    return words


def mean_confidence(words: list[Word]) -> float | None:
    """Mean word confidence weighted by word length, so stray one-letter noise counts less."""
    scored = [(w.confidence, len(w.text)) for w in words if w.confidence is not None]
    total = sum(n for _, n in scored)
    return round(sum(c * n for c, n in scored) / total, 1) if total else None
