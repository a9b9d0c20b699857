"""Read one page well: the first reading is judged against the page's checks; a poor one is read again.

A reading is poor when it gave no text, or much less text than the page's ink promises, or its
words' confidence is low. Such a page is read again other ways, cheapest first, until a reading is
good; the reading with the most confidently read text is kept. Good pages (nearly all) are read
once, so the cost of rereading falls only on the pages that need it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from archive.errors import OcrFailed
from archive import verdict
from ocr import checks
from ocr.engine import Word
from ocr.hocr import lines_across_gutter, mean_confidence, read_words

REREAD_SHARE = 0.75          # reread a page that gave less than this share of its ink's characters
REREAD_CONFIDENCE = 75
TESSERACT_TIMEOUT = 600      # seconds; a page is never skipped silently for being slow


@dataclass
class Reading:
    how: str
    hocr: Path
    text: Path
    words: list[Word] = field(default_factory=list)

    @property
    def chars(self) -> int:
        return sum(len(w.text) for w in self.words)

    @property
    def confidence(self) -> float | None:
        return mean_confidence(self.words)

    @property
    def score(self) -> float:
        """Characters read, each weighted by its word's confidence: more text read surely wins."""
        return sum(len(w.text) * (w.confidence or 0) / 100 for w in self.words)

    def summary(self) -> dict:
        return {"how": self.how, "chars": self.chars, "confidence": self.confidence}


def load(how: str, hocr: Path, text: Path) -> Reading:
    return Reading(how, hocr, text, read_words(hocr) if hocr.exists() else [])


def is_poor(reading: Reading, check: checks.PageCheck | None) -> bool:
    expected = check.expected_chars if check is not None else None
    if expected is not None and expected >= verdict.MIN_TEXT_CHARS and reading.chars < REREAD_SHARE * expected:
        return True
    confidence = reading.confidence
    return confidence is not None and reading.chars >= verdict.MIN_TEXT_CHARS and confidence < REREAD_CONFIDENCE


def tesseract(image: Path, prefix: Path, languages: list[str], extra: list[str] = ()) -> None:
    """tesseract IMAGE PREFIX hocr txt, as ocrmypdf calls it."""
    args = ["tesseract", "-l", "+".join(languages), *extra, str(image), str(prefix), "hocr", "txt"]
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        subprocess.run(args, capture_output=True, check=True, timeout=TESSERACT_TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        raise OcrFailed(f"tesseract took over {TESSERACT_TIMEOUT} s on one page; the page is damaged or huge")
    except subprocess.CalledProcessError as error:
        raise OcrFailed(f"tesseract failed: {error.stderr.decode(errors='replace').strip()[:300]}")


def alternatives(image: Path, cleaned_already: bool, workdir: Path) -> list[tuple[str, Path, list[str]]]:
    """Other ways to read a page, cheapest and likeliest first: (name, image, tesseract options)."""
    ways = []
    if not cleaned_already:
        with Image.open(image) as page:
            dpi = float((page.info.get("dpi") or (300, 300))[0] or 300)
            _, cleaning = checks.check(page, dpi)
            clean_path = workdir / f"{image.stem}-reread-clean.tif"
            seen = checks.without_stamps(page, cleaning.stamps, cleaning.factor) if cleaning.stamps else page
            checks.cleaned(seen, cleaning).save(clean_path, "TIFF", dpi=(dpi, dpi))
        ways.append(("cleaned", clean_path, []))
        image = clean_path
    ways.append(("local_threshold", image, ["-c", "thresholding_method=2"]))   # Sauvola
    ways.append(("single_block", image, ["--psm", "6"]))
    return ways


def reread(first: Reading, image: Path, check: checks.PageCheck | None, cleaned_already: bool,
           languages: list[str], workdir: Path) -> tuple[Reading, list[Reading]]:
    """Read a poor page again other ways; (the best reading, every reading made)."""
    best, made = first, [first]
    for how, path, extra in alternatives(image, cleaned_already, workdir):
        prefix = workdir / f"{image.stem}-{how}"
        tesseract(path, prefix, languages, extra)
        attempt = load(how, prefix.with_suffix(".hocr"), prefix.with_suffix(".txt"))
        made.append(attempt)
        if attempt.score > best.score:
            best = attempt
        if not is_poor(best, check):
            break
    return best, made


def keep(best: Reading, hocr: Path, text: Path) -> None:
    if best.hocr != hocr:
        shutil.copyfile(best.hocr, hocr)
        shutil.copyfile(best.text, text)


def judge(best: Reading, check: checks.PageCheck | None) -> verdict.Judgement:
    expected = check.expected_chars if check is not None else None
    across = lines_across_gutter(best.hocr) if best.hocr.exists() else 0
    lost = check is not None and checks.words_lost(check.marks, best.words)
    return verdict.judge(best.chars, expected, best.confidence, columns_uncertain=across > 0, words_lost=lost)
