"""A verdict on every page: ``ok``, ``doubtful`` or ``failed``, with the reasons.

A page is judged by what its reading gave against what the page shows: characters of text against
the ink on the page (measured before OCR, see ``ocr.checks``), the words' confidence, whether its
columns could be told apart, and whether its language is the document's. A page with ink and no
text is never ``ok``.
"""
from __future__ import annotations

from dataclasses import dataclass

from archive.vocabulary import DOUBTFUL, FAILED, LANGUAGES, OK

# Reason codes, the worst first; the catalog stores the codes, the interfaces their wording.
REASONS = {
    "no_text": "no text where there is ink",
    "sparse_text": "little text for the ink on the page",
    "low_confidence": "low confidence",
    "columns_uncertain": "columns uncertain",
    "language_mismatch": "language not the document's",
}
REASON_ORDER = tuple(REASONS)

# Thresholds, measured on the samples and the hard kinds (bench/run.py reports them per kind).
MIN_TEXT_CHARS = 25          # fewer characters than this on a page with ink: no text
SPARSE_SHARE = 0.6           # characters read below this share of what the ink promises: sparse
DOUBTFUL_CONFIDENCE = 70     # mean word confidence (length-weighted) below this: low
FAILED_CONFIDENCE = 40


@dataclass(frozen=True)
class Judgement:
    verdict: str
    reasons: tuple[str, ...] = ()


def judge(chars: int, expected_chars: float | None, confidence: float | None,
          columns_uncertain: bool = False, language: str | None = None,
          document_language: str | None = None, words_lost: bool = False) -> Judgement:
    """The verdict for a page that gave ``chars`` characters where its ink promises ``expected_chars``.

    ``expected_chars`` is None when the page's ink was not measured (a born-digital text layer);
    0 when the page is blank, which is ``ok`` with no text. ``words_lost``: the reading has no words
    where a stamp lies over text (``ocr.checks.words_lost``); its text is sparse there.
    """
    reasons: list[str] = []
    failed = False
    if expected_chars is not None and expected_chars >= MIN_TEXT_CHARS:
        if chars < MIN_TEXT_CHARS:
            reasons.append("no_text")
            failed = True
        elif chars < SPARSE_SHARE * expected_chars or words_lost:
            reasons.append("sparse_text")
    if confidence is not None and chars >= MIN_TEXT_CHARS and confidence < DOUBTFUL_CONFIDENCE:
        reasons.append("low_confidence")
        failed = failed or confidence < FAILED_CONFIDENCE
    if columns_uncertain:
        reasons.append("columns_uncertain")
    if language and document_language and document_language in LANGUAGES and language != document_language:
        reasons.append("language_mismatch")
    if failed:
        return Judgement(FAILED, tuple(reasons))
    return Judgement(DOUBTFUL if reasons else OK, tuple(reasons))


def needs_look(verdict: str | None) -> bool:
    return verdict in (DOUBTFUL, FAILED)


def mark_language(pages, document_language: str) -> None:
    """Add 'language_mismatch' to the pages whose detected language is not the document's."""
    for page in pages:
        if page.verdict is None or not page.language or page.language == document_language:
            continue
        if "language_mismatch" not in page.reasons:
            page.reasons = [*page.reasons, "language_mismatch"]
        if page.verdict == OK:
            page.verdict = DOUBTFUL
