"""Read a PDF's existing text layer back: text per page (``pdftotext -raw``) and word boxes."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
from xml.etree import ElementTree

from archive.errors import ScanUnreadable
from ocr.engine import PageResult, Word
from archive import verdict
from archive.language import detect_language
from archive.verdict import judge

_NS = "{http://www.w3.org/1999/xhtml}"


def _pdftotext(args: list[str], pdf: Path) -> str:
    done = subprocess.run(["pdftotext", *args, str(pdf), "-"], capture_output=True)
    if done.returncode != 0:
        raise ScanUnreadable(f"pdftotext cannot read it: {done.stderr.decode(errors='replace').strip()}", pdf)
    return done.stdout.decode("utf-8", errors="replace")


def page_texts(pdf: Path) -> list[str]:
    """Text of each page in content-stream order (``-raw``: columns are not interleaved)."""
    pages = _pdftotext(["-raw", "-enc", "UTF-8"], pdf).split("\f")
    return [p.strip() for p in pages[:-1]] if pages and not pages[-1].strip() else [p.strip() for p in pages]


def read_pages(pdf: Path) -> list[PageResult]:
    """Pages of a PDF that already carries text, with word boxes and no confidence, judged.

    A page of such a PDF that shows a picture but carries no text (a scanned page among born-digital
    ones) is ``failed`` here, its text missing (`pictured_without_text`): ingest reads it by OCR.
    """
    texts = page_texts(pdf)
    with pikepdf.open(pdf) as opened:
        pictured = [bool(page.get_images()) for page in opened.pages]
    root = ElementTree.fromstring(_pdftotext(["-bbox", "-enc", "UTF-8"], pdf))
    results = []
    for number, page in enumerate(root.iter(f"{_NS}page"), start=1):
        width, height = float(page.get("width")), float(page.get("height"))
        words = [
            Word(w.text or "", float(w.get("xMin")) / width, float(w.get("yMin")) / height,
                 float(w.get("xMax")) / width, float(w.get("yMax")) / height)
            for w in page.iter(f"{_NS}word") if (w.text or "").strip()
        ]
        text = texts[number - 1] if number <= len(texts) else ""
        chars = len("".join(text.split()))
        has_picture = number <= len(pictured) and pictured[number - 1]
        judgement = judge(chars, verdict.MIN_TEXT_CHARS * 4 if has_picture and not chars else None, None)
        steps = {"text_layer": True, **({"picture_without_text": True} if has_picture and not chars else {})}
        results.append(PageResult(number, text, words, None, detect_language(text), width, height, 0,
                                  judgement.verdict, list(judgement.reasons), steps))
    return results


def pictured_without_text(pages: list[PageResult]) -> list[int]:
    """The numbers of the pages `read_pages` found showing a picture but carrying no text."""
    return [page.number for page in pages if page.steps.get("picture_without_text")]
