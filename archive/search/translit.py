"""Kazakh in Latin letters → Cyrillic, so that a query typed in Latin finds Cyrillic pages.

The official alphabet of 28 January 2021 (A Ä B D E F G Ğ H I İ J K Q L M N Ñ O Ö P R S Ş T
U Ū Ü V Y Z) writes ы as Y y, і as I ı (dotless), и and й as İ i, у as U u, ұ as Ū ū, х and
һ as H h; checked against the transliterated sample in Wikipedia's "Kazakh alphabets"
(бір → bır, қазысының → qazysynyñ, үйіне → üiıne, сый → syi). The drafts of 2017
(apostrophes: a' g' n' o' u' y' i' s' c') and 2018 (acutes: á ǵ ń ó ú ý, digraphs sh ch;
there u is ұ and ı is и/й) are read too, when a word shows one of their marks.

People typing without the special letters write i for і as well as for и/й. So a plain "i"
between consonants is read as і unless the word also has a dotless ı (then it follows 2021
strictly and means и); `latin_to_cyrillic_variants` gives both readings (таріх, тарих).
Next to a vowel, "i" is й after it (aiyl, üiıne) and и before it (kiım).

Names are also typed as passports, maps and English texts spell them (Kostanay, Semey,
Kunanbayev, Yerlan, Akhmet): "y" after a, e, o, ä, ö is й, and before a vowel at a word's start
or after one of these it makes я, е, ю, ё, as the 2021 alphabet's ы never stands there; "kh" is х.
(The marks such spellings leave out, Қ of Kyzylorda, are found in the archive's own words by
"did you mean".)
"""
from __future__ import annotations

import re
import unicodedata

_LETTERS = "a-zà-ɏ"
_WORD = re.compile(rf"[{_LETTERS}]+(?:['’ʼ][{_LETTERS}]*)*", re.IGNORECASE)

_SINGLE = {"a": "а", "ä": "ә", "b": "б", "c": "ц", "ç": "ч", "d": "д", "e": "е", "f": "ф",
           "g": "г", "ğ": "ғ", "h": "х", "ı": "і", "j": "ж", "k": "к", "q": "қ", "l": "л",
           "m": "м", "n": "н", "ñ": "ң", "ŋ": "ң", "o": "о", "ö": "ө", "p": "п", "r": "р",
           "s": "с", "ş": "ш", "t": "т", "u": "у", "ū": "ұ", "ü": "ү", "v": "в", "w": "у",
           "x": "кс", "y": "ы", "z": "з",
           # 2018 acutes
           "á": "ә", "ǵ": "ғ", "ń": "ң", "ó": "ө", "ú": "ү", "ý": "у"}
_APOSTROPHE = {"a": "ә", "g": "ғ", "n": "ң", "o": "ө", "u": "ү", "y": "у", "s": "ш", "c": "ч"}
# digraph: (Cyrillic, the letter that makes it two letters when the word has it: 2021 writes ш ş)
_DIGRAPHS = {"sh": ("ш", "ş"), "ch": ("ч", "ç"), "zh": ("ж", "ž"),
             "kh": ("х", "\0")}           # (no alphabet writes х otherwise: always two letters)
_Y_AFTER = set("aeoäö")                         # where "y" is й (not after u: auyl is ауыл)
_Y_VOWEL = {"a": "я", "e": "е", "u": "ю", "o": "ё"}     # "y" and a vowel, passport-style
_VOWELS = set("aäeoöuūüyıiáóúýí")
_MARKS_2021 = set("äğñöşūüı")
_MARKS_LEGACY = set("áǵńóúýí")
_APOSTROPHES = "'’ʼ"


def _is_legacy(word: str) -> bool:
    if _MARKS_2021.difference("ı").intersection(word):  # ı is in both
        return False
    return bool(_MARKS_LEGACY.intersection(word)) or any(
        ch in _APOSTROPHES and i and word[i - 1].isalpha() for i, ch in enumerate(word))


def _i_sound(word: str, i: int, width: int, consonantal: str) -> str:
    """и/й/і for an i-like letter at word[i]: й after a vowel, и before one, else `consonantal`."""
    before = word[i - 1] if i else ""
    after = word[i + width] if i + width < len(word) else ""
    if before in _VOWELS and before not in "ií":
        return "й"
    if after in _VOWELS:
        return "и"
    return consonantal


def _word(src: str, strict_i: bool | None) -> str:
    word = unicodedata.normalize("NFC", src).replace("İ", "I").lower()
    if len(word) != len(src):  # odd input (decomposed letters): keep case handling simple
        src = word
    legacy = _is_legacy(word)
    if strict_i is None:
        strict_i = "ı" in word
    out: list[str] = []
    i = 0
    while i < len(word):
        ch, pair = word[i], word[i:i + 2]
        width = 1
        if pair[1:] and pair[1] in _APOSTROPHES and (ch == "i" or ch in _APOSTROPHE):
            width = 2
            cyr = _i_sound(word, i, 2, "и") if ch == "i" else _APOSTROPHE[ch]
        elif pair in _DIGRAPHS and _DIGRAPHS[pair][1] not in word:
            width, cyr = 2, _DIGRAPHS[pair][0]
        elif ch in _APOSTROPHES:
            cyr = ""
        elif legacy and ch in "ıí":
            cyr = _i_sound(word, i, 1, "и")
        elif ch == "i":
            cyr = "і" if legacy else _i_sound(word, i, 1, "и" if strict_i else "і")
        elif legacy and ch == "u":
            cyr = "ұ"
        elif ch == "y" and not legacy and (not i or word[i - 1] in _Y_AFTER) and word[i + 1:i + 2] in _Y_VOWEL:
            width, cyr = 2, _Y_VOWEL[word[i + 1]]        # Yerlan, Kunanbayev, Yassawi: Ерлан, -баев, Ясауи
        elif ch == "y" and not legacy and i and word[i - 1] in _Y_AFTER:
            cyr = "й"                                       # Kostanay, Semey, Abay
        else:
            cyr = _SINGLE.get(ch, ch)
        if cyr and src[i].isupper():
            cyr = cyr[0].upper() + cyr[1:]
        out.append(cyr)
        i += width
    return "".join(out)


def latin_to_cyrillic(text: str, strict_i: bool | None = None) -> str:
    """Every Latin word of `text` in Cyrillic; `strict_i` forces the 2021 reading of "i" (и)."""
    return _WORD.sub(lambda m: _word(m.group(), strict_i), text)


def latin_to_cyrillic_variants(word: str) -> tuple[str, ...]:
    """The readings of one word: the best guess first, then the strict 2021 one if it differs."""
    first = latin_to_cyrillic(word)
    strict = latin_to_cyrillic(word, strict_i=True)
    return (first,) if strict == first else (first, strict)


_LATIN_ONLY = re.compile(rf"^[{_LETTERS}]+(?:['’ʼ][{_LETTERS}]*)*$", re.IGNORECASE)
_KAZAKH_MARKS = _MARKS_2021 | _MARKS_LEGACY | {"q", "ŋ", "İ"}
_NOT_KAZAKH = re.compile(r"[cwx]|th|ee|oo|ou|ck|gh|ea")


def looks_latin_kazakh(token: str) -> bool:
    """Could this Latin-script token be a Kazakh (or Kazakh-spelt) word?

    Yes if it has a letter only Kazakh Latin uses (ä ğ ñ ö ş ū ü ı q, the 2018 acutes, a
    2017 apostrophe); otherwise if it is at least two letters, has a vowel, and nothing
    English-looking (c w x, th ee oo ou ck gh ea). Wrong guesses cost little: the query keeps
    the Latin token beside its transliteration.
    """
    token = unicodedata.normalize("NFC", token)
    if len(token) < 2 or not _LATIN_ONLY.match(token):
        return False
    lower = token.replace("İ", "i").lower()
    if _KAZAKH_MARKS.intersection(token) or _KAZAKH_MARKS.intersection(lower) or _is_legacy(lower):
        return True
    return bool(_VOWELS.intersection(lower)) and not _NOT_KAZAKH.search(lower)
