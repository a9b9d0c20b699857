"""A page's words as lines: grouped by their boxes, and new text placed back onto those lines.

Words are stored in reading order (tesseract's, column by column), each as
``[text, x0, y0, x1, y1, confidence]`` with the box in fractions of the page. A line is a run of
words that sit beside each other: each next word overlaps the line's height and does not go back
to the left. A corrector's text is placed back onto the lines it corrects, so the word boxes (the
viewer's highlights, the PDF's text layer) stay where the words are on the image.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from archive.verdict import DOUBTFUL_CONFIDENCE

DOUBTFUL_WORD = DOUBTFUL_CONFIDENCE   # a word read with less confidence than this is marked doubtful
_TOP_MARGIN = 0.06                    # where text with no line to sit on starts, as a share of the page
_FREE_LINE_HEIGHT = 0.025


@dataclass
class Line:
    words: list[list] = field(default_factory=list)   # rows as stored: [text, x0, y0, x1, y1, conf]

    @property
    def text(self) -> str:
        return " ".join(w[0] for w in self.words)

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (min(w[1] for w in self.words), min(w[2] for w in self.words),
                max(w[3] for w in self.words), max(w[4] for w in self.words))

    def marked(self) -> list[tuple[str, float | None, bool]]:
        """(word, confidence, read with low confidence) for each word of the line."""
        return [(w[0], w[5], w[5] is not None and w[5] < DOUBTFUL_WORD) for w in self.words]


def _continues(line: Line, word: list) -> bool:
    last = line.words[-1]
    _, top, _, bottom = line.box
    overlap = min(bottom, word[4]) - max(top, word[2])
    height = min(bottom - top, word[4] - word[2])
    return word[1] >= last[1] and height > 0 and overlap >= 0.5 * height


def group_lines(words: list[list]) -> list[Line]:
    """The page's lines, in the words' reading order."""
    lines: list[Line] = []
    for word in words:
        if not str(word[0]).strip():
            continue
        if lines and _continues(lines[-1], word):
            lines[-1].words.append(list(word))
        else:
            lines.append(Line([list(word)]))
    return lines


def _spread(text: str, box: tuple[float, float, float, float], old: list[list] | None = None) -> list[list]:
    """Words of ``text`` on ``box``: the old boxes when the words are as many, else the box shared
    out by length. A word kept as it was keeps its confidence; a corrected word has none."""
    tokens = text.split()
    if old and len(old) == len(tokens):
        return [[t, *o[1:5], o[5] if t == o[0] else None] for t, o in zip(tokens, old)]
    x0, y0, x1, y1 = box
    total = sum(len(t) + 1 for t in tokens) or 1
    words, left = [], x0
    for token in tokens:
        right = left + (x1 - x0) * (len(token) + 1) / total
        words.append([token, round(left, 4), y0, round(max(left, right - (x1 - x0) / total), 4), y1, None])
        left = right
    return words


def _char_width(lines: list[Line], aspect: float) -> float:
    """A character's width as a share of the page width, from the lines' text, else from the page."""
    chars = sum(len(line.text) for line in lines)
    if chars:
        return sum(line.box[2] - line.box[0] for line in lines) / chars
    return 0.5 * _FREE_LINE_HEIGHT * aspect


def _fitted(text: str, box: tuple, char_width: float) -> list[list]:
    """The words of a line a reading missed, on as much of ``box`` as its characters take."""
    x0, y0, x1, y1 = box
    return _spread(text, (x0, y0, min(x1, x0 + max(len(text), 1) * char_width), y1))


def _boxes_between(count: int, above: tuple | None, below: tuple | None) -> list[tuple]:
    """``count`` line boxes for lines a reading missed, between the lines around them (or below the
    last, or from the top of an empty page)."""
    if above is None and below is None:
        top, height, x0, x1, pitch = _TOP_MARGIN, _FREE_LINE_HEIGHT, 0.08, 0.92, 1.3
    elif below is None:
        height = above[3] - above[1]
        top, x0, x1, pitch = above[3] + 0.3 * height, above[0], above[2], 1.3
    else:
        reference = above or below
        height = reference[3] - reference[1]
        start = above[3] if above else max(0.0, below[1] - count * height * 1.3)
        room = max(below[1] - start, 0.0)
        height = min(height, room / count) if room else height / count
        top, x0, x1, pitch = start, reference[0], reference[2], 1.0
    boxes = []
    for n in range(count):
        y0 = min(top + n * height * pitch, 0.98)
        boxes.append((x0, round(y0, 4), x1, round(min(y0 + height, 1.0), 4)))
    return boxes


def place(texts: list[str], lines: list[Line], aspect: float = 1.414, extra: list[str] = ()) -> list[Line]:
    """Put corrected line texts onto the page's lines: line for line where they correspond (found by
    comparing the texts), shared out where a corrector split or joined lines, and below or between
    where a corrector added lines the reading missed. ``extra`` lines go below the last line.
    Empty lines are dropped. ``aspect`` is the page's height over its width."""
    texts = [t.strip() for t in texts]
    extra = [t.strip() for t in extra if t.strip()]
    char_width = _char_width(lines, aspect)
    if len(texts) == len(lines):
        placed = [Line(_spread(t, line.box, line.words)) for t, line in zip(texts, lines) if t]
    else:
        placed = _aligned(texts, lines, char_width)
    if extra:
        above = placed[-1].box if placed else (lines[-1].box if lines else None)
        placed += [Line(_fitted(t, box, char_width)) for t, box in zip(extra, _boxes_between(len(extra), above, None))]
    return placed


def _aligned(texts: list[str], lines: list[Line], char_width: float) -> list[Line]:
    placed: list[Line] = []
    matcher = difflib.SequenceMatcher(a=[line.text for line in lines], b=texts, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        new = texts[b0:b1]
        if tag == "equal" or (tag == "replace" and a1 - a0 == b1 - b0):
            placed += [Line(_spread(t, line.box, line.words)) for t, line in zip(new, lines[a0:a1]) if t]
        elif tag == "replace":
            x0 = min(line.box[0] for line in lines[a0:a1])
            x1 = max(line.box[2] for line in lines[a0:a1])
            top, bottom = lines[a0].box[1], max(line.box[3] for line in lines[a0:a1])
            step = (bottom - top) / len(new)
            # a line is never taller than the lines it replaces: joined lines share out their band,
            # each at a line's height (a box many lines tall reads as no text at all in the PDF)
            tall = min(step, max(line.box[3] - line.box[1] for line in lines[a0:a1]))
            placed += [Line(_fitted(t, (x0, top + n * step, x1, top + n * step + tall), char_width))
                       for n, t in enumerate(new) if t]
        elif tag == "insert":
            above = placed[-1].box if placed else None
            below = lines[a0].box if a0 < len(lines) else None
            placed += [Line(_fitted(t, box, char_width))
                       for t, box in zip(new, _boxes_between(len(new), above, below)) if t]
    return placed


def words_of(lines: list[Line]) -> list[list]:
    return [w for line in lines for w in line.words]


def text_of(lines: list[Line]) -> str:
    return "\n".join(line.text for line in lines)
