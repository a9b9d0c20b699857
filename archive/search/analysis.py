"""Whoosh analysers for Kazakh and Russian page text and for queries.

    page_analyzer(lang)  index time, lang "kaz", "rus" or "auto" (both stems)
    query_analyzer()     both stems, and Latin-script Kazakh read as Cyrillic as well
    exact_analyzer()     tokens folded but not stemmed, for quoted phrases

"Both stems" means the Kazakh and the Russian stem of a word, or only the Kazakh one when
the word has a letter Russian lacks (ә ғ қ ң ө ұ ү һ і). All analysers are chains of
`RegexTokenizer(TOKEN_PATTERN) | FoldFilter() | ...`; Whoosh pickles the schema with its
analysers, so every part is a plain class instance and the stemmers live at module level.

A page analyser behaves as `query_analyzer()` when Whoosh analyses a query with it
(Token.mode == "query"), so a query parser on a page field gets both stems and Latin
transliteration with no extra set-up. Alternative stems share a token position, and a
single query word may give several terms: fields must say `multitoken_query="or"`, and
quoted phrases belong on an `exact_analyzer()` field (Whoosh's phrase query reads every
term as the next word). Whoosh's highlighter mishandles such stacked tokens too (a word can
appear in two fragments): give it `HighlightAnalyzer(analyzer, terms)`.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache
import unicodedata
from collections.abc import Iterable
from itertools import chain

from whoosh.analysis import Filter, RegexTokenizer

from archive.search import kazakh, places
from archive.search.translit import latin_to_cyrillic_variants, looks_latin_kazakh

# Letters and digits; ' ’ ʼ inside a word keep it whole (2017 Latin: g'ylym, O'Brien), while
# a hyphen splits it (әл-Фараби → әл, фараби; ата-аналар → ата, аналар), so each part stems.
_PART = r"(?:[^\W_]|[\u0300-\u036f])+"
TOKEN_PATTERN = rf"{_PART}(?:['’ʼ]{_PART})*"
# The same tokens in a text with no underscore and no combining mark, found twice as fast
PLAIN_TOKEN_PATTERN = r"\w+(?:['’ʼ]\w+)*"

# Between two parts of one word at index time: a hyphen (or a soft hyphen) right after the first part,
# perhaps at a line end ("кітап-\nхана", "әл-Фараби"): the parts are also indexed joined.
_JOIN = re.compile(r"[-\u00ad\u2010\u2011¬][ \t]*(?:\r?\n[ \t]*)?")

# Roman numerals (ХХ ғасыр) are printed in Latin or in Cyrillic look-alike letters: read as Latin
_ROMAN_LOOKALIKES = str.maketrans({"х": "x", "і": "i", "с": "c", "м": "m"})
_ROMAN = re.compile(r"m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})")

_CYRILLIC = re.compile(r"[а-яёәғқңөұүһі]", re.IGNORECASE)
_LATIN = re.compile(r"[a-zà-ɏ]", re.IGNORECASE)
KAZAKH_LETTERS = frozenset("әғқңөұүһі")

# Latin letters that OCR puts into Cyrillic words, and the Cyrillic letter they stand for.
# Capitals first (H is Н, h is һ); u, t for italic и, т; ə ɵ for ә ө from old Kazakh fonts.
_LOOKALIKES = str.maketrans({
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "I": "І", "K": "К", "M": "М",
    "O": "О", "P": "Р", "T": "Т", "X": "Х", "Y": "У",
    "a": "а", "c": "с", "e": "е", "h": "һ", "i": "і", "k": "к", "o": "о", "p": "р",
    "t": "т", "u": "и", "x": "х", "y": "у", "ə": "ә", "Ə": "Ә", "ɵ": "ө", "Ɵ": "Ө",
})
# ё is written е in most print; Kazakh һ (шаһар) is often typed and read as х (шахар).
_FOLD = str.maketrans({"ё": "е", "һ": "х"})


@lru_cache(maxsize=500_000)
def fold(text: str) -> str:
    """Lower case, ё → е, һ → х, and Latin look-alikes inside a Cyrillic word made Cyrillic."""
    text = unicodedata.normalize("NFC", text)
    if _CYRILLIC.search(text) and _LATIN.search(text):
        mended = text.translate(_LOOKALIKES)
        if not _LATIN.search(mended):
            text = mended
    text = text.replace("İ", "i").lower().translate(_FOLD)
    if 1 < len(text) < 10 and not text.strip("xivlcdmхісм"):
        latin = text.translate(_ROMAN_LOOKALIKES)
        if latin != text and _ROMAN.fullmatch(latin):
            return latin
    return text


@lru_cache(maxsize=1)
def fold_sources() -> dict[str, frozenset[str]]:
    """For each letter that `fold` can put at a place in a word, the lower-case letters of a text
    that can stand there (itself, and what lower case, the look-alike mending, ё → е, һ → х and the
    Roman numerals turn into it): a search of ``text.lower()`` for these finds every word that folds
    to a given beginning, for texts that `fold` does not change in length (NFC, no İ)."""
    tables = (_LOOKALIKES, _FOLD, _ROMAN_LOOKALIKES)
    letters = {chr(key) for table in tables for key in table} | {value for table in tables for value in table.values()}
    letters |= {c.upper() for c in letters} | {c.lower() for c in letters}
    sources: dict[str, set[str]] = {}
    for letter in letters:
        mended = letter.translate(_LOOKALIKES)
        for lower in {letter.lower(), mended.lower()}:
            folded = lower.translate(_FOLD)
            for result in {lower, folded, folded.translate(_ROMAN_LOOKALIKES)}:
                sources.setdefault(result, {result}).add(letter.lower())
    return {letter: frozenset(found) for letter, found in sources.items()}


class WordTokenizer(RegexTokenizer):
    """`RegexTokenizer(TOKEN_PATTERN)` that, when indexing, also gives the two parts of a word split
    by a hyphen joined, at the second part's position: "кітап-\nхана" (hyphenated at a line end) is
    found by кітапхана, "әл-Фараби" by әлфараби (not after a number: 1-сынып stays 1, сынып). Only
    the stemmed fields use it (they keep no positions); `exact` keeps one token per printed part, so
    quoted phrases see the words as printed. Queries are tokenised plainly (the query builder
    deals with hyphens in what is typed)."""

    def __init__(self):
        super().__init__(TOKEN_PATTERN)

    def __call__(self, value, mode="", start_char=0, chars=False, **kwargs):
        tokens = super().__call__(value, mode=mode, start_char=start_char, chars=True, **kwargs)
        if mode == "query" or not _JOIN.search(value):
            yield from tokens
            return
        before = None                           # (raw text, start) of the previous token
        for t in tokens:
            text, start, end = t.text, t.startchar, t.endchar
            yield t
            if before is not None and not before[0].isdigit() \
                    and _JOIN.fullmatch(value, before[2] - start_char, start - start_char):
                t.text, t.startchar, t.endchar, t.stopped = before[0] + text, before[1], end, False
                t.boost = 1.0
                yield t
            before = (text, start, end)


_local = threading.local()  # a PyStemmer object must not be shared between threads


def russian_stem(word: str) -> str:
    """Snowball's Russian stem of a lower-case word."""
    stemmer = getattr(_local, "russian", None)
    if stemmer is None:
        import Stemmer

        stemmer = _local.russian = Stemmer.Stemmer("russian")
    return stemmer.stemWord(word)


def _is_cyrillic_word(text: str) -> bool:
    return bool(_CYRILLIC.search(text)) and not _LATIN.search(text)


_PLAIN_LETTERS = str.maketrans(kazakh.TYPED_PLAIN)
# the ending of a stem, the least before it (a name the Kazakh stemmer keeps whole keeps its -ы)
_PATRONYMIC = (("ұлы", 4), ("улы", 4), ("қызы", 4), ("кызы", 4), ("ұл", 4), ("ул", 4), ("қыз", 4), ("кыз", 4))
_RUSSIAN_SURNAME = ("ов", "ев")


def surname_keys(stem: str) -> tuple[str, ...]:
    """A Kazakh stem that is a surname as Kazakh writes it (Байтұрсынұлы, Сүлейменқызы) or as
    Russian does (Байтұрсынов, Байтурсыновтың): the Russian stems of the surname in -ов/-ев, its
    letters without their Kazakh marks (байтурсын, байтурсынов; Құнанбайұлы: кунанба, кунанбаев).
    The same person is then found as Байтұрсынұлы, Байтурсынов, Байтурсынова, Baitursynuly or
    Байтурсынулы, on Kazakh pages and Russian ones, whichever way each writes the name."""
    plain = stem.translate(_PLAIN_LETTERS)
    base = None
    for ending, least in _PATRONYMIC:
        if stem.endswith(ending) and len(stem) - len(ending) >= least:
            if ending[0] == "у" and stem[-len(ending) - 1] in kazakh.VOWELS:
                break       # арнаулы, сақтаулы (special, kept): -у-лы adjectives, no patronymic
            base = plain[:-len(ending)]
            break
    else:
        if plain.endswith(_RUSSIAN_SURNAME) and len(plain) >= 6:
            base = plain[:-2] + ("й" if plain.endswith("аев") and not plain[:-2].endswith("й") else "")
    if base is None:
        return ()
    if base.endswith("й"):                      # Құнанбай: Кунанбаев
        base, suffix = base[:-1], "ев"
    else:
        suffix = "ев" if base.endswith(("ж", "ш", "щ", "ч", "ц")) else "ов"
    keys = (russian_stem(base + suffix), russian_stem(base + suffix + "а"))
    return tuple(key for key in keys if len(key) >= 4 and key != stem)


def russian_stems(word: str) -> list[str]:
    """Snowball's Russian stem of a word, and the word itself where Snowball took a final -ем or -им
    for a verb's ending: приём, объём, режим, проблем (of проблема) are cut to при, объ, реж, пробл,
    while their other forms (приёма, режима, проблемы) keep the -ем, -им (прием, режим, проблем)."""
    found = russian_stem(word)
    if len(word) > 4 and word.endswith(("ем", "им")) and found == word[:-2]:
        return [found, word]
    return [found]


def _stems(word: str, lang: str) -> list[str]:
    if lang == "kaz" or KAZAKH_LETTERS.intersection(word):
        # a word with Kazakh letters in Russian text (a name, a title) is Kazakh
        found = list(kazakh.readings(word))
        return found + [key for stem in found for key in surname_keys(stem)]
    if lang == "rus":
        return russian_stems(word)
    found = list(kazakh.readings(word))
    return [*found, *(key for stem in found for key in surname_keys(stem)), *russian_stems(word)]


def _russian_nominative(stem: str) -> str | None:
    """The stem of a surname's nominative (Ислямов, Ауэзов: ислям, ауэз) for the stem of another
    of its forms (Ислямова, Ауэзову: ислямов, ауэзов), which Snowball stems one ending short."""
    if stem.endswith(_RUSSIAN_SURNAME) and len(stem) >= 6 and russian_stem(stem) == stem[:-2]:
        return stem[:-2]
    return None


class FoldFilter(Filter):
    """Applies `fold` to every token."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold(t.text)
            yield t


@lru_cache(maxsize=500_000)
def _alternatives(text: str, lang: str, translit: bool) -> tuple[str, ...]:
    """A token's stems; cached, as a page repeats its words and an archive its vocabulary."""
    if _is_cyrillic_word(text):
        found = _stems(text, lang)
        if translit and lang != "kaz" and not KAZAKH_LETTERS.intersection(text):   # a query word
            nominative = _russian_nominative(russian_stem(text))
            if nominative:
                found.append(nominative)
    elif translit and looks_latin_kazakh(text):
        found = [text] + [s for cyr in latin_to_cyrillic_variants(text) for s in _stems(fold(cyr), lang)]
    else:
        found = [text]
    if translit:                # a query word: a town also by its other names
        found += with_other_names(found)
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=1)
def _towns() -> tuple[dict[str, int], list[list[tuple[str, str, tuple[str, ...]]]]]:
    """The towns of `places.GROUPS`, each a list of its names (as written, and folded with a
    hyphen's parts joined) with their stems (a name's stems as a query word gets them, less those
    shorter than five letters that are not the whole name: Семей's Russian stem сем is also that of
    семья), and each stem's town."""
    by_stem: dict[str, int] = {}
    towns = []
    for number, group in enumerate(places.GROUPS):
        names = []
        for name in group:
            word = fold(name.lower().replace("-", ""))
            stems = tuple(dict.fromkeys(stem for stem in _stems(word, "both") if stem == word or len(stem) >= 5))
            names.append((name, word, stems))
            by_stem.update((stem, number) for stem in stems)
        towns.append(names)
    return by_stem, towns


def with_other_names(stems) -> list[str]:
    """The stems of all the names of a town that one of `stems` names (``places``)."""
    by_stem, towns = _towns()
    return [other for stem in stems if stem in by_stem for _, _, others in towns[by_stem[stem]] for other in others]


def other_town_names(text: str, terms: dict[str, Iterable[str]]) -> list[str]:
    """The names under which a query also searched for a town its words name, other than those
    typed, that the index has (`terms`: the index words the search looked up and found, by field,
    as ``SearchResults.terms``): what a results page says it also searched for."""
    if not text:
        return []
    typed = {t.text for t in exact_analyzer()(text)} | {t.text for t in exact_analyzer()(text.replace("-", ""))}
    found = {word for words in terms.values() for word in words}
    by_stem, towns = _towns()
    named = {by_stem[stem] for word in typed for stem in _alternatives(word, "both", True) if stem in by_stem}
    names = [name for number in sorted(named) for name, folded, stems in towns[number]
             if not found.isdisjoint(stems) and not any(word.startswith(folded) for word in typed)]
    # Каменогорск, which stands for Усть-Каменогорск, is not said beside it
    return [name for name in names if not any(name != other and other.endswith(name) for other in names)]


class KazRusStemFilter(Filter):
    """Stems Cyrillic tokens as Kazakh ('kaz'), Russian ('rus') or both ('both').

    Alternatives are yielded at the same position. With `translit`, a Latin token that
    `looks_latin_kazakh` is kept and also read as Cyrillic (both readings of "i"), stemmed.
    Tokens of digits or mixed scripts pass unchanged.
    """

    is_morph = True

    def __init__(self, lang: str = "both", translit: bool = False):
        if lang not in ("kaz", "rus", "both"):
            raise ValueError(f"lang must be 'kaz', 'rus' or 'both', not {lang!r}")
        self.lang = lang
        self.translit = translit

    def alternatives(self, text: str) -> tuple[str, ...]:
        return _alternatives(text, self.lang, self.translit)

    def __call__(self, tokens):
        for t in tokens:
            if t.stopped:
                yield t
                continue
            for text in self.alternatives(t.text):
                t.text = text
                yield t


class ModeFilter(Filter):
    """Runs `index` on streams analysed for indexing and `query` on streams for a query."""

    is_morph = True

    def __init__(self, index: Filter, query: Filter):
        self.index = index
        self.query = query

    def __call__(self, tokens):
        tokens = iter(tokens)
        first = next(tokens, None)
        if first is None:
            return iter(())
        chosen = self.query if getattr(first, "mode", "") == "query" else self.index
        return chosen(chain([first], tokens))


def query_analyzer():
    """Analyser for query text: both stems, Latin-script Kazakh also read as Cyrillic."""
    return RegexTokenizer(TOKEN_PATTERN) | FoldFilter() | KazRusStemFilter("both", translit=True)


def page_analyzer(lang: str | None = "auto"):
    """Analyser for page text in `lang` ('kaz', 'rus', or 'auto' or None for both stems)."""
    lang = lang or "auto"
    if lang not in ("kaz", "rus", "auto"):
        raise ValueError(f"lang must be 'kaz', 'rus' or 'auto', not {lang!r}")
    index = KazRusStemFilter("both" if lang == "auto" else lang)
    query = KazRusStemFilter("both", translit=True)
    return WordTokenizer() | FoldFilter() | ModeFilter(index, query)


def exact_analyzer():
    """Analyser that folds but does not stem, for quoted phrases."""
    return RegexTokenizer(TOKEN_PATTERN) | FoldFilter()


def gate_key(term: str) -> str:
    """The beginning every word has whose stem is `term`: all but the stem's last two letters
    (devoicing, a restored vowel and a verb's written -у change only those; Snowball's Russian
    stems are beginnings of their words), at least the first two letters (the first of a
    two-letter stem), at most four."""
    return term[:max(2 if len(term) > 2 else 1, min(len(term) - 2, 4))]


def _marked_readings(key: str) -> list[str]:
    """`key` with any of its letters that Kazakh also writes with a mark (у: ұ ү; а: ә) marked."""
    readings = [""]
    for letter in key:
        readings = [begun + reading for begun in readings for reading in (letter, *kazakh.MARKED_OF.get(letter, ()))]
    return readings


class PrefixGate:
    """Which tokens may stem to one of `terms`: those that begin with a term's `gate_key`, and a
    token shorter than a key that begins it (the first part of a hyphenated word, which the
    indexing tokenizer also joins to the next). Marking a page's words then stems a few of them
    instead of every one. A key without Kazakh letters also lets through a token that begins with
    it once the token's marks are left out: a surname's Russian stem (жумагул) stands for Kazakh
    words with marks (Жұмағұлұлы)."""

    def __init__(self, terms):
        self.keys = frozenset(map(gate_key, terms))
        self.lengths = sorted({len(key) for key in self.keys})
        self.heads = frozenset(key[:n] for key in self.keys for n in range(1, len(key)))
        self.plain = frozenset(key for key in self.keys if not KAZAKH_LETTERS.intersection(key))

    def passes(self, text: str) -> bool:
        """Whether a folded token may stem to one of the terms."""
        keys = self.keys
        if any(text[:n] in keys for n in self.lengths) or text in self.heads:
            return True
        if self.plain and KAZAKH_LETTERS.intersection(text):
            bare, plain = text.translate(_PLAIN_LETTERS), self.plain
            return any(bare[:n] in plain for n in self.lengths)
        return False

    @property
    def beginnings(self) -> set[str]:
        """The first two letters of the tokens that may pass: a key's, and a key's without Kazakh
        letters written with them."""
        return {key[:2] for key in self.keys} | {marked for key in self.plain for marked in _marked_readings(key[:2])}


class HighlightAnalyzer:
    """`analyzer` for `whoosh.highlight.highlight`: one token per word, carrying the
    alternative that is among `terms` if there is one."""

    def __init__(self, analyzer, terms):
        self.analyzer = analyzer
        self.terms = frozenset(terms)

    def __call__(self, text, **kwargs):
        held = None
        for t in self.analyzer(text, **{**kwargs, "chars": True}):
            if held is not None and t.startchar == held.startchar:
                if held.text not in self.terms:
                    held.text = t.text
                continue
            if held is not None:
                yield held
            held = t.copy()
        if held is not None:
            yield held
