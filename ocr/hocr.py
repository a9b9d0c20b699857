"""Read tesseract's hOCR: words with boxes and confidences, and the page size."""
from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

from ocr.engine import Word

BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_WCONF = re.compile(r"x_wconf (\d+)")
_NS = "{http://www.w3.org/1999/xhtml}"


def read_words(hocr_path: Path) -> list[Word]:
    root = ElementTree.parse(hocr_path).getroot()
    page = next(el for el in root.iter() if el.get("class") == "ocr_page")
    _, _, width, height = map(int, BBOX.search(page.get("title", "")).groups())
    words = []
    for el in page.iter():
        if el.get("class") != "ocrx_word":
            continue
        text = "".join(el.itertext()).strip()
        if not text:
            continue
        title = el.get("title", "")
        x0, y0, x1, y1 = map(int, BBOX.search(title).groups())
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


LINE_CLASSES = ("ocr_line", "ocr_header", "ocr_caption", "ocr_textfloat")
_BASELINE = re.compile(r"baseline (-?[\d.]+) (-?\d+)")
SAME_SIZE = 0.35   # lines within this share of a block's usual text size are set at that size
# A line's top-to-baseline height is about the capital letters' height, some 0.7 of the type's
# size; the text layer is set at the type's size, so that lines 1.1-1.5 sizes apart read as one
# block (pdftotext's default mode measured on 2- and 3-column clippings: 51-65% CER at the
# capitals' height, 0% from 1.2 to 1.5 times it).
EM_PER_CAP = 1.4


def even_line_heights(hocr_path: Path) -> None:
    """Give the lines of each text block one height from top to baseline, the type's size, in place.

    ocrmypdf sets the PDF's invisible text at each line's height from its top to its baseline,
    which varies with the letters a line happens to hold (capitals, Ә, Й) and is smaller than
    the type. Text extractors that find reading order by geometry (pdftotext's default mode,
    viewers' copy and paste) then take every line for a block of its own and read two columns
    across, line by line. Lines set at one size, close enough for their spacing, form blocks,
    and the blocks columns.
    """
    from lxml import etree

    tree = etree.parse(str(hocr_path))
    changed = False
    lone: list[tuple] = []          # the lines that are a block of their own: running heads' parts
    for block in tree.iter("{*}div"):
        if block.get("class") != "ocr_carea":
            continue
        lines = []
        for line in block.iter("{*}span"):
            if line.get("class") not in LINE_CLASSES:
                continue
            title = line.get("title", "")
            box, base = BBOX.search(title), _BASELINE.search(title)
            if not box or not base:
                continue
            x0, y0, x1, y1 = map(int, box.groups())
            baseline_y = y1 + int(base.group(2))
            lines.append((line, title, box, x0, y0, x1, baseline_y, baseline_y - y0))
        if not lines:
            continue
        if len(lines) == 1:
            lone.append(lines[0])
        sizes = sorted(entry[-1] for entry in lines)
        usual = sizes[len(sizes) // 2]
        for line, title, box, x0, y0, x1, baseline_y, size in lines:
            if abs(size - usual) > SAME_SIZE * usual:
                continue
            top = baseline_y - round(usual * EM_PER_CAP)
            line.set("title", title.replace(box.group(0), f"bbox {x0} {top} {x1} {box.group(4)}", 1))
            changed = True
    changed = _share_baselines(lone) or changed
    if changed:
        tree.write(str(hocr_path), encoding="utf-8", xml_declaration=True, doctype=tree.docinfo.doctype)


GUTTER_GAP = 1.5          # a gap inside a line wider than this many line heights may be a gutter
GUTTER_LINES = 3          # lines crossing one gutter before the page's columns are in doubt
# A column's line on either side of the gap: this many words, or this share of the page's width.
# A table's row has gaps as wide between its cells, and reads right across; its cells are a word
# or a number each (on a table of 12 rows every row was taken for columns read across).
COLUMN_WORDS = 3
COLUMN_WIDTH = 0.2


def _share_baselines(lone: list[tuple]) -> bool:
    """Set lone lines that stand side by side (a running head's parts) on one baseline at one size.

    Each part is a block of its own, a little higher or lower than the next, and extractors
    that order blocks by height then read the date before the paper's name.
    """
    changed = False
    lone = sorted(lone, key=lambda entry: entry[6])
    row: list[tuple] = []
    for entry in lone + [None]:
        if entry is not None and row and abs(entry[6] - row[0][6]) <= 0.3 * max(row[0][7], 1):
            row.append(entry)
            continue
        if len(row) > 1:
            baseline = sorted(e[6] for e in row)[len(row) // 2]
            size = round(max(e[7] for e in row) * EM_PER_CAP)
            for line, title, box, x0, y0, x1, _, _ in row:
                bottom = max(int(box.group(4)), baseline)
                title = title.replace(box.group(0), f"bbox {x0} {baseline - size} {x1} {bottom}", 1)
                line.set("title", _BASELINE.sub(f"baseline 0 {baseline - bottom}", title, count=1))
            changed = True
        row = [entry] if entry is not None else []
    return changed


def _column(words: list, page_width: int) -> bool:
    """Whether a run of a line's words (their boxes) is a column's line: COLUMN_WORDS words, or
    COLUMN_WIDTH of the page's width."""
    return len(words) >= COLUMN_WORDS or words[-1][2] - words[0][0] >= COLUMN_WIDTH * page_width


def lines_across_gutter(hocr_path: Path) -> int:
    """How many lines run across one gutter: tesseract took two columns for one, line by line.

    A running head spreads its parts across the line, but it is one line; three or more lines
    with a wide gap at the same place, with a column's line on either side of it, are columns
    read across. A table's rows, short cells apart, are read across as they should be.
    """
    root = ElementTree.parse(hocr_path).getroot()
    page = next((el for el in root.iter() if el.get("class") == "ocr_page"), None)
    if page is None:
        return 0
    width = int(BBOX.search(page.get("title", "")).group(3)) or 1
    centres: list[float] = []
    for line in root.iter():
        if line.get("class") not in LINE_CLASSES:
            continue
        line_box = BBOX.search(line.get("title", ""))
        height = int(line_box.group(4)) - int(line_box.group(2)) if line_box else 0
        boxes = sorted(tuple(map(int, BBOX.search(w.get("title", "")).groups()))
                       for w in line.iter() if w.get("class") == "ocrx_word" and "".join(w.itertext()).strip())
        if not height or not boxes:
            continue
        parts = [[boxes[0]]]                       # the line's runs of words between wide gaps
        for previous, box in zip(boxes, boxes[1:]):
            if box[0] - previous[2] > GUTTER_GAP * height:
                parts.append([])
            parts[-1].append(box)
        for before, after in zip(parts, parts[1:]):
            if _column(before, width) and _column(after, width):
                centres.append((before[-1][2] + after[0][0]) / 2 / width)
    centres.sort()
    most = 0
    for i, centre in enumerate(centres):
        most = max(most, sum(1 for other in centres[i:] if other - centre <= 0.02))
    return most if most >= GUTTER_LINES else 0


def fix_typography(hocr_path: Path, text_path: Path) -> None:
    """Roman numerals and dashes put right (``ocr.typography``) in a reading's hOCR and text, in place."""
    from lxml import etree

    from ocr.typography import fix_text, fix_words

    tree = etree.parse(str(hocr_path))
    changed = False
    for line in tree.iter("{*}span"):
        if line.get("class") not in LINE_CLASSES:
            continue
        words = [w for w in line.iter("{*}span") if w.get("class") == "ocrx_word" and len(w) == 0 and w.text]
        fixed = fix_words([w.text for w in words])
        for word, text in zip(words, fixed):
            if word.text != text:
                word.text = text
                changed = True
    if changed:
        tree.write(str(hocr_path), encoding="utf-8", xml_declaration=True, doctype=tree.docinfo.doctype)
        text_path.write_text(fix_text(text_path.read_text(encoding="utf-8")), encoding="utf-8")
