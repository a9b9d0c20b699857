"""OCR engines for tests: a fast fake that "recognises" known text, and one that crashes.

The fake copies the input PDF as the output and gives each page the text from
``OLKE_FAKE_OCR_TEXT`` (``{n}`` becomes the page number; pages separated by ``\\f``), so tests
need no tesseract. Commands run by the tests choose it with ``OLKE_OCR_ENGINE=FAKE_ENGINE``
(or ``CRASHING_ENGINE``), the engine named by its class.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pikepdf

from archive.errors import OcrFailed
from archive.language import detect_language
from archive.pages import PageResult, Word
from archive.verdict import judge
from ocr.engine import OcrEngine, OcrOptions, PageDone

FAKE_ENGINE = "tests.support.fake_ocr:FakeEngine"
CRASHING_ENGINE = "tests.support.fake_ocr:CrashingEngine"
FAKE_INK_CHARS = 500

DEFAULT_TEXT = "Өлке тарихы, {n}-бет. Кітапхана қорындағы құжаттар мен газет мақалалары цифрланды."


def _fake_words(text: str) -> list[Word]:
    words, per_line = text.split(), 8
    return [
        Word(w, 0.1 + (i % per_line) * 0.1, 0.1 + (i // per_line) * 0.04,
             0.18 + (i % per_line) * 0.1, 0.13 + (i // per_line) * 0.04, 90.0)
        for i, w in enumerate(words)
    ]


class FakeEngine(OcrEngine):
    name = "fake"

    def __init__(self, texts: list[str] | None = None):
        if texts is None:
            texts = os.environ.get("OLKE_FAKE_OCR_TEXT", DEFAULT_TEXT).split("\f")
        self.texts = texts

    def check(self, options: OcrOptions) -> None:
        return None

    def text_for(self, number: int) -> str:
        template = self.texts[(number - 1) % len(self.texts)]
        return template.replace("{n}", str(number))

    def ocr_pdf(self, input_pdf: Path, output_pdf: Path, options: OcrOptions,
                page_done: PageDone | None = None, pages: list | None = None) -> list[PageResult]:
        shutil.copyfile(input_pdf, output_pdf)
        delay = float(os.environ.get("OLKE_FAKE_OCR_DELAY", "0"))  # seconds a page, to test Ctrl-C
        results = []
        with pikepdf.open(output_pdf) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                time.sleep(delay)
                text = self.text_for(number)
                box = page.mediabox
                # every fake page has ink: a page the fake "reads" as empty is judged as OCR would judge it
                judgement = judge(len(text.replace(" ", "")), len(text.replace(" ", "")) or FAKE_INK_CHARS, 90.0)
                results.append(PageResult(number, text, _fake_words(text), 90.0, detect_language(text),
                                          float(box[2] - box[0]), float(box[3] - box[1]), 0,
                                          judgement.verdict, list(judgement.reasons), {"engine": "fake"}))
                if page_done:
                    page_done(number)
        return results


class CrashingEngine(FakeEngine):
    name = "crash"

    def ocr_pdf(self, input_pdf, output_pdf, options, page_done=None, pages=None):
        raise OcrFailed("the OCR engine crashed; try again with --verbose", input_pdf)
