"""The Kazakh stemmer against word lists: families that must meet, pairs that must not."""
from __future__ import annotations

from pathlib import Path

import pytest

from archive.search.kazakh import VOWELS, stem

WORDLISTS = Path(__file__).parent / "data" / "wordlists"


def read_lines(name: str) -> list[list[str]]:
    lines = (WORDLISTS / name).read_text(encoding="utf-8").splitlines()
    return [line.split() for line in lines if line.strip() and not line.startswith("#")]


FAMILIES = read_lines("kazakh_families.txt")
DISTINCT = read_lines("kazakh_distinct.txt")


def test_fixtures_are_big_enough():
    assert len(FAMILIES) >= 40
    assert sum(len(family) for family in FAMILIES) >= 250
    assert len(DISTINCT) >= 20 and all(len(pair) == 2 for pair in DISTINCT)


def test_every_family_gets_one_stem():
    split = {family[0]: {form: stem(form) for form in family}
             for family in FAMILIES if len({stem(form) for form in family}) > 1}
    rate = 1 - len(split) / len(FAMILIES)
    print(f"\nKazakh families fully conflated: {len(FAMILIES) - len(split)}/{len(FAMILIES)} "
          f"({rate:.1%}), {sum(map(len, FAMILIES))} forms")
    assert not split, f"families split ({rate:.1%} conflated): {split}"


def test_different_words_keep_different_stems():
    merged = [(a, b, stem(a)) for a, b in DISTINCT if stem(a) == stem(b)]
    print(f"\nKazakh pairs kept apart: {len(DISTINCT) - len(merged)}/{len(DISTINCT)}")
    assert not merged


@pytest.mark.parametrize("forms, expected", [
    ("кітапхана кітапханасы кітапханаларда кітапхананың кітапханасының кітапханаларымыздың",
     "кітапхана"),
    ("қала қаласы қалада қаланың қалалар қалаларында", "қала"),
    ("мектеп мектебі мектептер мектептерде", "мектеп"),  # п→б before a vowel
    ("кітап кітабы кітаптар", "кітап"),
    ("ауыл ауылы ауылдар ауылдарда", "ауыл"),
    ("тарих тарихы тарихын", "тарих"),
    ("халық халқы халқымыздың", "халық"),  # the dropped vowel comes back
])
def test_documented_families(forms, expected):
    assert {stem(form) for form in forms.split()} == {expected}


def test_stems_keep_a_vowel_and_two_letters():
    for family in FAMILIES + DISTINCT:
        for form in family:
            assert len(stem(form)) >= 2 and VOWELS.intersection(stem(form)), form


def test_stemming_a_stem_changes_nothing():
    for family in FAMILIES + DISTINCT:
        for form in family:
            assert stem(stem(form)) == stem(form)


@pytest.mark.parametrize("token", ["1941", "ххі", "kitap", "ел", "ана", "ббс"])
def test_short_foreign_and_vowelless_tokens_pass_unchanged(token):
    assert stem(token) == token


def test_stems_are_cached():
    stem("кітапханаларымыздың")
    assert stem.cache_info().currsize > 0
