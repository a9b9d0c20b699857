""""Did you mean": corrections from clean dictionaries (hunspell-kk, hunspell-ru), never from OCR noise.

A query word whose stem is not in the index is compared with the index's stems within two
edits; only stems that a dictionary word also has are offered, most frequent first, and the
suggestion keeps the word's own ending where the stem is how its words begin (кітапхаиасы →
кітапханасы), else it is the dictionary's shortest word of that stem (a stem is not always a
word: мұражай's is мұражау). The candidates are the dictionary's stems near the word that the
index has (the same as the index's words near it that the dictionary has, but found among tens of
thousands of clean stems, not the hundreds of thousands of words OCR leaves in a large index).
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from archive.search import kazakh
from archive.search.analysis import fold, russian_stem
from archive.search.query import EDGE_PUNCTUATION, is_stop_word
from archive.search.schema import STEMMED_FIELDS
from archive.search.translit import latin_to_cyrillic_variants, looks_latin_kazakh

DICTIONARIES = {"kaz": Path("/usr/share/hunspell/kk_KZ.dic"), "rus": Path("/usr/share/hunspell/ru_RU.dic")}
STEMMERS = {"kaz": kazakh.stem, "rus": russian_stem}
CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "olke"
_WORD = re.compile(r"[а-яёәғқңөұүһі]+", re.IGNORECASE)


@lru_cache(maxsize=2)
def clean_words(language: str) -> dict[str, str]:
    """The stems of every word of the language's hunspell dictionary, each with the shortest word
    that has it (empty if the dictionary is not installed).

    Stemming a dictionary takes seconds, so this is cached in the user's cache, by the dictionary's
    date and the stemmer's version.
    """
    path = DICTIONARIES[language]
    if not path.exists():
        return {}
    version = kazakh.VERSION if language == "kaz" else 1
    cache = CACHE_DIR / f"words-{language}-{int(path.stat().st_mtime)}-{version}.tsv"
    if cache.exists():
        return dict(line.split("\t") for line in cache.read_text(encoding="utf-8").splitlines() if "\t" in line)
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    words = (fold(line.split("/", 1)[0].strip().lstrip("\ufeff").lower()) for line in lines)
    stem = STEMMERS[language]
    found: dict[str, str] = {}
    for word in sorted({w for w in words if w and _WORD.fullmatch(w)}, key=lambda w: (len(w), w)):
        found.setdefault(stem(word), word)
    try:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        cache.write_text("\n".join(f"{k}\t{v}" for k, v in sorted(found.items())), encoding="utf-8")
    except OSError:
        pass  # a read-only home only costs time
    return found


@lru_cache(maxsize=2)
def clean_stems(language: str) -> frozenset[str]:
    """Stems of every word of the language's hunspell dictionary (empty if it is not installed)."""
    return frozenset(clean_words(language))


@lru_cache(maxsize=2)
def _stems_by_letter(language: str) -> dict[str, list[str]]:
    by_letter: dict[str, list[str]] = {}
    for stem in sorted(clean_stems(language)):
        by_letter.setdefault(stem[0], []).append(stem)
    return by_letter


def warm_up() -> None:
    """Read the dictionaries' stems now (some 0.1 s a language, once a process), not in the first
    search that asks for a suggestion; a server calls it on a thread as it starts."""
    for language in DICTIONARIES:
        _stems_by_letter(language)


def near_stems(language: str, stem: str, maxdist: int = 2) -> list[str]:
    """The dictionary's stems that begin with the stem's letter and are within `maxdist` edits of it
    (optimal string alignment, as Whoosh's ``terms_within``), in alphabetical order."""
    stems = _stems_by_letter(language).get(stem[:1], [])
    found = process.extract(stem, stems, scorer=OSA.distance, score_cutoff=maxdist, limit=None)
    return [word for word, _, _ in sorted(found, key=lambda item: item[2])]


def suggest(searcher, text: str) -> str | None:
    """The query with misspelt words corrected, or None when every word is known (a Whoosh searcher)."""
    return suggest_with(_WhooshLexicon(searcher), text)


class _WhooshLexicon:
    """What a suggestion reads of an index, from a Whoosh searcher."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.reader = searcher.reader()

    def has(self, fieldname: str, word: str) -> bool:
        return (fieldname, word) in self.reader

    def doc_frequency(self, fieldname: str, word: str) -> int:
        return self.reader.doc_frequency(fieldname, word)

    def has_prefix(self, fieldname: str, prefix: str) -> bool:
        return next(iter(self.reader.expand_prefix(fieldname, prefix)), None) is not None


def suggest_with(lexicon, text: str) -> str | None:
    """The query with misspelt words corrected, or None when every word is known. `lexicon` is the
    index's words: has(field, word), doc_frequency(field, word), has_prefix(field, beginning). Stop
    words are left as typed: they decide no match, and a small archive may lack them (қашан is no
    misspelt қалан)."""
    changed = False
    words = []
    for word in text.split():
        bare = word.strip(EDGE_PUNCTUATION)                  # a question's мұражаймен? is corrected too
        corrected = word if is_stop_word(word) or not bare else word.replace(bare, _correct(lexicon, bare), 1)
        changed |= corrected != word
        words.append(corrected)
    return " ".join(words) if changed else None


def _correct(lexicon, word: str) -> str:
    folded = fold(word.lower())
    if not _WORD.fullmatch(folded):
        return _latin_with_marks(lexicon, word) or word
    stems = _stems(folded)
    if _known(lexicon, stems):
        return word           # known in either language: nothing to look for near it
    marked = with_marks(lexicon, folded)
    if marked:
        return _as_typed(marked, word)
    best: tuple[int, str] | None = None
    for language, fieldname in STEMMED_FIELDS.items():
        stem = stems[language]
        if len(stem) < 4:
            continue
        ending = folded[len(stem):] if folded.startswith(stem) else None
        for candidate in near_stems(language, stem):
            if candidate != stem and lexicon.has(fieldname, candidate):
                frequency = lexicon.doc_frequency(fieldname, candidate)
                word_of = clean_words(language).get(candidate, candidate)
                corrected = word_of
                # the typed ending goes after a stem as long (a letter mistyped), not after a shorter
                # one (прием → при: при+а is no word) unless the archive has that word
                if ending is not None and word_of.startswith(candidate) and (
                        len(candidate) >= len(stem) or lexicon.has("exact", candidate + ending)):
                    corrected = candidate + ending
                if STEMMERS[language](corrected) != candidate:
                    corrected = word_of  # the ending does not fit the corrected word
                if best is None or frequency > best[0]:
                    best = (frequency, corrected)
    return best[1] if best else word


def _latin_with_marks(lexicon, word: str) -> str | None:
    """The archive's word, in Cyrillic with its Kazakh marks, for a Latin word whose reading leaves
    them out (Kyzylorda, Zhezkazgan: Қызылорда, Жезқазған), where the reading itself is not found."""
    if not looks_latin_kazakh(word):
        return None
    readings = [fold(reading.lower()) for reading in latin_to_cyrillic_variants(word)]
    for reading in readings:
        if not _WORD.fullmatch(reading) or _known(lexicon, _stems(reading)):
            return None         # found as read (or not read as Cyrillic): nothing to suggest
    marked = next(filter(None, (with_marks(lexicon, reading) for reading in readings)), None)
    return _as_typed(marked, word) if marked else None


def _stems(folded: str) -> dict[str, str]:
    """A folded word's stem in each language, by language."""
    return {language: STEMMERS[language](folded) for language in STEMMED_FIELDS}


def _known(lexicon, stems: dict[str, str]) -> bool:
    """Whether the index has a word's stem in either language (`stems`, by language)."""
    return any(lexicon.has(fieldname, stems[language]) for language, fieldname in STEMMED_FIELDS.items())


def _as_typed(found: str, typed: str) -> str:
    """An index word capitalised as the word typed was."""
    return found.capitalize() if typed[:1].isupper() else found


def with_marks(lexicon, folded: str) -> str | None:
    """The word of the archive's pages (its unstemmed words) that `folded` is, typed without some
    of its Kazakh letters' marks, however many (Кунанбайулы for Құнанбайұлы): the most frequent,
    or None. The index's words are walked letter by letter: at each letter that has marked readings
    only the beginnings some word of the index has go on (a few look-ups, where reading every word
    that begins with the first two letters read thousands in a large archive)."""
    if len(folded) < 4:
        return None
    beginnings = [""]
    for at, letter in enumerate(folded):
        if at < 2:          # the first two letters as typed, or marked
            readings = sorted({letter, *kazakh.MARKED_OF.get(letter, ())})
        else:               # a later one: any reading of it without marks
            plain = kazakh.TYPED_PLAIN.get(letter, letter)
            readings = sorted({plain, *kazakh.MARKED_OF.get(plain, ())})
        beginnings = [begun + reading for begun in beginnings for reading in readings]
        if len(readings) > 1 and at < len(folded) - 1:
            beginnings = [begun for begun in beginnings if lexicon.has_prefix("exact", begun)]
        if not beginnings:
            return None
    found: tuple[int, str] | None = None
    for candidate in beginnings:
        frequency = lexicon.doc_frequency("exact", candidate) if candidate != folded else 0
        if frequency and (found is None or frequency > found[0]):
            found = (frequency, candidate)
    return found[1] if found else None
