"""Tell Kazakh from Russian by the letters only Kazakh uses."""
from __future__ import annotations

KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
MIN_LETTERS = 20
# Kazakh prose has these letters at 10-20% of its Cyrillic letters (11-23% in the sentences of
# tests/test_analysis.py); Russian has none, though OCR noise can put an odd "і" into it.
KAZAKH_SHARE = 0.03


def detect_language(text: str) -> str | None:
    """'kaz', 'rus', or None when there is too little Cyrillic text to tell."""
    cyrillic = [c for c in text if "\u0400" <= c <= "\u04ff"]
    if len(cyrillic) < MIN_LETTERS:
        return None
    kazakh = sum(1 for c in cyrillic if c in KAZAKH_LETTERS)
    return "kaz" if kazakh / len(cyrillic) >= KAZAKH_SHARE else "rus"


def primary_language(pages: list[tuple[str | None, int]]) -> str | None:
    """The language of most text over (language, characters) pairs."""
    weight: dict[str, int] = {}
    for language, size in pages:
        if language:
            weight[language] = weight.get(language, 0) + size
    return max(weight, key=weight.get) if weight else None
