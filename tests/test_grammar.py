"""Kazakh endings on values in interface texts: the dative of words and numbers."""
from __future__ import annotations

import re

import pytest

from archive.grammar import dative, spoken_last


@pytest.mark.parametrize("word, meant", [
    ("қаңтар", "қаңтарға"), ("сәуір", "сәуірге"), ("қыркүйек", "қыркүйекке"), ("шілде", "шілдеге"),
    ("мектеп", "мектепке"), ("ауылдық", "ауылдыққа"), ("клуб", "клубқа"), ("Алматы", "Алматыға"),
    ("2027 ж. 2 қаңтар", "2027 ж. 2 қаңтарға"),
])
def test_words_take_the_ending_of_their_last_sound_and_vowel(word, meant):
    assert dative(word) == meant


@pytest.mark.parametrize("number, meant", [
    (1, "1-ге"), (3, "3-ке"), (4, "4-ке"), (6, "6-ға"), (9, "9-ға"), (10, "10-ға"), (20, "20-ға"),
    (40, "40-қа"), (50, "50-ге"), (70, "70-ке"), (100, "100-ге"), (1000, "1000-ға"), (2027, "2027-ге"),
    (2030, "2030-ға"), (2000000, "2000000-ға"), (0, "0-ге"),
])
def test_numbers_take_the_ending_of_their_last_spoken_word(number, meant):
    assert dative(str(number)) == meant


def test_the_last_spoken_word_of_a_number():
    assert [spoken_last(n) for n in (15, 40, 300, 5000, 12_000_000)] == ["бес", "қырық", "жүз", "мың", "миллион"]


def test_the_delivery_letter_writes_its_last_day_in_the_readers_language():
    from archive.delivery.letters import compose

    values = dict(name="Оқырман", code="26-AAAA-BBBB", title="Кітапхана тарихы", pages=2,
                  download_url="https://olke.example.kz/d/x", expires="2027-01-02", downloads=5, terms="")
    _, kazakh = compose("delivered", "kk", "Кітапхана", **values)
    assert "Сілтеме 2027 ж. 2 қаңтарға дейін жұмыс істейді" in re.sub(r"\s", " ", kazakh)
    _, russian = compose("delivered", "ru", "Библиотека", **values)
    assert "Ссылка действует до 2 января 2027 г." in re.sub(r"\s", " ", russian)


def test_the_library_layer_translates_one_way_and_completely():
    """Letters, copies' stamps and plan reports are translated through gettext catalogs, like the
    apps: every message in Kazakh and Russian, placeholders kept, the compiled catalogs current."""
    from pathlib import Path

    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    from archive import i18n
    from archive.delivery import consent, letters
    from archive.plans import report

    messages = letters.messages() + consent.messages() + report.messages() + [
        ("stamp.request", "Request"), ("stamp.for", "for")]
    assert len(messages) > 80
    for language in ("kk", "ru"):
        assert i18n.missing(language, messages) == [], language
        for context, message in messages:
            translated = i18n.text(language, context, message)
            assert set(re.findall(r"\{\w+\}", translated)) == set(re.findall(r"\{\w+\}", message)), (context, language)
        folder = Path(i18n.DIRECTORY) / language / "LC_MESSAGES"
        with open(folder / "archive.po", "rb") as po, open(folder / "archive.mo", "rb") as mo:
            def entries(catalog):
                return {(m.context.decode() if isinstance(m.context, bytes) else m.context, m.id): m.string
                        for m in catalog if m.id}
            assert entries(read_po(po)) == entries(read_mo(mo)), "run: pybabel compile -D archive -d archive/translations"
    assert i18n.text("en", "letter.signature", letters.SIGNATURE) == letters.SIGNATURE
