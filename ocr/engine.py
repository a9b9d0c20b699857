"""The OCR engine interface, and the results every engine returns."""
from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ocr.preprocess import PreparedPage

DEFAULT_LANGUAGES = ("kaz", "rus", "eng")
PageDone = Callable[[int], None]


@dataclass(frozen=True)
class OcrOptions:
    """How to read pages. ``None`` for deskew and clean: as each page's checks decide (the default)."""
    languages: tuple[str, ...] = DEFAULT_LANGUAGES
    deskew: bool | None = None   # straighten skewed pages before OCR
    rotate_pages: bool = True    # turn sideways pages upright
    always_osd: bool = False     # detect every page's orientation before OCR, upside-down too (~0.6 s a page)
    clean: bool | None = None    # read a cleaned copy (light evened, contrast stretched, dark borders removed)
    reread: bool = True          # read a page again another way when its first reading is poor
    jobs: int = 1


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
    verdict: str | None = None          # ok | doubtful | failed (ocr.verdict); None: not judged
    reasons: list[str] = field(default_factory=list)   # reason codes, worst first (ocr.verdict.REASONS)
    steps: dict = field(default_factory=dict)          # checks measured, steps taken, passes read


class OcrEngine(ABC):
    name = "abstract"

    @abstractmethod
    def check(self, options: OcrOptions) -> None:
        """Raise MissingDependency / MissingLanguagePack if this engine cannot run."""

    def prepare_page(self, image: Path, workdir: Path, options: OcrOptions) -> PreparedPage:
        """Check a one-page image and straighten or clean it as it needs, before it goes into the PDF."""
        return PreparedPage(image)

    @abstractmethod
    def ocr_pdf(
        self, input_pdf: Path, output_pdf: Path, options: OcrOptions, page_done: PageDone | None = None,
        pages: list[PreparedPage] | None = None,
    ) -> list[PageResult]:
        """OCR every page of ``input_pdf`` into a PDF/A at ``output_pdf``; return the pages, judged.

        ``pages``, when given, are the prepared images that are the PDF's pages, in order.
        """


def get_engine(name: str | None = None) -> OcrEngine:
    """The engine named, else ``OLKE_OCR_ENGINE``, else tesseract (through ocrmypdf)."""
    name = name or os.environ.get("OLKE_OCR_ENGINE", "tesseract")
    if name == "tesseract":
        from ocr.tesseract import TesseractEngine

        return TesseractEngine()
    if name == "fake":
        from ocr.fake import FakeEngine

        return FakeEngine()
    if name == "crash":
        from ocr.fake import CrashingEngine

        return CrashingEngine()
    from archive.errors import UsageError

    raise UsageError(f"unknown OCR engine '{name}'; use tesseract or fake")
