"""A page as the archive keeps it: its text, its words with their boxes, confidence, language and
verdict. OCR engines return pages of this kind; a page read again travels through a form as a dict."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Word:
    text: str
    x0: float  # box as fractions of the page width/height, origin top-left
    y0: float
    x1: float
    y1: float
    confidence: float | None = None

    def as_row(self) -> list:
        conf = None if self.confidence is None else round(self.confidence, 1)
        return [self.text, round(self.x0, 4), round(self.y0, 4), round(self.x1, 4), round(self.y1, 4), conf]


@dataclass
class PageResult:
    number: int
    text: str
    words: list[Word] = field(default_factory=list)
    confidence: float | None = None
    language: str | None = None
    width_pt: float | None = None
    height_pt: float | None = None
    rotated: int = 0   # clockwise degrees the page's view was turned after OCR
    verdict: str | None = None          # ok | doubtful | failed (archive.verdict); None: not judged
    reasons: list[str] = field(default_factory=list)   # reason codes, worst first (archive.verdict.REASONS)
    steps: dict = field(default_factory=dict)          # checks measured, steps taken, passes read


def page_as_dict(page: PageResult) -> dict:
    return {"text": page.text, "words": [w.as_row() for w in page.words], "confidence": page.confidence,
            "language": page.language, "width_pt": page.width_pt, "height_pt": page.height_pt,
            "verdict": page.verdict, "reasons": list(page.reasons), "steps": page.steps,
            "number": page.number}


def page_from_dict(data: dict) -> PageResult:
    words = [Word(str(w[0]), float(w[1]), float(w[2]), float(w[3]), float(w[4]),
                  None if w[5] is None else float(w[5])) for w in data.get("words", [])]
    return PageResult(int(data["number"]), str(data["text"]), words, data.get("confidence"), data.get("language"),
                      data.get("width_pt"), data.get("height_pt"), verdict=data.get("verdict"),
                      reasons=list(data.get("reasons") or []), steps=dict(data.get("steps") or {}))
