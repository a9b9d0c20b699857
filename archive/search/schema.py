"""The search index's schema: one index document per page, with its document's metadata.

Query words are analysed into alternatives (Kazakh and Russian stems, a Latin word's Cyrillic
reading) at one position, which must be ORed: hence ``multitoken_query="or"``.
Page text goes into the field of its language (``text_kaz`` or ``text_rus``, each with its own
stemming; pages of unknown language into both), and unstemmed into ``exact`` for quoted phrases.
"""
from __future__ import annotations

import struct

import lz4.block
from whoosh import columns, fields, formats

from archive.search import kazakh
from archive.search.analysis import exact_analyzer, page_analyzer

STEMMED_FIELDS = {"kaz": "text_kaz", "rus": "text_rus"}


WIDE = b"\xff\xff"       # marks positions stored as uint32: a page of 65,535 words or more


class PackedPositions(formats.Positions):
    """Word positions as a little-endian uint16 array (uint32 after `WIDE` on very long pages).

    Whoosh stores them as a pickled list, one ``pickle.loads`` per page when a phrase is checked;
    for a phrase of two common words that is 100,000 loads. These arrays are joined and read for
    all the candidate pages at once (``archive.search.engine.positions_at``).
    """

    def encode(self, poslist) -> bytes:
        if not poslist or poslist[-1] < 0xFFFF:
            return struct.pack(f"<{len(poslist)}H", *poslist)
        return WIDE + struct.pack(f"<{len(poslist)}I", *poslist)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        if valuestring[:2] == WIDE:
            return list(struct.unpack(f"<{(len(valuestring) - 2) // 4}I", valuestring[2:]))
        return list(struct.unpack(f"<{len(valuestring) // 2}H", valuestring))

    def decode_frequency(self, valuestring: bytes) -> int:
        if valuestring[:2] == WIDE:
            return (len(valuestring) - 2) // 4
        return len(valuestring) // 2


# Bumped whenever what the analyzers make of a word, or what the facets store, changes, or the schema
# gains a field older indexes lack (the Kazakh stemmer has its own number). 3: rubrics are stored by
# their keys (archive.rubrics); 4: the holding library; 5: a page without a language of its own is
# stemmed in its document's; 6: a Kazakh surname is also indexed by its Russian stems (surname_keys);
# 7: a Russian word in -ем, -им that Snowball cuts as a verb is also itself (russian_stems);
# 8: a page's text is kept in the `page_text` column (`encode_text`), not among its stored fields.
ANALYSIS_VERSION = 8
ANALYSIS_MARK = f"analysis_{ANALYSIS_VERSION}_kk{kazakh.VERSION}"


def encode_text(text: str, plain: bool) -> bytes:
    """A page's text as the `page_text` column keeps it: a byte saying whether it is `plain`
    (``results.plain_text``), then the text in UTF-16, compressed by LZ4. Results pages read the
    text of every page they show; Whoosh's stored fields (one pickled dict a page, compressed by
    zlib, its text in UTF-8) took five times as long to read (30 µs a page of 2,200 letters,
    against 6 µs), for a column a half larger."""
    return bytes((plain,)) + lz4.block.compress(text.encode("utf-16-le", "surrogatepass"), store_size=True)


def decode_text(value: bytes) -> tuple[str, bool]:
    """A page's text from its `page_text` column value (`encode_text`), and whether it is plain."""
    if not value:
        return "", False
    return lz4.block.decompress(value[1:]).decode("utf-16-le", "surrogatepass"), value[0] == 1


def build_schema() -> fields.Schema:
    both = page_analyzer("auto")
    exact = fields.TEXT(analyzer=exact_analyzer(), phrase=True)
    exact.format = PackedPositions()
    return fields.Schema(
        key=fields.ID(stored=True, unique=True),                 # "<document id>:<page>"
        doc_id=fields.NUMERIC(int, stored=True, sortable=True, signed=False),
        page=fields.NUMERIC(int, stored=True, signed=False),
        # no positions in the stemmed fields: phrases are matched in `exact`, and positions would
        # double what indexing writes
        text_kaz=fields.TEXT(analyzer=page_analyzer("kaz"), phrase=False, multitoken_query="or"),
        text_rus=fields.TEXT(analyzer=page_analyzer("rus"), phrase=False, multitoken_query="or"),
        exact=exact,
        page_text=fields.COLUMN(columns.VarBytesColumn()),      # the page as printed (`encode_text`)
        title=fields.TEXT(analyzer=both, stored=True, field_boost=2.0, multitoken_query="or"),
        author=fields.TEXT(analyzer=both, multitoken_query="or"),
        source=fields.TEXT(analyzer=both, multitoken_query="or"),
        rubric=fields.TEXT(analyzer=both, multitoken_query="or"),
        # exact values for filters and facets
        kind=fields.ID(stored=True, sortable=True),
        language=fields.ID(stored=True, sortable=True),          # the document's language
        page_language=fields.ID(stored=True),
        source_name=fields.ID(stored=True, sortable=True),
        rubric_name=fields.KEYWORD(stored=True, commas=True, lowercase=False),
        year=fields.NUMERIC(int, stored=True, sortable=True),
        decade=fields.NUMERIC(int, sortable=True),
        published=fields.ID(stored=True, sortable=True),         # YYYY[-MM[-DD]], sorts by date
        access=fields.ID(stored=True),
        library=fields.ID(stored=True, sortable=True),           # the holding library's code
        # No values: its name records the analysis the index was written with, so an index whose
        # stems no longer match the queries' is `outdated` (see WhooshIndex.outdated) and rebuilt.
        **{ANALYSIS_MARK: fields.STORED()},
    )
