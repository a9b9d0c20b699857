"""Put right what tesseract's Cyrillic models cannot write: Roman numerals and the dash.

The ``kaz`` and ``rus`` models have no Latin letters, so a century in Roman numerals comes out in
Cyrillic look-alikes ("ХУШ веке" for "XVIII веке", "ХІХ ғасыр" for "XIX ғасыр"), and the em dash
comes out as two hyphens. Local-history texts are full of both; search and copy-paste need the
real characters. A token is turned into a numeral only where a century or a numbered part
follows it and it reads as a valid Roman numeral once turned.
"""
from __future__ import annotations

import re

# capitals only: numerals are printed in capitals, and "с", "у", "х" are words of their own
LOOKALIKES = {"Х": "X", "І": "I", "I": "I", "У": "V", "V": "V", "Ш": "III", "П": "II", "X": "X", "L": "L"}
_ROMANISH = "[" + "".join(sorted(set(LOOKALIKES))) + "]"
_VALID = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
# what follows a Roman numeral in these texts: centuries, and the numbered parts of a work
_FOLLOWS = r"(?i:век|ғасыр|ғ\.|в\.|вв\.|тоқсан|квартал|том|бөлім|глав|съезд|пленум|сессия)"
_NUMERAL = re.compile(rf"(?<![\w-])({_ROMANISH}{{1,6}}(?:[-–—]{_ROMANISH}{{1,6}})?)(?=\s+{_FOLLOWS})")
_DOUBLE_HYPHEN = re.compile(r"(?<!\S)--(?!\S)")


def _roman(token: str) -> str | None:
    latin = "".join(LOOKALIKES.get(c, "?") for c in token)
    return latin if latin and _VALID.match(latin) else None


def _numeral(match: re.Match) -> str:
    parts = re.split(r"([-–—])", match.group(1))
    turned = [part if part in "-–—" else _roman(part) for part in parts]
    return match.group(1) if any(t is None for t in turned) else "".join(turned)


def fix_text(text: str) -> str:
    """The text with Roman numerals before a century (or a numbered part) and em dashes put right."""
    return _DOUBLE_HYPHEN.sub("—", _NUMERAL.sub(_numeral, text))


def fix_words(words: list[str]) -> list[str]:
    """The same, word by word, for a line's words as they stand in hOCR."""
    fixed = fix_text(" ".join(words)).split(" ")
    return fixed if len(fixed) == len(words) else words
