"""The OCR engine interface; what every engine returns is the archive's page (``archive.pages``)."""
from __future__ import annotations

import importlib
import os
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from archive.pages import PageResult, Word  # noqa: F401  (the engines return the archive's pages)
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
    """The engine named, else ``OLKE_OCR_ENGINE``, else tesseract (through ocrmypdf).

    Another engine is named by its class, ``module:Class``: the tests' fake engine
    (``tests.support.fake_ocr:FakeEngine``) is one, and an engine of another package could be.
    """
    name = name or os.environ.get("OLKE_OCR_ENGINE", "tesseract")
    if name == "tesseract":
        from ocr.tesseract import TesseractEngine

        return TesseractEngine()
    from archive.errors import UsageError

    module, _, attribute = name.partition(":")
    try:
        engine = getattr(importlib.import_module(module), attribute) if attribute else None
    except (ImportError, AttributeError):
        engine = None
    if not (isinstance(engine, type) and issubclass(engine, OcrEngine)):
        raise UsageError(f"unknown OCR engine '{name}'; use tesseract, or name an OCR engine class as module:Class")
    return engine()
