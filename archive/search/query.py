"""From what a researcher types to a Whoosh query.

Words are ANDed and each is looked up stemmed in Kazakh and in Russian, with an OCR-tolerant
fuzzy variant (edit distance 1, the first two letters fixed) scored lower; "quoted phrases" match
the unstemmed text; OR, NOT (and -word), and field filters title:, author:, source:, rubric:.
A Kazakh word typed in the Latin alphabet of 2021 is also looked up in Cyrillic (the analysers
add its Cyrillic readings when they analyse a query).

A hyphen inside a word joins (әл-Фараби: its parts on one page, or the parts written as one word;
the index holds hyphenated words joined too); only a minus at the start of a word means NOT. A
question mark after a word ends a question, it is no wildcard.

`plan` splits a query of plain words into its words, so that pages with most of them can follow
the pages with all of them (``archive.search.matching``); stop words (function words and question
words of Kazakh and Russian) are left out of it unless the query has nothing else.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from whoosh import query as Q
from whoosh.qparser import FieldAliasPlugin, MultifieldParser, PlusMinusPlugin

from archive import rubrics
from archive.search import kazakh
from archive.search.analysis import fold
from archive.search.model import SearchRequest
from archive.search.schema import STEMMED_FIELDS, build_schema

TEXT_FIELDS = ("text_kaz", "text_rus", "title", "author")
# An author's name stands on every page of a document: it finds the document where the words are
# nowhere else, and ranks below pages that hold them in their text.
FIELD_BOOSTS = {"author": 0.05}
FIELD_ALIASES = {"author": ["автор", "авторы"], "title": ["тақырып", "атауы", "заглавие"],
                 "source": ["басылым", "источник"], "rubric": ["айдар", "рубрика"]}
FUZZY_BOOST = 0.3
FUZZY_MIN_LENGTH = 5       # shorter words have too many neighbours to be worth it
_PHRASE = re.compile(r'(?<![\w:])"([^"]+)"')   # a quoted phrase with no field: the unstemmed text


_HYPHENATED = re.compile(r"(?<![\w:])(\w+:)?(\w+(?:[-‐‑]\w+)+)")
_QUESTION_MARK = re.compile(r"(?<=[\w)\]»”\"'])\?+(?=[\s.,;!»”\")\]]|$)|(?<!\S)[?¿]+(?!\S)")
_QUOTED = re.compile(r'("[^"]*"?)')

# Function words and question words that do not decide whether a page matches.
STOP_WORDS = frozenset("""
    және мен бен пен да де та те ғой ғана бұл сол осы мына ана ол олар оның оны оған онда олардың
    үшін туралы арқылы бойынша дейін шейін сияқты секілді әрі немесе не ме ма ба бе па пе мә ше
    қандай қалай қашан неше нешінші кім кімнің кімге кімді кімнен қай қайда қайдан қайсы қанша
    неге неліктен нені неден нешеде несі қандай қашаннан қаншалықты еді екен деген дегеніміз бар жоқ
    немен ненің нешеу кімдер кіммен қайсысы қайсысын қандайы деп шы ші
    и в во на с со по о об обо что как когда где кто какой какая какое какие каком какого какую
    который которая которое которые это этот эта эти тот та те то был была было были есть ли же бы
    не ни к ко у из за от до для а но или при про чем чей чья чье чьи сколько почему зачем куда
    откуда он она оно они его ее их так также уже кого кому кем ком чего чему каков какова каковы
    каких каким какими скольких
""".split())


@dataclass
class Plan:
    """A query of plain words taken apart: `words` (as typed, with their queries) are counted for
    partial matching; `required` (quoted phrases, field:words) and `excluded` (NOT, -word) keep
    their meaning; `restrict` is the request's filters. Queries that are not a list of words (OR,
    +word, brackets) are not taken apart (`split` False): `whole` is then their only query."""
    whole: Q.Query | None = None
    words: list[tuple[str, Q.Query]] = field(default_factory=list)
    required: list[Q.Query] = field(default_factory=list)
    excluded: list[Q.Query] = field(default_factory=list)
    restrict: Q.Query | None = None
    stopped: list[str] = field(default_factory=list)
    split: bool = False          # taken apart (else `whole` is evaluated as it is)

    @property
    def partial(self) -> bool:
        return len(self.words) >= 2

    @property
    def needed(self) -> int:
        """Half the words: partial matches with at least so many rank before those with fewer,
        which are shown only when these fill no page of results (`least_words`)."""
        return max(1, math.ceil(len(self.words) / 2))


def least_words(words: int, needed: int, per_page: int, documents_with: Callable[[int], int]) -> int:
    """How many of a query's `words` a page must have to be shown, whatever engine counts them
    (`documents_with(k)`: how many documents have a page with k of the words or more): all of them
    when a page of results' documents has all; else `needed` (half) when that many documents have
    as many; else fewer, down to one, until a page of results is filled."""
    if documents_with(words) >= per_page:
        return words
    least = needed
    while least > 1 and documents_with(least) < per_page:
        least -= 1
    return least


_SCHEMA = build_schema()


def _parser() -> MultifieldParser:
    parser = MultifieldParser(list(TEXT_FIELDS), _SCHEMA, fieldboosts=FIELD_BOOSTS)
    parser.add_plugin(PlusMinusPlugin())
    parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
    return parser


_PARSER = None


def text_query(text: str, fuzzy: bool = True) -> Q.Query:
    global _PARSER
    if not text.strip():
        return Q.Every()
    _PARSER = _PARSER or _parser()
    parsed = _PARSER.parse(_PHRASE.sub(r'exact:"\1"', _typed(tidy_operators(balanced_quotes(text)))))
    return _rewrite(parsed, fuzzy)


def _typed(text: str) -> str:
    """Outside quotes: question marks dropped, hyphenated words made one group of their parts or
    the parts joined (``әл-Фараби`` → ``((әл AND Фараби) OR әлФараби)``)."""
    def hyphens(match: re.Match) -> str:
        parts = re.split(r"[-‐‑]", match.group(2))
        return f"{match.group(1) or ''}(({' AND '.join(parts)}) OR {''.join(parts)})"
    pieces = _QUOTED.split(text)
    for i in range(0, len(pieces), 2):
        pieces[i] = _HYPHENATED.sub(hyphens, _QUESTION_MARK.sub("", pieces[i]))
    return "".join(pieces)


_ITEM = re.compile(r'(?:"[^"]*"?|[^\s"])+')
# what makes a query more than a list of words: brackets group only with these (a bracketed aside
# in a typed question, "(1997 жылға дейін)", is words like the others)
_OPERATORS = re.compile(r'(?<!\S)(?:OR|ANDNOT|ANDMAYBE)(?!\S)|(?<!\S)\+')
EDGE_PUNCTUATION = "\"'.,;:!?«»“”„()[]{}—–-…"
_FIELD_ITEM = re.compile(r"\(*(\w+):(?=[^\s:])")
FIELD_NAMES = frozenset({*_SCHEMA.names(), *(alias for aliases in FIELD_ALIASES.values() for alias in aliases)})


def is_stop_word(word: str) -> bool:
    """A function or question word, or a letter alone (an initial, Қ. or М., or an abbreviation,
    ж. or ғ.): none decides whether a page matches."""
    bare = fold(word.strip(EDGE_PUNCTUATION))
    return bare in STOP_WORDS or (len(bare) == 1 and bare.isalpha())


def balanced_quotes(text: str) -> str:
    """The text without its last double quote when it has an odd number of them: a quote left
    open (Мұртты" обалар) is a slip, not a phrase running to the end of the query."""
    if text.count('"') % 2:
        at = text.rfind('"')
        text = text[:at] + " " + text[at + 1:]
    return text


_BINARY = frozenset(("OR", "AND", "ANDNOT", "ANDMAYBE"))
_OPERATOR_WORDS = _BINARY | {"NOT"}


def tidy_operators(text: str) -> str:
    """The query without operators that join nothing: one at the start or the end (кітапхана OR,
    OR кітапхана, кітапхана NOT), or right after another (кітапхана OR OR библиотека). Parsed as
    they are, Whoosh would look such an operator up as a word and find nothing."""
    items = _ITEM.findall(text)
    if _OPERATOR_WORDS.isdisjoint(items):
        return text
    kept: list[str] = []
    for item in items:
        if item in _BINARY and (not kept or kept[-1] in _OPERATOR_WORDS):
            continue
        kept.append(item)
    while kept and kept[-1] in _OPERATOR_WORDS:
        kept.pop()
    return " ".join(kept)


def _field_item(item: str) -> bool:
    """Whether a typed item is field:words (title:Абай, автор:Әуезов); a word before a colon that
    ends a question or a heading (саны:, Тақырыбы:) is a word."""
    found = _FIELD_ITEM.match(item)
    return bool(found) and found.group(1).lower() in FIELD_NAMES


def plan(request: SearchRequest) -> Plan:
    """The request's query taken apart into words (see `Plan`)."""
    request.validate()
    text = tidy_operators(balanced_quotes(request.text))
    if not text.strip() or _OPERATORS.search(_QUOTED.sub(" ", text)):
        return Plan(build(request))
    found = Plan(restrict=filters(request), split=True)
    words: list[tuple[str, Q.Query]] = []
    negate = joined = False
    for item in _ITEM.findall(text):
        if item == "NOT":
            negate = True
            continue
        if item == "AND":               # the words on either side are both wanted, not counted
            if words and not joined:
                found.required.append(words.pop()[1])
            joined = True
            continue
        if item.startswith("-") and len(item) > 1:
            negate, item = True, item[1:]
        query = text_query(item, request.fuzzy)
        if query is Q.NullQuery or isinstance(query, type(Q.NullQuery)):
            negate = False
            continue
        if negate:
            found.excluded.append(query)
        elif '"' in item or _field_item(item) or joined:
            found.required.append(query)
        else:
            words.append((item.strip(EDGE_PUNCTUATION) or item, query))
        negate = joined = False
    content = [(word, query) for word, query in words if not is_stop_word(word)]
    if content:
        found.stopped = [word for word, _ in words if is_stop_word(word)]
    found.words = content or words
    if not found.partial:                       # one word or none: it is simply required
        found.required += [query for _, query in found.words]
        found.words = []
    return found


# Letters confused in the first two of a word, which the fuzzy variant keeps fixed: a Kazakh letter
# and the Russian one without its mark (OCR, and typing on a Russian keyboard), і/и, ш/щ, н/и.
_CONFUSED = {**kazakh.TYPED_PLAIN, "щ": "ш", "н": "и"}
_CONFUSED_BACK: dict[str, list[str]] = {}
for _kz, _ru in _CONFUSED.items():
    _CONFUSED_BACK.setdefault(_ru, []).append(_kz)
KAZAKH_ONLY = frozenset("әғқңөұүһі")


def _head_variants(stem: str, fieldname: str) -> list[str]:
    """`stem` with one of its first two letters read as a letter it is confused with. A Kazakh
    mark is added (бар typed for бәр on a Russian keyboard) only where that gives no word of the
    word list when the stem is one: бар stays бар, not бәр(і); кол becomes қол."""
    out = []
    listed = fieldname == STEMMED_FIELDS["kaz"] and kazakh.listed_stem(stem)
    for i, letter in enumerate(stem[:2]):
        for other in [_CONFUSED.get(letter, "")] + _CONFUSED_BACK.get(letter, []):
            if other and not (fieldname == STEMMED_FIELDS["rus"] and other in KAZAKH_ONLY):
                variant = stem[:i] + other + stem[i + 1:]
                if not (listed and other in KAZAKH_ONLY and letter not in KAZAKH_ONLY
                        and kazakh.listed_stem(variant)):
                    out.append(variant)
    return out


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _rewrite(node: Q.Query, fuzzy: bool) -> Q.Query:
    """Plain words gain their readings with one of their first two letters confused and an
    OCR-tolerant fuzzy variant (one edit past them), scored lower: one misreading, not two. A number
    gains neither: a year or a № one digit away is another year or another school (1937 is not 1933
    or 1987), not a misreading worth showing as a match."""
    if isinstance(node, Q.Term) and fuzzy and node.fieldname in STEMMED_FIELDS.values() and len(node.text) >= 3 \
            and not _has_digit(node.text):
        variants = [Q.Term(node.fieldname, text, boost=FUZZY_BOOST) for text in _head_variants(node.text, node.fieldname)]
        if len(node.text) >= FUZZY_MIN_LENGTH - 1:
            variants.append(OcrFuzzyTerm(node.fieldname, node.text, boost=FUZZY_BOOST, maxdist=1, prefixlength=2))
        if variants:
            return Q.Or([node] + variants)
    if isinstance(node, Q.BinaryQuery):  # AndNot, AndMaybe: only the positive side is widened
        return node.__class__(_rewrite(node.a, fuzzy), node.b)
    if isinstance(node, Q.CompoundQuery):
        return node.__class__([_rewrite(child, fuzzy) for child in node.subqueries], boost=node.boost)
    if isinstance(node, Q.Not):
        return Q.Not(_rewrite(node.query, fuzzy))
    return node


def fuzzy_matches(node: Q.FuzzyTerm, candidates) -> set[str]:
    """Of `candidates` (index words sharing the fuzzy term's first letters), those within its edits
    (Damerau-Levenshtein) that `OcrFuzzyTerm` keeps."""
    found = process.extract(node.text, candidates, scorer=DamerauLevenshtein.distance,
                            score_cutoff=node.maxdist, limit=None)
    return {word for word, _, _ in found if _misreading(node, word)}


def _misreading(node: Q.FuzzyTerm, word: str) -> bool:
    """Whether an index word near a fuzzy term may be the term misread. In the Kazakh field, where
    the term is a word of the word list as spelt, the list's other words are not (қара for қала,
    киіз for киім, мама for маман, жаз, summer, for жазу, to write): a misread word is far more
    often no word at all. A term the list lacks (Сарыарка) keeps them all."""
    if word == node.text or node.fieldname != STEMMED_FIELDS["kaz"] or not kazakh.spelt_as_listed(node.text):
        return True
    return not kazakh.spelt_as_listed(word)


class OcrFuzzyTerm(Q.FuzzyTerm):
    """A word's OCR-tolerant variant: the index words one edit away that may be it misread
    (`fuzzy_matches`), as Whoosh's own evaluation reads it too."""

    def _btexts(self, ixreader):
        for word in super()._btexts(ixreader):
            if _misreading(self, word.decode("utf-8") if isinstance(word, bytes) else word):
                yield word


def filters(request: SearchRequest) -> Q.Query | None:
    terms = []
    for name, fieldname in (("kind", "kind"), ("language", "language"), ("source", "source_name"),
                            ("rubric", "rubric_name"), ("access", "access"), ("library", "library")):
        value = getattr(request, name)
        if value and name == "rubric":
            terms.append(Q.Or([Q.Term(fieldname, v) for v in rubrics.filter_values(value)]))
        elif value:
            terms.append(Q.Term(fieldname, value))
    if request.year_from or request.year_to:
        terms.append(Q.NumericRange("year", request.year_from, request.year_to))
    return Q.And(terms) if terms else None


def build(request: SearchRequest) -> Q.Query:
    request.validate()
    main = text_query(request.text, request.fuzzy)
    restrict = filters(request)
    return Q.And([main, restrict]) if restrict is not None else main
