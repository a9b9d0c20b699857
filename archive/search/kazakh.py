"""A light stemmer for Kazakh in Cyrillic script, written for Olke.

No search engine ships one, so this is ours. It takes suffixes off the end of a word one
at a time (case, possessive, plural, 1st person predicative) until none is left, and last of
all, at most once, a verb ending. A suffix goes in any of its spellings (-лар -лер -дар -дер
-тар -тер, …), but only

* when its vowel harmonises with the last vowel of what remains (а о ұ ы back, ә ө ү і е
  front; и у, and Russian surnames in -ов -ев -ин, take either);
* when its first consonant is the one Kazakh writes after the letter it would follow: -лар
  after a vowel or р й у, -дар after л м н ң з ж, -тар after a voiceless consonant (and, in a
  loanword ending in б в г д, -дар as users type it: каталогдарда, архивдер);
* when what remains has a vowel and at least two letters (three if it ends in a vowel).

Each noun step forgets the previous one, so an inflected form passes through its bare form
and ends where the bare form ends: what matters is that a family meets, not that the stem is
a word (Алматы → алмат).

A word list decides where the suffix rules alone cannot (`kazakh_lexicon.tsv.gz`, made from
Apertium's Kazakh lexicon by bench/kazakh_lexicon.py, GPL-3.0, in a file of its own): its
27,000 nouns, adjectives, names and other words that are no verbs (WORDS, NOMINALS), its 3,300
verb stems (VERBS) and its adjectives in -ды/-ті (ADJECTIVES), each looked up as OCR misreads
Kazakh letters too (`Listed`: Жынғылды as Жыңғылды). A word it lacks - a rare word, a name - is
cut by the rules alone, as before the list. Measured with bench/stemmer_report.py on the gold
list's tune split (nouns / verbs / merging): 0.956 / 0.810 / 0.056 without the list, 0.964 /
0.860 / 0.012 with it; on the held-out split, looked at when the rules were set: 0.961 / 0.832 /
0.051 before, 0.974 / 0.842 / 0.020 after (verbs against the treebank's bare verb stems, which
read as nouns, 0.550 before and 0.543 after). In search, KazQAD's questions (bench/question_bench.py,
recall@10 / MRR@10): 0.839 / 0.587 before, 0.840 / 0.592 after; on passages damaged as OCR
damages them (``--damage 0.04`` and ``0.08``) 0.831 / 0.579 and 0.830 / 0.573 before, 0.832 /
0.579 and 0.830 / 0.575 after; the relevance bench unchanged (0.992 / 0.989).

Verbs (issue 15): the ending of a tense, mood, participle, converb or verbal noun goes in one
piece with its person, its negation (-ма -ба -па) and a passive before it (-ыл -л -ын):
болу, болады, болып, болмаған, болған → бол; жасалған, жасау → жасау. The verb ending is the
last thing taken off, so the stem of a verb in -да -ла -та stays a verb (сақтады → сақта,
while the locative сақта → сақ). A verb's stem is what its infinitive has (оқыған → оқ as
оқу); a verb stem in a vowel is written as its infinitive (қалаған, қалау → қалау), so it
keeps apart from the noun it looks like (қала): after a vowel the past -ды and the accusative
-ны differ, so such a verb is told by its endings. A verb stem in a consonant that the list
also has as a noun is written as its infinitive too (жаз → жазу, as жаз is summer; бас → басу):
its forms keep apart from the noun's, but for the bare past in -ды, which after a consonant is
the accusative's spelling (жазды, барды, жерді): `stem` reads it as the noun, and `readings`,
what the index and queries use, as both. (A noun and a verb of
one spelling still meet where the list lacks one of them.) Where the list has the stem as a
verb, an ending that often ends a noun goes as well (see _LISTED_VERB_ENDINGS: бар-а, кел-е,
бар-а-мыз, ал-дық, бер-ме, көр-ер), but not from a word the list has (қала, талай, мәселе), nor
where a listed word and a noun suffix make the word (қала-мыз, our city); a listed verb stem
wins over one the list lacks (айнал-ған, not айна-л-ған), and so does a listed word left by a
noun suffix (Абай-ды, not аба-йды); where it has both stems, the past of the longer is taken
(қара-ды, not қар-ады). A word it has as a verb stem and as no other word, and that is no
listed word's form, is that verb (жаса, оқы, ашыл, жүр: an imperative, or a verb typed as its
stem; but таңда is таң+да). The past of a passive (жаса-л-ды, қос-ыл-ды,
талқыла-н-ды) is a verb where two syllables are left; the few common nouns in -ыл -ал that
would be cut so (ауыл, ақыл, мысал) are in PROTECTED. The two-letter verbs де, же take every
ending (деп, деді). What is left out, because it reads as a noun too often: the converb -а
and -й where one syllable remains and the list does not have the verb (бара, like қала), the
optative 1st person (мұнай+ын), -мақ (бармақ).

Choices, mostly for precision:

* Stem-final б г ғ are written п к қ (мектебі → мектеп, тәуелсіздігі → тәуелсіздік).
* өзен+і and қала+ны, облыс+ы and қала+сы look alike: the suffix rules alone cannot tell
  маман+ы from мама+ны. The list can: its nouns, adjectives and names that end in a vowel and
  н or с (WHOLE, about 3,300: маман, заман, өзен, облыс, мойын) keep their н and с, and маманы,
  облысы lose only the -ы (nor is мойын мой+ын). A word the list lacks loses a stem-final н
  or с after a vowel, so that both readings meet (an unlisted noun in -ан still meets its
  forms, at the cost of meeting a word in -а). Only once: байланыс is not байла+н+ы+с; and not
  after a case that follows a possessive: қатынас is not қат+ы+на+с, қарындас not
  қар+ы+нда+с; nor in -ыс/-іс after р л м н ң з ж й у ғ, the nouns made of verbs (өзгеріс,
  құрылыс, өндіріс stay apart from өзгеру, құрылу, өндіру).
* 1st/2nd person singular possessives (-м, -ым, -ң, -ың) go after a plural or before a
  dative (басыма, балаңа), -ым/-ім after a consonant where two syllables are left (өмірім,
  отаным), and elsewhere only where the list has the base as a noun and not the word itself
  (жан-ым, қол-ың, аға-м, аға-м-а): they end too many nouns of one syllable and -ым (ғылым,
  білім, бөлім, киім, all listed); so білімін is білім+і+н, not білі+мін.
* Derivation stays: -лық/-лік (ұлттық, облыстық, тәуелсіздік), -шы/-ші (оқушы, басшы),
  -сыз/-сіз (тәуелсіз), -лы/-лі (таулы): they name something else than their base. An
  adjective in -ды/-ты (күшті, міндетті, сенімді) looks like the accusative of its base
  (күш+ті) and, after a consonant, like a past tense (ал+ды): the adjectives of Apertium's
  lexicon in -ды/-ді/-ты/-ті (751 in the list) are kept whole, their forms
  (сенімдіге) with them, except those whose base is a verb too (түсті, етті, келісті), where
  the past tense is the common reading. Their base's accusative meets the adjective instead
  (сенімді, "the trust", is read as "trustworthy"). A rule without the list (kept apart after
  two syllables) cost 3 points of noun conflation and 2 of verbs for the same 2 points of
  merging, measured on the tune split of bench/stemmer_report.py's gold list, and recall@10 of
  the relevance bench's Kazakh inflected queries 1.000 -> 0.963; hunspell-kk cannot serve as
  the list: it lists inflected forms (алды, болды, қалан) as words.
* The comparative -ырақ/-ірек/-рақ/-рек goes from an adjective the list has, in a word it does
  not have (анығырақ, арзанырақ → анық, арзан; топырақ, жапырақ are words of their own).
* Loanwords: a final ь goes (модель/моделі), final -сс is one с (процесс/процесі), the female
  surname -ова/-ева is the male -ов/-ев (Сыздықова/Сыздықов).
* The attributive -ғы/-гі goes after a locative (қаладағы) or a word of time (жылғы).
* Names of places and people that the list has, as no other word, are kept whole, their forms
  with them (Семей, Семейде; Өскемен, Өскеменнің; Мұхтар, Мұхтардың; Қызылорда): the suffix
  rules cut them into other words' stems (се+й → сеу, өс+ке+мен → өс, the verb "grow", мұх+тар),
  and a search for a town found every page about growing. Not those the rules read as a form of
  a listed word (Болған, Тұрған, Сақтар are names too, and бол+ған, тұр+ған, сақ+тар far more
  often). On the gold list's held-out split this costs two proper-noun forms of 38 (ильхандар,
  нәсірдің: the list has them as names, and not the names they are forms of); nouns, verbs and
  merging are unchanged.
* Nouns whose vowel drops before a suffix in a vowel (халық → халқы, мойын → мойны, мүлік →
  мүлкі) are mapped back, by ELISION and by the list, and words that only look inflected
  (ақын, орын, аудан, шығыс) are never cut below themselves.
"""
from __future__ import annotations

import gzip
from bisect import bisect_left
from functools import lru_cache
from pathlib import Path

# Bumped whenever the stems change: it is part of the index schema's analysis mark, so an index
# built with other stems is reported outdated and rebuilt (`olke index check`, `make run`).
VERSION = 9

VOWELS = frozenset("аәеёиоөуұүыіэюя")
PURE_VOWELS = VOWELS - {"и", "у"}  # и and у end a stem like consonants: су → суы, ми → миы
BACK = frozenset("аоұыяё")
FRONT = frozenset("әөүіеэю")
CYRILLIC = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі")

# What a stem may end in before a suffix, as classes of its last letter.
V, G, R, L, N, Z, T, B = "V", "G", "R", "L", "N", "Z", "T", "B"
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
    """A suffix listed twice (the accusative and the past tense -ды) may follow either's classes."""
    for suffix in spellings.split():
        if suffix in SUFFIXES:
            was, was_min, was_kind = SUFFIXES[suffix]
            SUFFIXES[suffix] = (tuple(dict.fromkeys(was + after)), min(was_min, min_syllables), was_kind)
        else:
            SUFFIXES[suffix] = (after, min_syllables, kind)


# case
_add("case", "ның нің", (V, N))
_add("case", "дың дің", (G, R, L, Z, B))
_add("case", "тың тің", (T,))
_add("case", "ны ні", (V,))
_add("case", "ды ді", (G, R, L, N, Z, B))
_add("case", "ты ті", (T,))
_add("case", "ға ге", VOICED + (B,))
_add("case", "қа ке", (T,))
_add("case", "на не", (P3,))
_add("case", "да де дағы дегі", VOICED + (B,))
_add("case", "та те тағы тегі", (T,))
_add("case", "нда нде ндағы ндегі", (P3,))
_add("case", "дан ден", (V, G, R, L, Z, B))
_add("case", "нан нен", (N, P3))
_add("case", "тан тен", (T,))
_add("instr", "мен менен", (V, G, R, L, N))
_add("instr", "бен бенен", (Z, N))
_add("instr", "пен пенен", (T,))
# predicative 1st person (мұғаліммін, қазақпыз); -мыз is listed with the possessives. Not after a
# vowel: білім+і+н is not білі+мін.
_add("pred", "мын мін", (G, R, L, N))
_add("pred", "бын бін быз біз", (Z,))
_add("pred", "пын пін пыз піз", (T,))
# possessive
_add("poss", "ы і ымыз іміз ыңыз іңіз", CONS)
_add("poss", "сы сі ңыз ңіз", (V,))
_add("poss", "мыз міз", (V, G, R, L, N))
_add("poss", "ым ім ың ің", (PL,))
# and -ым/-ім after a consonant where two syllables are left (өмір-ім, отан-ым); with one it is
# too often a noun of its own (біл-ім, ғыл-ым, бөл-ім, ки-ім)
_add("poss", "ым ім", CONS)             # (the two syllables: see _can_strip)
# and, where the word list has the base as a noun and not the word itself (see _can_strip): -ым/-ім
# after one syllable, -ың/-ің after a consonant, -м/-ң after a vowel (жан-ым, бас-ың, аға-м, іні-м)
_add("poss", "ың ің", CONS)
_add("poss", "м ң ма ме", (V,))          # and аға-м-а
# comparative of a listed adjective (анығ-ырақ, арзан-ырақ, жақсы-рақ; not топырақ, жапырақ, listed
# themselves: see _can_strip)
_add("comp", "ырақ ірек", CONS)
_add("comp", "рақ рек", (V,))
# plural; -дар after a loanword's voiced б в г д as users write it (каталогдар, архивдер)
_add("plural", "лар лер", (V, G, R))
_add("plural", "дар дер", (L, N, Z, B))
_add("plural", "тар тер", (T,))


# 1st/2nd person possessive with the dative (бас-ым-а, жер-ің-е): not -ым alone (адам, ғылым, білім)
_add("poss", "ыма іме ыңа іңе", CONS)
_add("poss", "ңа ңе", (V,))                  # бала-ң-а (not бала-м-а: бағдарлама, анықтама)
_add("case", "дай дей", (V,))                 # similative жара-дай (not after a consonant: жағдай, маңдай)
# the accusative after a possessive (тіл-і-н, жер-і-н)
_add("case", "ын ін", CONS)
# a stem-final н or с after a vowel, and the accusative -н after a possessive (тарихы+н)
_add("final", "н с", ())


# Verb endings: the classes the verb stem may end in. A verb ending is the last thing taken off
# (the verb stem is not read as a noun after it: сақта-ды stops at сақта, while the noun сақ+та goes
# on to сақ), and it goes in one piece with its person and negation: the converb -а alone would cut
# қала, ана, бала, and negation -ма alone алма (apple).
VERB_SUFFIXES: dict[str, tuple[str, ...]] = {}


def _front(back: str) -> str:
    return back.translate(str.maketrans("аыұоқғ", "еіүөкг"))


def _verb(spellings: str, after: tuple[str, ...]) -> None:
    """Verb endings given in their back spelling; the front one is derived."""
    for back in spellings.split():
        for suffix in (back, _front(back)):
            VERB_SUFFIXES[suffix] = tuple(dict.fromkeys(VERB_SUFFIXES.get(suffix, ()) + after))


_AFTER_C = CONS + (B,)
_PERSON = ("ды", "мын", "сың", "сыңдар", "сыздар")   # not -мыз, -сыз: қала-мыз (our city), қала-сыз (cityless)
_NEG = {"ма": (V, G, R, L), "ба": (N, Z), "па": (T, B)}
# (ending after a consonant, ending after a vowel); "" where there is none. Present бар-а-ды,
# жаса-й-ды, оқ-и-ды (оқы-й-ды); not бар-а-мын, which would cut адам-ы-н.
_ENDINGS = [("" if p == "мын" else "а" + p, "й" + p) for p in _PERSON] + [("и" + p, "") for p in _PERSON] + [
    ("атын", "йтын"), ("атыны", "йтыны"), ("итын", ""),   # participle бар-атын, жаса-йтын, оқ-итын
    ("ған", "ған"), ("ғаны", "ғаны"), ("ғандай", "ғандай"),  # past participle ал-ған, ал-ған-ы (not алға+ны)
    ("", "ды"), ("дым", "дым"), ("дыңыз", "дыңыз"), ("дыңдар", "дыңдар"),  # past жаса-ды; after a consonant
    ("", "дық"), ("", "дың"),                              # -ды -дың are also cases, -дық a derivation
    ("ып", "п"), ("ыпты", "пты"), ("ыпсыз", ""), ("ыпсың", ""),   # converb бар-ып, жаса-п
    ("у", "у"),                                            # verbal noun бар-у, жаса-у
    ("а", "й"),              # converb шақыр-а, сөйле-й: two syllables left, -а only after р (see _can_strip)
    ("ғалы", "ғалы"), ("ғанша", "ғанша"), ("атындай", "йтындай"),  # бол-ғалы, өл-генше, ал-атындай
    ("ғаным", "ғаным"), ("ғаныма", "ғаныма"), ("ғандық", "ғандық"),
    ("ғандықтан", "ғандықтан"),                            # бол-ған-ым, бол-ған-дық-тан
    ("", "ғысы"),          # the wish қара-ғысы, айт-қысы (below); not after a voiced consonant, where it
                           # would cut the nouns in -ғы -гі with their possessive (үл-гі-сі, бел-гі-сі)
    ("айық", "йық"), ("ыңдар", "ңдар"),                    # бар-айық, ұста-ңдар
    ("армын", "рмын"), ("армыз", "рмыз"), ("арсың", "рсың"),  # future бар-ар-мын (not -ар alone: базар, өнер)
    ("са", ""), ("сам", ""), ("саң", ""), ("сақ", ""), ("саңыз", ""), ("саңдар", ""),  # conditional (жа-са!)
    ("сын", ""),            # optative бар-сын (жаса-сын is қала-сы-н to the noun rules; бар-айын would cut мұнай-ын)
]
_VOICELESS_START = {"ған": "қан", "ғаны": "қаны", "ғандай": "қандай", "дым": "тым", "дыңыз": "тыңыз",
                    "дыңдар": "тыңдар", "ғаным": "қаным", "ғаныма": "қаныма",
                    "ғандық": "қандық", "ғандықтан": "қандықтан", "ғалы": "қалы", "ғанша": "қанша"}
_verb("қысы", (T, B))
for _c, _v in _ENDINGS:
    if _v:
        _verb(_v, (V,))
    if _c in _VOICELESS_START:
        _verb(_c, (G, R, L, N, Z))
        _verb(_VOICELESS_START[_c], (T, B))
    elif _c:
        _verb(_c, _AFTER_C)
_verb("дық", (G, R))                                       # бар-дық (after л н з т also -дық, -тық)
for _neg, _after in _NEG.items():                          # ал-ма-ды, кет-пе-ген, бер-ме-й-ді
    _verb(" ".join(_neg + e for e in "ды дым дық ған у й йтын йтындай са сам саң сақ сын пты с стан".split()
                   + ["й" + p for p in _PERSON]),
          _after)


def _before(prefix: str, suffix: str) -> list[str]:
    """`prefix` (back spelling) put before `suffix` in the spellings harmony allows."""
    if any(ch in "еіәөү" for ch in suffix):
        return [_front(prefix) + suffix]
    if any(ch in "аыоұ" for ch in suffix):
        return [prefix + suffix]
    return [prefix + suffix, _front(prefix) + suffix]


# Passive with an ending (жаса-л-ған, аш-ыл-ып, сал-ын-ады, жария-ла-н-ған); with -ды where two
# syllables are left before it (шақыр-ыл-ды, жаса-л-ды, қосы-л-ды as қос-ыл-ды; the common nouns
# that end so, ауыл, ақыл, мысал, are in PROTECTED). A bare passive stem stays (ашыл).
_verb("ылды ылдым ылдың ылдық", CONS + (B,))
_verb("лды лдым лдық нды ндым ндық", (V,))
for _suffix, _after in list(VERB_SUFFIXES.items()):
    if L in _after and not _suffix.startswith(("ды", "ді", "ыл", "іл")):
        for _passive, _passive_after in (("ыл", CONS + (B,)), ("ын", (L,)), ("л", (V,)), ("н", (V,))):
            for _spelling in _before(_passive, _suffix):
                VERB_SUFFIXES.setdefault(_spelling, _passive_after)

# Verb endings that read as often as the end of a noun (бар-а and қала, бер-ме and терме, көр-ер
# and өнер, ал-дық and қалдық): taken only where the word list has what is left as a verb and the
# word itself as no noun (see _listed_verb).
_LISTED_VERB_ENDINGS = frozenset(
    spelling for back in ("а й ам амын асың асыз амыз асыңдар асыздар аңыз ар р армын дық тық "
                          "ма ба па йын айын").split()
    for spelling in (back, _front(back)))
for _suffix in _LISTED_VERB_ENDINGS:
    VERB_SUFFIXES.setdefault(_suffix, ())

# The attributive -ғы/-гі after words of time (бүгінгі, 1941 жылғы); elsewhere it is too
# often the possessive of a stem in -к/-қ (жүрегі, ерекшелігі).
TEMPORAL = frozenset("бүгін қазір кеше ертең бұрын кейін төмен жыл ай күз жаз қыс көктем "
                     "былтыр түн таң кеш соң".split())
_TEMPORAL_SUFFIXES = ("ғы", "гі", "қы", "кі")

# longest first; one suffix per length can match
_LENGTHS = sorted({len(s) for s in (*SUFFIXES, *VERB_SUFFIXES)}, reverse=True)
_PLURALS = ("лар", "лер", "дар", "дер", "тар", "тер")
_RUSSIAN_ONLY = frozenset("вфцчщэъьё")   # letters of loanwords, not of Kazakh words
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
                  "соғыс дауыс жолдас "
                  # nouns and adjectives in -ыл -іл -ал that a passive with the past -ды would cut
                  # (ауыл+ды as қос+ыл+ды, мысал+ды as жаса+л+ды)
                  "ауыл ақыл қызыл жасыл мысал ықпал мақал "
                  # nouns in -ап -еп that the converb -п would cut (жаса-п, істе-п)
                  "кітап мектеп жауап талап себеп тарап әдеп шарап".split())

_PROTECTED_WORDS = frozenset(PROTECTED)
_PROTECTED_LENGTHS = sorted({len(word) for word in PROTECTED})


def _read_lexicon(path: Path = Path(__file__).with_name("kazakh_lexicon.tsv.gz")) -> dict[str, frozenset[str]]:
    """The words of kazakh_lexicon.tsv.gz by kind: n nominal, v verb, a adjective in -ды/-ті, p a name
    kept whole (bench/kazakh_lexicon.py writes it)."""
    kinds: dict[str, set[str]] = {"n": set(), "o": set(), "v": set(), "a": set(), "p": set()}
    for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines():
        if line and not line.startswith("#"):
            word, of = line.split("\t")
            for kind in of:
                kinds[kind].add(word)
    return {kind: frozenset(words) for kind, words in kinds.items()}


# Kazakh letters as OCR (and a Russian keyboard) write them, without their mark
UNMARKED = {"қ": "к", "ғ": "г", "ұ": "у", "ү": "у", "ң": "н", "ө": "о", "ә": "а"}
_MISREAD = str.maketrans(UNMARKED)
# ... and as a Russian keyboard types them, і as и too; each plain letter with the Kazakh ones it stands for
TYPED_PLAIN = {**UNMARKED, "і": "и"}
MARKED_OF: dict[str, set[str]] = {}
for _marked, _plain in TYPED_PLAIN.items():
    MARKED_OF.setdefault(_plain, set()).add(_marked)


class Listed(frozenset):
    """A word list that finds a word also as OCR misreads it (қ as к, ң as н, ө as о, …): a page
    read as Жынғылды is cut as the list has Жыңғылды cut, so their stems stay one letter apart,
    as the fuzzy search allows, instead of parting ways."""

    def __new__(cls, words, folded: bool = False):
        return super().__new__(cls, words if folded else (word.translate(_MISREAD) for word in words))

    def __contains__(self, word) -> bool:
        return frozenset.__contains__(self, word.translate(_MISREAD))


_LEXICON = _read_lexicon()
_FOLDED = {kind: frozenset("\n".join(words).translate(_MISREAD).split("\n")) if words else frozenset()
           for kind, words in _LEXICON.items()}          # folded all at once: quicker to import
NOMINALS = Listed(_FOLDED["n"], folded=True)   # the lexicon's nouns, adjectives and names
WORDS = Listed(_FOLDED["n"] | _FOLDED["o"], folded=True)   # and its other words that are no verbs: adverbs, …
VERBS = Listed(_FOLDED["v"], folded=True)      # its verb stems (бар, жаса, оқы)
ADJECTIVES = Listed(_FOLDED["a"], folded=True)  # сенімді, қымбатты: not the accusative of сенім, қымбат
NOUN_VERBS = Listed(_LEXICON["n"] & _LEXICON["v"])   # жаз (summer; write), бас (head; press), күрес
WHOLE = Listed(w for w in _LEXICON["n"] if w[-1] in "нс" and w[-2] in VOWELS)   # маман, өзен, облыс
_KEPT = Listed(ADJECTIVES | Listed(_PROTECTED_WORDS), folded=True)   # never cut below themselves
# and, as spelt (no OCR misreading: сұдан, a name, would keep судан, from water, whole), names:
NAMES = _LEXICON["p"]        # Семей, Өскемен, Мұхтар: not се+й, өс+ке+мен, мұх+тар
_DEVOICE = str.maketrans({"б": "п", "г": "к", "ғ": "қ"})


_PAST = frozenset(("ды", "ді", "ты", "ті"))


@lru_cache(maxsize=65536)
def readings(word: str) -> tuple[str, ...]:
    """The stems a word is indexed and searched by: its `stem`, and where that reads the bare past
    of a verb that is also a noun as the noun's accusative (жазды: wrote, or the summer; берді,
    барды, көрді), the verb's too, so that жазды meets both жаз and жазған."""
    found = stem(word)
    if word[-2:] in _PAST and found == word[:-2] and found in NOUN_VERBS:
        return found, _verb_written(found)
    return (found,)


_SPELT = _LEXICON["n"] | _LEXICON["o"] | _LEXICON["v"]     # every word of the list, as spelt
_SORTED_WORDS = sorted(_SPELT)


def spelt_as_listed(word: str) -> bool:
    """Whether a stem is, exactly as spelt, a word of the list: a noun or other word, a verb stem,
    or a verb as its forms are written (жазу)."""
    return word in _SPELT or (word[-1:] == "у" and word[:-1] in _LEXICON["v"])


@lru_cache(maxsize=65536)
def listed_stem(word: str) -> bool:
    """Whether a stem is that of a word of the list as spelt: `spelt_as_listed`, or the stem of a
    listed word a letter or two longer (бәр of бәрі, модел of модель)."""
    if spelt_as_listed(word):
        return True
    at = bisect_left(_SORTED_WORDS, word)
    while at < len(_SORTED_WORDS) and _SORTED_WORDS[at].startswith(word):
        lemma = _SORTED_WORDS[at]
        if len(lemma) <= len(word) + 2 and word in readings(lemma):
            return True
        at += 1
    return False


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
    if word.endswith(("ь", "ъ")) or word.endswith(_SURNAME_ENDINGS) or not _RUSSIAN_ONLY.isdisjoint(word):
        return None          # a Russian loanword takes either: фестивалі, вагондар
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
    if last in "бвгд":       # in a loanword, typed with -да -дар as often as with -та -тар
        classes.add(B)
    return classes


def _verb_stem_fits(stem: str, suffix: str) -> bool:
    """What a verb ending asks of the stem it leaves, beyond its last letter."""
    if ((suffix[0] in "ае" or suffix[:2] in ("ыл", "іл")) and stem[-1] not in VOWELS
            and stem[-2] not in VOWELS and stem[-2:] not in _ROOT_ENDS):
        return False         # тоқта+ды, сөйле+ді, not тоқт+ады: a verb stem ending in two consonants
                             # ends in -да -ла -та (but айт+ады, тарт+ады)
    if suffix in _PARTICIPLE and (stem[-1] in "мн" or syllables(stem) > 1 and stem[-1] not in "рзлт"):
        return False         # мемлекет+і+н, табиғат+ы+н, формат+ы+н; but көрсет+етін, орындал+атын
    if suffix.startswith(("ылд", "ілд")) and syllables(stem) < 2:
        return False         # шақыр+ыл+ды, but ауыл+ды, ақыл+ды
    if suffix.startswith(("лд", "нд")) and syllables(stem) < 2:
        return False         # жаса+л+ды, қосы+л+ды, талқыла+н+ды (-н: see below)
    if suffix in ("а", "е", "й") and (syllables(stem) < 2 or suffix != "й" and stem[-1] != "р"):
        return False         # шақыр+а, аудар+а (causative -тыр -дыр, -ар), сөйле+й; not қал+а, кітапхан+а
    if suffix[0] == "н" and not (stem[-1] in "ае" and stem[-2:-1] == "л"):
        return False         # the passive -н of a verb in -ла -ле only: жария-ла-н-ған
    return True


def _listed_stem(stem: str, suffix: str = "") -> bool:
    """Whether the word list has `stem` as a verb, before `suffix` (also шық for шығ-, and оқы for
    оқ- before -иды, -у, -ып, where a verb in -ы loses it: not жасы for жас- before -ады)."""
    forms = (stem, _normalise(stem)) + ((stem + "ы", stem + "і") if suffix[:1] in ("и", "у", "ы", "і") else ())
    return any(form in VERBS for form in forms)


def _listed_verb(word: str, suffix: str) -> bool:
    """Whether the word list has `word` less `suffix` as a verb and `word` as no noun (бара is
    бар+а; қала is a noun), and the ending fits the stem's last letter and harmony."""
    stem = word[: -len(suffix)]
    if word in WORDS or len(stem) < 2 or not _listed_stem(stem, suffix):
        return False
    for i in range(len(stem) + 1, len(word)):
        rest = word[i:]
        if word[:i] in WORDS and rest in SUFFIXES and _can_strip(word, rest):
            return False     # a listed word with a noun suffix: қала+мыз (our city), not қал+а+мыз
    if stem[-1] in VOWELS and suffix[0] in "ае":
        return False         # a verb stem in a vowel takes -й, not -а: сөйле-й
    wanted, has = _suffix_harmony(suffix), _harmony(stem)
    return wanted is None or has is None or wanted == has


def _restored(stem: str) -> str:
    """A noun whose last vowel dropped before a suffix in a vowel, as the word list has it: мойн(ы)
    is мойын, мүлк(і) мүлік (ELISION names the common ones for words the list lacks)."""
    if len(stem) < 3 or stem[-1] in VOWELS or stem[-2] in VOWELS or stem in WORDS:
        return stem
    harmony = _harmony(stem)
    for vowel in ("ы",) if harmony == "back" else ("і",) if harmony == "front" else ("ы", "і"):
        if stem[:-1] + vowel + stem[-1] in NOMINALS:
            return stem[:-1] + vowel + stem[-1]
    return stem


def _can_strip(word: str, suffix: str, verb: bool = False) -> bool:
    """Whether `suffix` may come off `word` as a noun suffix, or with `verb` as a verb ending."""
    if verb and suffix in _LISTED_VERB_ENDINGS and _listed_verb(word, suffix):
        return True
    if verb:
        after, min_syllables, kind = VERB_SUFFIXES[suffix], 0, "verb"
    else:
        after, min_syllables, kind = SUFFIXES[suffix]
    stem = word[: -len(suffix)]
    if len(stem) < 2 or not VOWELS.intersection(stem):
        return False
    if stem[-1] in PURE_VOWELS and len(stem) < 3 and not (verb and stem[-1] == "е" and suffix[0] not in "лн"):
        return False         # ана is not ан+а, but де+ген, де+п, же+ді are forms of де, же (қо+йды is not one of қой)
    if verb and not _verb_stem_fits(stem, suffix):
        return False
    if suffix in ("ны", "ні", "сы", "сі") and word[:-1] in WHOLE or suffix in ("ын", "ін") and word in WHOLE:
        return False         # маман+ы is not мама+ны, облыс+ы not облы+сы; мойын is not мой+ын
    if verb and word in WORDS and (suffix in ("а", "е", "й") or len(suffix) < 3 and not _listed_stem(stem, suffix)):
        return False         # талай, мәселе are words, not converbs (сөйле-й, шақыр-а) nor мәсе+л+е
    if kind == "final" or suffix in ("сы", "сі", "ны", "ні"):
        # өзен+і or қала+ны? облыс+ы or қала+сы? Only after a vowel, where both readings meet.
        if stem[-1] not in PURE_VOWELS:
            return False
        if kind == "final" and word in WORDS:
            return False     # маман, мәселен keep their н
        if stem[-2:] in _TWICE:
            return False     # not a second time: байланыс is not байла+н+ы+с
        if suffix in ("с", "сы", "сі") and stem.endswith(_AFTER_POSSESSIVE):
            return False     # nor after a case that follows a possessive: қатынас is not қат+ы+на+с
        if suffix in ("с", "сы", "сі") and stem[-1] in "ыі" and stem[-2] in _BEFORE_YS:
            return False     # nor is -ыс/-іс after a verb's last consonant: өзгеріс, құрылыс, өндіріс
                             # are nouns of their own, not өзгер+і+с (өзгеру); басшы+сы still goes
        if kind == "final":
            return True
    if not _classes(stem).intersection(after):
        return False
    if min_syllables and syllables(stem) < min_syllables:
        return False
    if suffix in _MY_YOUR and not stem.endswith(_PLURALS):
        if word in WORDS:
            return False     # ұстаным, a word of the list, is not ұстан+ым
        if (suffix not in ("ым", "ім") or syllables(stem) < 2) and _normalise(stem) not in NOMINALS:
            return False     # өмір+ім, отан+ым, балалар+ым; жан+ым, аға+м (listed); not біл+ім, ғыл+ым
    if kind == "comp" and (word in WORDS or _normalise(stem) not in NOMINALS):
        return False         # анығырақ is анық+ырақ; топырақ is a word, not топ+ырақ
    if kind == "instr":
        return True
    wanted = _suffix_harmony(suffix)
    has = _harmony(stem)
    return wanted is None or has is None or wanted == has


def _normalise(stem: str) -> str:
    stem = stem[:-1] + stem[-1].translate(_DEVOICE)
    return ELISION.get(stem, stem)


def _loanword(word: str) -> str:
    """Spellings of one loanword or name brought together: модель/моделі, процесс/процесі,
    Сыздықова/Сыздықов."""
    if word.endswith(("ь", "ъ")):
        word = word[:-1]
    elif len(word) > 4 and word.endswith("сс"):
        word = word[:-1]
    elif len(word) > 5 and word.endswith(("ова", "ева")):
        word = word[:-1]
    return word


_ROOT_ENDS = frozenset(("йт", "рт", "лт", "нт", "рқ", "рк"))
_PARTICIPLE = frozenset(("атын", "етін", "атыны", "етіні"))
_TWICE = frozenset(("ны", "ні", "сы", "сі"))
_MY_YOUR = frozenset(("ым", "ім", "ың", "ің", "м", "ң", "ма", "ме"))   # 1st/2nd person singular possessives
# The consonants a verb stem ends in before the noun-making -ыс/-іс (өзгер-іс, құрыл-ыс, жар-ыс);
# not ш т д г, which end nouns in -шы -ты -ды -гі that take the possessive -сы (басшы-сы, үлгі-сі).
_BEFORE_YS = frozenset("рлмнңзжйуғ")
_AFTER_POSSESSIVE = ("ына", "іне", "ында", "інде")   # cases that follow only a 3rd person possessive


def _verb_stem(stem: str) -> str:
    """A verb stem in -ы/-і as its infinitive has it: дамы(ған) as да-му, оқы(ған) as оқу."""
    if len(stem) > 2 and stem[-1] in "ыі" and stem[-2] not in VOWELS:
        return stem[:-1]
    return stem


def _strip_once(word: str, floor: int) -> tuple[str, bool] | None:
    """The word with one suffix less and whether that was a verb ending (the last to go), or None."""
    for suffix in _TEMPORAL_SUFFIXES:
        if word.endswith(suffix) and word[: -len(suffix)] in TEMPORAL:
            return word[: -len(suffix)], False
    if word.endswith("ю") and len(word) - 1 >= max(floor, 2):   # сүю, жою, кию: сүй+у, ки+у
        base = word[:-1]
        if base[-1] in PURE_VOWELS and VOWELS.intersection(base):
            return base + "й", True
        if base[-1] == "и":
            return base, True
    verb = None
    longest = len(word) - max(floor, 1)
    for length in _LENGTHS:
        if length > longest:
            continue
        suffix = word[-length:]
        if suffix in SUFFIXES and _can_strip(word, suffix):
            stem = _normalise(word[:-length])
            stem = _loanword(_restored(stem) if suffix[0] in VOWELS else stem)
            if verb is None or stem in WORDS or _listed_stem(stem):
                return stem, False
        if suffix in VERB_SUFFIXES and _can_strip(word, suffix, verb=True):
            stem = word[:-length]
            if suffix in ("ады", "еді") and word[:-2] in VERBS:
                continue     # қара+ды, the past of a listed verb, rather than the present қар+ады
            found = _verb_stem(_loanword(_normalise(stem))), True
            if _listed_stem(stem, suffix) or found[0] in VERBS:
                return found
            # a stem the word list lacks as a verb: a shorter ending that leaves a listed verb
            # (айнал+ған, not айна+л+ған) or a noun suffix that leaves a listed word (абай+ды,
            # not аба+йды) wins
            verb = verb or found
    return verb


def _verb_written(stem: str) -> str:
    """A verb stem as its forms are written: in a vowel or shared with a noun, as its infinitive."""
    return stem + "у" if stem[-1] in PURE_VOWELS or stem in NOUN_VERBS else stem


def _bare_verb(word: str) -> str:
    """A word the list has as a verb stem (жаса, оқы, ашыл, жүр: an imperative, or a verb typed as
    its stem) written as that verb's forms are."""
    for passive in ("ыл", "іл", "ын", "ін", "л", "н"):        # ашыл as аш, as ашылды is
        if word.endswith(passive) and len(word) - len(passive) >= 2 and _listed_stem(word[: -len(passive)]):
            word = word[: -len(passive)]
            break
    return _verb_written(_verb_stem(word))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The stem of a lower-case Kazakh word; other tokens come back unchanged."""
    if len(word) < 3 or not CYRILLIC.issuperset(word):
        return word
    floor = max((n for n in _PROTECTED_LENGTHS if word[:n] in _PROTECTED_WORDS), default=0)
    word = _loanword(_normalise(word))
    for _ in range(12):  # no Kazakh word carries more suffixes than this
        if word in _KEPT or word in NAMES:
            break        # орн+ы → орын, сенімді+ге → сенімді, and no further
        found = _strip_once(word, floor)
        if word in VERBS and word not in WORDS and not (found and not found[1] and found[0] in WORDS):
            return _bare_verb(word)    # жүр, and жүр+ді as its past; not таңда, which is таң+да
        if found is None:
            break
        word, verb = found
        if verb:
            word = _verb_written(word)   # қала+у (to want) is not қала (city), жаз+у not жаз (summer)
            break
    return word
