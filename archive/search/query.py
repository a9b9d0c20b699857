"""From what a researcher types to a Whoosh query.

Words are ANDed and each is looked up stemmed in Kazakh and in Russian, with an OCR-tolerant
fuzzy variant (edit distance 1, the first two letters fixed) scored lower; "quoted phrases" match
the unstemmed text; OR, NOT (and -word), and field filters title:, author:, source:, rubric:.
A Kazakh word typed in the Latin alphabet of 2021 is also looked up in Cyrillic (the analysers
add its Cyrillic readings when they analyse a query).
"""
from __future__ import annotations

import re

from whoosh import query as Q
from whoosh.qparser import FieldAliasPlugin, MultifieldParser, PlusMinusPlugin

from archive.search.model import SearchRequest
from archive.search.schema import STEMMED_FIELDS, build_schema

TEXT_FIELDS = ("text_kaz", "text_rus", "title")
FIELD_ALIASES = {"author": ["автор", "авторы"], "title": ["тақырып", "атауы", "заглавие"],
                 "source": ["басылым", "источник"], "rubric": ["айдар", "рубрика"]}
FUZZY_BOOST = 0.3
FUZZY_MIN_LENGTH = 5       # shorter words have too many neighbours to be worth it
_PHRASE = re.compile(r'(?<![\w:])"([^"]+)"')   # a quoted phrase with no field: the unstemmed text


_SCHEMA = build_schema()


def _parser() -> MultifieldParser:
    parser = MultifieldParser(list(TEXT_FIELDS), _SCHEMA)
    parser.add_plugin(PlusMinusPlugin())
    parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
    return parser


_PARSER = None


def text_query(text: str, fuzzy: bool = True) -> Q.Query:
    global _PARSER
    if not text.strip():
        return Q.Every()
    _PARSER = _PARSER or _parser()
    parsed = _PARSER.parse(_PHRASE.sub(r'exact:"\1"', text))
    return _rewrite(parsed, fuzzy)


def _rewrite(node: Q.Query, fuzzy: bool) -> Q.Query:
    """Plain words gain an OCR-tolerant fuzzy variant."""
    if isinstance(node, Q.Term) and fuzzy and node.fieldname in STEMMED_FIELDS.values() \
            and len(node.text) >= FUZZY_MIN_LENGTH - 1:
        return Q.Or([node, Q.FuzzyTerm(node.fieldname, node.text, boost=FUZZY_BOOST, maxdist=1,
                                       prefixlength=2)])
    if isinstance(node, Q.BinaryQuery):  # AndNot, AndMaybe: only the positive side is widened
        return node.__class__(_rewrite(node.a, fuzzy), node.b)
    if isinstance(node, Q.CompoundQuery):
        return node.__class__([_rewrite(child, fuzzy) for child in node.subqueries], boost=node.boost)
    if isinstance(node, Q.Not):
        return Q.Not(_rewrite(node.query, fuzzy))
    return node


def filters(request: SearchRequest) -> Q.Query | None:
    terms = []
    for name, fieldname in (("kind", "kind"), ("language", "language"), ("source", "source_name"),
                            ("rubric", "rubric_name"), ("access", "access")):
        value = getattr(request, name)
        if value:
            terms.append(Q.Term(fieldname, value))
    if request.year_from or request.year_to:
        terms.append(Q.NumericRange("year", request.year_from, request.year_to))
    return Q.And(terms) if terms else None


def build(request: SearchRequest) -> Q.Query:
    request.validate()
    main = text_query(request.text, request.fuzzy)
    restrict = filters(request)
    return Q.And([main, restrict]) if restrict is not None else main
