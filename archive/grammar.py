"""Kazakh grammar that interface texts need around values: the dative case of a word or a number.

Kazakh puts "until", "to" and "up to" after a noun in the dative (қаңтарға дейін, 5-ке дейін),
and the ending follows the word: -ға/-ге after a vowel or a voiced consonant, -қа/-ке after a
voiceless one, back or front by the word's last vowel. A number takes the ending of its last
spoken word, written after a hyphen (5-ке, 10-ға, 2027-ге).
"""
from __future__ import annotations

import re

_BACK, _FRONT = set("аоұыяё"), set("әөүіеэю")
_VOICELESS = set("кқпстфхцчшщ") | set("бвгд")   # б в г д end only loanwords, and sound voiceless there
_ONES = ["", "бір", "екі", "үш", "төрт", "бес", "алты", "жеті", "сегіз", "тоғыз"]
_TENS = ["", "он", "жиырма", "отыз", "қырық", "елу", "алпыс", "жетпіс", "сексен", "тоқсан"]


def _ending(word: str) -> str:
    lower = word.lower()
    front = next((c in _FRONT for c in reversed(lower) if c in _BACK or c in _FRONT), False)
    voiceless = lower[-1] in _VOICELESS
    return ("ке" if front else "қа") if voiceless else ("ге" if front else "ға")


def spoken_last(number: int) -> str:
    """The last word said when reading ``number`` aloud (it decides the number's endings)."""
    if number == 0:
        return "нөл"
    if number % 10:
        return _ONES[number % 10]
    if number % 100:
        return _TENS[number // 10 % 10]
    for size, word in ((1000, "жүз"), (10 ** 6, "мың"), (10 ** 9, "миллион")):
        if number % size:
            return word
    return "миллиард"


def dative(text: str) -> str:
    """``text`` with the dative ending on its last word or number: қаңтар → қаңтарға, 5 → 5-ке."""
    found = re.search(r"(\d+)\W*$|(\w+)\W*$", text)
    if not found:
        return text
    if found.group(1):
        end = found.end(1)
        return text[:end] + "-" + _ending(spoken_last(int(found.group(1)))) + text[end:]
    end = found.end(2)
    return text[:end] + _ending(found.group(2)) + text[end:]


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """An English count for the command line's messages: 1 page, 2 pages, 1 copy, 3 copies."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
