"""A page's numbers read again by the Latin model.

Debian's Kazakh and Russian models read the flat-topped 3 of common typefaces as 5 (PT Sans and PT
Serif: 1933 read as 1955, № 33 as № 55), and ocrmypdf's kaz+rus+eng reading keeps their choice;
the English model reads the same digits right. So every word of a reading with a 5 in it (what a
misread 3 became; a page without one costs nothing) is cut out of the page, all of a page's into
one strip, and read once more with ``eng`` (once three pages of a document have been read so
with no digit changed, its typeface reads right and the rest are not); where that
reading has as many runs of digits, each as long, its digits replace the first reading's (the
word's letters, a Kazakh ending or a №, stay as they were read). A word whose second reading has
another shape is left alone: this step changes digits only, never drops or adds one.
"""
from __future__ import annotations

import logging
import os
import re
import subprocess
from pathlib import Path

from PIL import Image

from ocr.hocr import BBOX

DIGITS = re.compile(r"\d+")
_NUMERO = re.compile(r"^(?:№|N[o°º2])\s*")    # how the Latin model reads № (N2, N°, No)
_LEADING = re.compile(r"^\D+")
_PAD = 6                                       # pixels of paper around each word cut out
_TIMEOUT = 60

log = logging.getLogger(__name__)


def reread_numbers(image: Path, hocr_path: Path, text_path: Path, workdir: Path) -> int | None:
    """Put right, in a reading's hOCR and text, the digits the Latin model reads otherwise; how
    many words changed (0 when the Latin model is not installed or its reading cannot be matched
    word for word), None when the page has no word to read again."""
    from lxml import etree

    text = text_path.read_text(encoding="utf-8")
    if "5" not in text:
        return None
    tree = etree.parse(str(hocr_path))
    words = [w for w in tree.iter("{*}span") if w.get("class") == "ocrx_word" and len(w) == 0 and w.text]
    wanted = [w for w in words if "5" in w.text]          # what a misread 3 became; other digits stand
    if not wanted:
        return None
    tokens = list(re.finditer(r"\S+", text))
    if [t.group() for t in tokens] != [w.text for w in words]:
        return 0                                  # the text and the hOCR are not word for word alike
    lines = _read_strip(image, [_box(w) for w in wanted], workdir / f"{image.stem}-numbers.png")
    if len(lines) != len(wanted):
        return 0
    changed = {}
    for word, line in zip(wanted, lines):
        better = with_digits_of(word.text, line)
        if better != word.text:
            changed[id(word)] = better
    if not changed:
        return 0
    position = {id(w): i for i, w in enumerate(words)}
    replaced = {position[key]: value for key, value in changed.items()}
    for word in wanted:
        if id(word) in changed:
            word.text = changed[id(word)]
    pieces, last = [], 0
    for i, token in enumerate(tokens):
        if i in replaced:
            pieces += [text[last:token.start()], replaced[i]]
            last = token.end()
    text_path.write_text("".join(pieces) + text[last:], encoding="utf-8")
    tree.write(str(hocr_path), encoding="utf-8", xml_declaration=True, doctype=tree.docinfo.doctype)
    return len(changed)


def with_digits_of(first: str, second: str) -> str:
    """`first` with its runs of digits taken from `second` where `second` has a run of the same
    length at the same place (counted from the word's start, a № read as N2 set aside); else `first`
    as it is. Digits `second` reads where `first` has letters (6 for б) do not count."""
    if first.startswith("№"):                 # the digits after it, aligned from the first of them
        first_at = len(first) - len(first[1:].lstrip())
        second = second.strip()
        read = _NUMERO.match(second)
        rest = second[read.end():] if read else _LEADING.sub("", second)
        return first[:first_at] + with_digits_of(first[first_at:], rest)
    theirs = {m.start(): m.group() for m in DIGITS.finditer(second)}
    mine = list(DIGITS.finditer(first))
    if not mine or any(len(theirs.get(m.start(), "")) != len(m.group()) for m in mine):
        return first
    return DIGITS.sub(lambda m: theirs[m.start()], first)


def _box(word) -> tuple[int, int, int, int]:
    found = BBOX.search(word.get("title", ""))
    return tuple(int(v) for v in found.groups()) if found else (0, 0, 0, 0)


def _read_strip(image: Path, boxes: list[tuple[int, int, int, int]], strip_path: Path) -> list[str]:
    """The words cut out of the page, one under another on white paper, read by ``eng`` as one
    block: a line of text for each word, or [] when that cannot be had."""
    with Image.open(image) as page:
        dpi = page.info.get("dpi") or (300, 300)
        grey = page.convert("L")
        crops = [grey.crop((max(x0 - _PAD, 0), max(y0 - _PAD, 0), min(x1 + _PAD, grey.width),
                            min(y1 + _PAD, grey.height))) for x0, y0, x1, y1 in boxes]
    crops = [c for c in crops if c.width > 2 * _PAD and c.height > 2 * _PAD]
    if len(crops) != len(boxes):
        return []
    gap = max(c.height for c in crops) // 2 + _PAD
    strip = Image.new("L", (max(c.width for c in crops) + 4 * _PAD, sum(c.height + gap for c in crops) + gap), 255)
    top = gap
    for crop in crops:
        strip.paste(crop, (2 * _PAD, top))
        top += crop.height + gap
    strip.save(strip_path, dpi=(float(dpi[0]), float(dpi[1])))
    try:
        done = subprocess.run(["tesseract", str(strip_path), "-", "-l", "eng", "--psm", "6"], capture_output=True,
                              timeout=_TIMEOUT, env=dict(os.environ, OMP_THREAD_LIMIT="1"))
    except (OSError, subprocess.TimeoutExpired) as error:
        log.warning("numbers not read again: %s", error)
        return []
    finally:
        strip_path.unlink(missing_ok=True)
    if done.returncode != 0:
        log.warning("numbers not read again: %s", done.stderr.decode(errors="replace").strip()[:200])
        return []
    return [line.strip() for line in done.stdout.decode("utf-8", errors="replace").splitlines() if line.strip()]
