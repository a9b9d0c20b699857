"""A light stemmer for Kazakh in Cyrillic script, written for Olke.

No search engine ships one, so this is ours. It takes suffixes off the end of a word one
at a time (case, possessive, plural, 1st person predicative, the abstract -лық) until none
is left. A suffix goes in any of its spellings (-лар -лер -дар -дер -тар -тер, …), but only

* when its vowel harmonises with the last vowel of what remains (а о ұ ы back, ә ө ү і е
  front; и у, and Russian surnames in -ов -ев -ин, take either);
* when its first consonant is the one Kazakh writes after the letter it would follow: -лар
  after a vowel or р й у, -дар after л м н ң з ж, -тар after a voiceless consonant;
* when what remains has a vowel and at least two letters (three if it ends in a vowel).

Each step forgets the previous one, so an inflected form passes through its bare form and
ends where the bare form ends: what matters is that a family meets, not that the stem is a
word (Алматы → алмат, облыс → обл).

Choices, mostly for precision:

* Stem-final б г ғ are written п к қ (мектебі → мектеп, тәуелсіздігі → тәуелсіздік).
* өзен+і and қала+ны, облыс+ы and қала+сы look alike, so a stem-final н or с after a vowel
  goes too (өзен → өзе): both readings meet, at the cost of pairs like қазан/қаза.
* 1st/2nd person singular possessives (-м, -ым, -ң, -ың) go only after a plural: they end
  too many nouns (адам, ғылым, білім, бөлім) and are rare in newspaper prose.
* Derivation: only the abstract -лық/-лік/-дық/-дік/-тық/-тік (and -шылық), and only when
  two syllables remain, so ұлттық, халық, балық, салық, бірлік stay whole. -шы/-ші (оқушы,
  басшы, бірінші) name something else than their base; -сыз/-сіз (тәуелсіз) and -лы/-лі
  turn the meaning round or make adjectives: they stay.
* The attributive -ғы/-гі goes after a locative (қаладағы) or a word of time (жылғы).
* Verbs are not analysed; a past tense in -ды/-ді looks like an accusative and loses it.
* Nouns whose vowel drops before a possessive (халық → халқы) are mapped back, and words
  that only look inflected (ақын, орын, аудан, шығыс) are never cut below themselves.
"""
from __future__ import annotations

from functools import lru_cache

VOWELS = frozenset("аәеёиоөуұүыіэюя")
PURE_VOWELS = VOWELS - {"и", "у"}  # и and у end a stem like consonants: су → суы, ми → миы
BACK = frozenset("аоұыяё")
FRONT = frozenset("әөүіеэю")
CYRILLIC = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі")

# What a stem may end in before a suffix, as classes of its last letter.
V, G, R, L, N, Z, T = "V", "G", "R", "L", "N", "Z", "T"
_CLASS = {**{ch: V for ch in PURE_VOWELS}, "и": G, "у": G, "й": G, "р": R, "л": L,
          "м": N, "н": N, "ң": N, "з": Z, "ж": Z,
          **{ch: T for ch in "кқпстфхһцчшщбвгғд"}}  # б в г ғ д devoice at the end of a stem: клубта
P3 = "P3"  # after a 3rd person possessive -ы/-і (қаласы+нда, үйі+не)
PL = "PL"  # after a plural (балалар+ым)
CONS = (G, R, L, N, Z, T)
VOICED = (V, G, R, L, N, Z)

# suffix: (classes it may follow, minimum syllables left, kind)
SUFFIXES: dict[str, tuple[tuple[str, ...], int, str]] = {}


def _add(kind: str, spellings: str, after: tuple[str, ...], min_syllables: int = 0) -> None:
    for suffix in spellings.split():
        SUFFIXES[suffix] = (after, min_syllables, kind)


# case
_add("case", "ның нің", (V, N))
_add("case", "дың дің", (G, R, L, Z))
_add("case", "тың тің", (T,))
_add("case", "ны ні", (V,))
_add("case", "ды ді", (G, R, L, N, Z))
_add("case", "ты ті", (T,))
_add("case", "ға ге", VOICED)
_add("case", "қа ке", (T,))
_add("case", "на не", (P3,))
_add("case", "да де дағы дегі", VOICED)
_add("case", "та те тағы тегі", (T,))
_add("case", "нда нде ндағы ндегі", (P3,))
_add("case", "дан ден", (V, G, R, L, Z))
_add("case", "нан нен", (N, P3))
_add("case", "тан тен", (T,))
_add("instr", "мен менен", (V, G, R, L, N))
_add("instr", "бен бенен", (Z, N))
_add("instr", "пен пенен", (T,))
# predicative 1st person (мұғаліммін, қазақпыз); -мыз is listed with the possessives
_add("pred", "мын мін", (V, G, R, L, N))
_add("pred", "бын бін быз біз", (Z,))
_add("pred", "пын пін пыз піз", (T,))
# possessive
_add("poss", "ы і ымыз іміз ыңыз іңіз", CONS)
_add("poss", "сы сі ңыз ңіз", (V,))
_add("poss", "мыз міз", (V, G, R, L, N))
_add("poss", "ым ім ың ің", (PL,))
# plural
_add("plural", "лар лер", (V, G, R))
_add("plural", "дар дер", (L, N, Z))
_add("plural", "тар тер", (T,))
# derivation
_add("deriv", "лық лік", (V, G, R), 2)
_add("deriv", "дық дік", (L, N, Z), 2)
_add("deriv", "тық тік", (T,), 2)
_add("deriv", "шылық шілік", (V,) + CONS, 2)
# a stem-final н or с after a vowel, and the accusative -н after a possessive (тарихы+н)
_add("final", "н с", ())

# The attributive -ғы/-гі after words of time (бүгінгі, 1941 жылғы); elsewhere it is too
# often the possessive of a stem in -к/-қ (жүрегі, ерекшелігі).
TEMPORAL = frozenset("бүгін қазір кеше ертең бұрын кейін төмен жыл ай күз жаз қыс көктем "
                     "былтыр түн таң кеш соң".split())
_TEMPORAL_SUFFIXES = ("ғы", "гі", "қы", "кі")

_LENGTHS = sorted({len(s) for s in SUFFIXES}, reverse=True)   # longest first; one suffix per length can match
_PLURALS = ("лар", "лер", "дар", "дер", "тар", "тер")
_SURNAME_ENDINGS = ("ов", "ев", "ёв", "ин", "ова", "ева", "ина")

# Nouns whose last vowel drops before a vowel-initial suffix: халық → халқы.
ELISION = {"халқ": "халық", "орн": "орын", "ерн": "ерін", "мұрн": "мұрын", "қарн": "қарын",
           "ауз": "ауыз", "даус": "дауыс", "ерк": "ерік", "нарқ": "нарық", "әрп": "әріп",
           "ғұмр": "ғұмыр", "көрк": "көрік", "бөрк": "бөрік", "қойн": "қойын", "парқ": "парық"}
# Words that look inflected but are not (ақ+ы+н, ау+дан): no form of them is cut shorter.
PROTECTED = tuple("ақын ойын орын бүгін кейін бұрын дайын жиын шығын ағын тегін сайын келін "
                  "түтін қарқын отын жалын табын тасқын түйін аудан майдан қарағанды "
                  # -ыс/-іс nouns that would meet an unrelated verb or noun (шығыс → шық)
                  "шығыс батыс айтыс орыс жарыс табыс барыс кіріс күміс жеміс тыныс ертіс арыс "
                  "соғыс дауыс жолдас".split())

_DEVOICE = str.maketrans({"б": "п", "г": "к", "ғ": "қ"})


def syllables(word: str) -> int:
    """Count vowels; и and у next to another vowel are glides (ауыл has two syllables)."""
    count = 0
    for i, ch in enumerate(word):
        if ch in PURE_VOWELS:
            count += 1
        elif ch in "иу":
            before = word[i - 1] if i else ""
            after = word[i + 1] if i + 1 < len(word) else ""
            if before not in PURE_VOWELS and after not in PURE_VOWELS:
                count += 1
    return count


def _harmony(word: str) -> str | None:
    """'back', 'front' or None (either) for the suffixes a stem takes."""
    if word.endswith(("ь", "ъ")) or word.endswith(_SURNAME_ENDINGS):
        return None
    for ch in reversed(word):
        if ch in BACK:
            return "back"
        if ch in FRONT:
            return "front"
        if ch in VOWELS:  # и, у
            return None
    return None


def _suffix_harmony(suffix: str) -> str | None:
    if any(ch in "аы" for ch in suffix):
        return "back"
    if any(ch in "еі" for ch in suffix):
        return "front"
    return None


def _classes(stem: str) -> set[str]:
    last = stem[-1] if stem[-1] not in "ьъ" else stem[-2:-1]
    classes = {_CLASS.get(last, "")}
    if stem[-1] in "ыі":
        classes.add(P3)
    if stem.endswith(_PLURALS):
        classes.add(PL)
    return classes


def _can_strip(word: str, suffix: str) -> bool:
    after, min_syllables, kind = SUFFIXES[suffix]
    stem = word[: -len(suffix)]
    if len(stem) < 2 or not VOWELS.intersection(stem):
        return False
    if stem[-1] in PURE_VOWELS and len(stem) < 3:
        return False
    if kind == "final" or suffix in ("сы", "сі", "ны", "ні"):
        # өзен+і or қала+ны? облыс+ы or қала+сы? Only after a vowel, where both readings meet.
        if stem[-1] not in PURE_VOWELS:
            return False
        if kind == "final":
            return True
    if not _classes(stem).intersection(after):
        return False
    if min_syllables and syllables(stem) < min_syllables:
        return False
    if kind == "instr":
        return True
    wanted = _suffix_harmony(suffix)
    has = _harmony(stem)
    return wanted is None or has is None or wanted == has


def _normalise(stem: str) -> str:
    stem = stem[:-1] + stem[-1].translate(_DEVOICE)
    return ELISION.get(stem, stem)


def _strip_once(word: str, floor: int) -> str | None:
    for suffix in _TEMPORAL_SUFFIXES:
        if word.endswith(suffix) and word[: -len(suffix)] in TEMPORAL:
            return word[: -len(suffix)]
    for length in _LENGTHS:
        suffix = word[-length:]
        if len(word) - length >= floor and suffix in SUFFIXES and _can_strip(word, suffix):
            return _normalise(word[:-length])
    return None


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The stem of a lower-case Kazakh word; other tokens come back unchanged."""
    if len(word) < 3 or not CYRILLIC.issuperset(word):
        return word
    floor = max((len(p) for p in PROTECTED if word.startswith(p)), default=0)
    word = _normalise(word)
    for _ in range(12):  # no Kazakh word carries more suffixes than this
        shorter = _strip_once(word, floor)
        if shorter is None:
            break
        word = shorter
    return word
