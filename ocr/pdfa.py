"""PDF/A-2b for PDFs that keep their own text layer, with that text unchanged.

ocrmypdf 17 refuses to run on PDFs with text under Ghostscript 10.0.0 to 10.02.0, which can damage
their text. So: first pikepdf's PDF/A writer, which changes only metadata and structure and
validates what it wrote; if that fails (a font not embedded, say), Ghostscript's PDF/A conversion
through ocrmypdf's helper, checked by the same validator. Either way ``pdftotext`` must read the
same text before and after, or the result is not used. A PDF neither can convert is kept as it
came (sanitised), and the caller is told why.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

import pikepdf
import pikepdf.pdfa

from ocr.textlayer import page_texts

FLAVOUR = "2b"


def convert(source: Path, output: Path) -> list[str]:
    """Write ``source`` as PDF/A-2b to ``output``; a line for the bibliographer if it could not be."""
    before = _words(source)
    problems = []
    for name, attempt in (("pikepdf", _with_pikepdf), ("Ghostscript", _with_ghostscript)):
        try:
            attempt(source, output)
        except Exception as error:   # each way fails in its own words; all of them are reported
            problems.append(f"{name}: {_first_line(error)}")
            continue
        if _words(output) == before:
            return []
        problems.append(f"{name}: its text read back differently")
    shutil.copyfile(source, output)
    return [f"not made PDF/A ({'; '.join(problems)}); archived as it came, its text unchanged"]


def _with_pikepdf(source: Path, output: Path) -> None:
    with pikepdf.open(source) as pdf:
        if "/OpenAction" in pdf.Root:   # a page to open at; PDF/A validators cannot check it
            del pdf.Root["/OpenAction"]
        pikepdf.pdfa.save(pdf, output, FLAVOUR)


def _with_ghostscript(source: Path, output: Path) -> None:
    from ocrmypdf._exec import ghostscript
    from ocrmypdf.pdfa import generate_pdfa_ps

    logging.getLogger("ocrmypdf").setLevel(logging.CRITICAL)
    with tempfile.TemporaryDirectory(prefix="olke-pdfa-", dir=output.parent) as work:
        definitions = generate_pdfa_ps(Path(work) / "pdfa.ps")
        converted = Path(work) / "converted.pdf"
        ghostscript.generate_pdfa([definitions, source], converted, compression="lossless",
                                  color_conversion_strategy="RGB", pdf_version="1.7", pdfa_part="2")
        with pikepdf.open(converted) as pdf:
            report = pikepdf.pdfa.check(pdf, FLAVOUR)
            if not report.passed:
                raise ValueError(report.summary(limit=1).splitlines()[-1].strip())
        shutil.move(converted, output)


def _words(pdf: Path) -> list[list[str]]:
    return [text.split() for text in page_texts(pdf)]


def _first_line(error: Exception) -> str:
    """The first reason: a validator's report starts with a summary line, then one line per finding."""
    lines = [line.strip() for line in str(error).strip().splitlines()] or [type(error).__name__]
    return lines[1] if lines[0].startswith("PDF/A") and len(lines) > 1 else lines[0]
