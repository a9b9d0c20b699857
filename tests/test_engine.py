"""The array query engine against Whoosh's own matching and against counts made by hand.

The index is synthetic (bench/search_bench.py's generator), written in three commits so that it
has several segments, with documents deleted from two of them: the cases where page numbers,
offsets and deletions could go wrong.
"""
from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
from whoosh import formats

from archive.search import engine, whoosh_internals
from archive.search import index as index_module
from archive.search import schema as schema_module
from archive.search.index import WhooshIndex
from archive.search.query import SearchRequest, build
from archive.search.results import search
from archive.search.schema import WIDE, PackedPositions, build_schema
from bench.search_bench import synthetic_corpus


@pytest.fixture(scope="module")
def corpus():
    return synthetic_corpus(600, seed=11)


@pytest.fixture(scope="module")
def index(corpus, tmp_path_factory):
    index = WhooshIndex(tmp_path_factory.mktemp("engine") / "index")
    documents = corpus.documents
    third = len(documents) // 3
    index.replace_documents(documents[:third])
    index.replace_documents(documents[third:2 * third])
    index.replace_documents(documents[2 * third:])
    index.delete_documents([documents[1][0].id, documents[third + 2][0].id])
    assert index.segment_count() == 3
    return index


def _words(index, count: int, seed: int = 3) -> list[str]:
    with index.searcher() as searcher:
        reader = searcher.reader()
        words = [w.decode() for field in ("text_kaz", "text_rus") for w in reader.lexicon(field)
                 if len(w.decode()) > 3 and not w.decode().isdigit()]
    return random.Random(seed).sample(words, count)


def _common_word(index, seed: int) -> str:
    """A word on 20-200 of the 600 pages."""
    with index.searcher() as searcher:
        reader = searcher.reader()
        words = sorted(w.decode() for w in reader.lexicon("text_kaz")
                       if 20 <= reader.doc_frequency("text_kaz", w) <= 200 and w.decode().isalpha())
    return random.Random(seed).choice(words)


def _queries(index) -> list[SearchRequest]:
    w = _words(index, 24)
    with index.searcher() as searcher:
        texts = [whoosh_internals.page_fields(searcher.reader())(n)["exact"].split() for n in range(5, 500, 61)
                 if not searcher.reader().is_deleted(n)]
    phrases = ([f'"{t[20]} {t[21]}"' for t in texts]
               + [f'"{t[31]} {t[30]}"' for t in texts[:3]]            # the words reversed
               + [f'"{t[40]} {t[42]}"' for t in texts[:3]]            # a word between them
               + [f'"{t[50]} {t[51]} {t[52]}"' for t in texts[:3]])
    return ([SearchRequest(text=x) for x in w[:8]]
            + [SearchRequest(text=f"{a} {b}") for a, b in zip(w[8:12], w[12:16])]
            + [SearchRequest(text=f"{a} OR {b}") for a, b in zip(w[:4], w[16:20])]
            + [SearchRequest(text=f"{a} NOT {b}") for a, b in zip(w[16:20], w[:4])]
            + [SearchRequest(text=f"{x[:3]}*") for x in w[20:24]]
            + [SearchRequest(text=p) for p in phrases]
            + [SearchRequest(text=x, kind="newspaper_article") for x in w[:4]]
            + [SearchRequest(text=x, year_from=1990, year_to=2010) for x in w[4:8]]
            + [SearchRequest(text="", language="rus"), SearchRequest(text="", year_to=1975)])


def test_pages_found_are_those_whoosh_finds(index):
    queries = _queries(index)
    assert len(queries) > 50
    with index.searcher() as searcher:
        for request in queries:
            query = build(request)
            ours = engine.evaluate(searcher, query).matches.ids
            theirs = sorted({hit.docnum for hit in searcher.search(query, limit=None)})
            assert ours.tolist() == theirs, request.text


def test_nothing_deleted_is_found(index, corpus):
    deleted = {corpus.documents[1][0].id, corpus.documents[len(corpus.documents) // 3 + 2][0].id}
    results = search(index, SearchRequest(text="", per_page=100))
    assert results.total_documents == len(corpus.documents) - 2
    assert not deleted & {d.doc_id for d in results.documents}


def test_scores_follow_bm25(index):
    """A page where the word is more frequent (relative to the page's length) scores higher."""
    word = _words(index, 1, seed=9)[0]
    with index.searcher() as searcher:
        matches = engine.evaluate(searcher, build(SearchRequest(text=word, fuzzy=False))).matches
        assert len(matches) and np.all(matches.scores > 0)
        reader = searcher.reader()
        field = next(f for f in ("text_kaz", "text_rus") if (f, word) in reader)
        frequency = dict(reader.postings(field, word).items_as("frequency"))
    ranked = sorted(frequency, key=lambda n: -frequency[n])
    if frequency[ranked[0]] > frequency[ranked[-1]]:
        score = dict(zip(matches.ids.tolist(), matches.scores.tolist()))
        assert max(score[n] for n in ranked if frequency[n] == frequency[ranked[0]]) > \
            min(score[n] for n in ranked if frequency[n] == frequency[ranked[-1]])


def test_facets_and_totals_count_documents_over_all_matches(index, corpus):
    word = _common_word(index, seed=5)
    results = search(index, SearchRequest(text=word, per_page=5))
    with index.searcher() as searcher:
        hits = searcher.search(build(SearchRequest(text=word)), limit=None)
        stored = [hit.fields() for hit in hits]
    documents = {f["doc_id"]: f for f in stored}
    assert results.total_pages == len(stored)
    assert results.total_documents == len(documents) > 5          # more than the page shows
    expected = {"kind": Counter(f["kind"] for f in documents.values()),
                "language": Counter(f["language"] for f in documents.values()),
                "year": Counter(str(f["year"]) for f in documents.values() if f.get("year")),
                "rubric": Counter(r for f in documents.values() for r in f["rubric_name"].split(",") if r)}
    for name, counts in expected.items():
        assert dict(results.facets[name]) == dict(counts), name
    assert sum(d.matched_pages for d in results.documents) <= results.total_pages


def test_documents_ranked_by_their_best_page_and_pages_best_first(index):
    word = _common_word(index, seed=7)
    results = search(index, SearchRequest(text=word, per_page=20))
    scores = [d.score for d in results.documents]
    assert scores == sorted(scores, reverse=True)
    for document in results.documents:
        page_scores = [p.score for p in document.pages]
        assert page_scores == sorted(page_scores, reverse=True) and page_scores[0] == document.score


def test_sort_by_date_both_ways_and_paging(index):
    first = search(index, SearchRequest(text="", sort="date", per_page=10))
    second = search(index, SearchRequest(text="", sort="date", per_page=10, page=2))
    newest = search(index, SearchRequest(text="", sort="-date", per_page=10))
    dates = [d.published for d in first.documents + second.documents]
    assert dates == sorted(dates) and len(set(d.doc_id for d in first.documents + second.documents)) == 20
    assert [d.published for d in newest.documents] == sorted((d.published for d in newest.documents), reverse=True)
    assert newest.documents[0].published >= dates[-1]


def test_fuzzy_finds_a_damaged_word_and_marks_it(index):
    word = next(w for w in _words(index, 40, seed=13) if len(w) >= 6 and w.isalpha())
    damaged = word[:3] + ("ж" if word[3] != "ж" else "з") + word[4:]
    results = search(index, SearchRequest(text=damaged))
    exact = search(index, SearchRequest(text=word, fuzzy=False))
    assert results.total_pages >= exact.total_pages > 0
    assert any(marked for d in results.documents for p in d.pages for _, marked in p.snippet)


def test_columns_are_kept_per_segment(index):
    """A second search reads no column again: the arrays of unchanged segments are reused."""
    search(index, SearchRequest(text="", kind="book"))
    with index.searcher() as searcher:
        before = [id(leaf.columns) for leaf in engine.view(searcher).leaves]
    index.replace_documents([])                       # a commit that changes nothing
    with index.searcher() as searcher:
        assert [id(leaf.columns) for leaf in engine.view(searcher).leaves] == before


def test_stored_fields_are_read_from_each_segment_as_whoosh_reads_them(index):
    """The results page reads a page's stored fields from its segment's own reader, past Whoosh's
    schema check: the same fields, in an index of three segments with deleted pages."""
    with index.searcher() as searcher:
        reader = searcher.reader()
        assert len(reader.readers) == 3
        numbers = range(0, reader.doc_count_all(), 7)
        assert [whoosh_internals.stored_fields(reader, n) for n in numbers] == \
            [searcher.stored_fields(n) for n in numbers]
        assert len({whoosh_internals.stored_fields(reader, n)["doc_id"] for n in numbers}) > 50


def test_a_document_re_described_is_counted_under_its_new_rubrics_only(tmp_path, corpus):
    """Replacing a document leaves its old pages deleted in their segment until a merge: the rubric
    facet (counted by document) reads the live pages' rubrics."""
    from dataclasses import replace

    (first, pages), (second, other_pages) = corpus.documents[0], corpus.documents[1]
    word = pages[0]["text"].split()[5]
    index = WhooshIndex(tmp_path / "index")
    index.replace_documents([(replace(first, rubrics=["history"]), pages),
                             (replace(second, rubrics=["history"]), other_pages + [dict(pages[0], number=99)])])
    index.replace_documents([(replace(first, rubrics=["literature"]), pages)])
    with index.searcher() as searcher:
        assert engine.view(searcher).deleted is not None          # the old pages are still there, deleted
    facets = dict(search(index, SearchRequest(text=word, fuzzy=False)).facets["rubric"])
    from archive import rubrics
    assert facets == {rubrics.facet_value(["literature"]): 1, rubrics.facet_value(["history"]): 1}


def test_an_empty_index_finds_nothing(tmp_path):
    empty = WhooshIndex(tmp_path / "index")
    for request in (SearchRequest(text="кітап"), SearchRequest(text=""), SearchRequest(text="", sort="date"),
                    SearchRequest(text='"ескі кітап"', kind="book", year_from=1990)):
        results = search(empty, request)
        assert (results.total_documents, results.total_pages, results.documents) == (0, 0, [])
        assert all(counts == [] for counts in results.facets.values())


@pytest.mark.parametrize("positions", [[], [0], [3, 17, 240], [5, 65534], [2, 65535], [0, 70000, 4_000_000]])
def test_packed_positions_read_back(positions):
    packed = PackedPositions()
    value = packed.encode(positions)
    assert packed.decode_positions(value) == positions
    assert packed.decode_frequency(value) == len(positions)
    assert value.startswith(WIDE) == (bool(positions) and positions[-1] >= 0xFFFF)


def _phrase_pages(index, phrases: list[str]) -> list[tuple[list[int], list[int]]]:
    with index.searcher() as searcher:
        found = []
        for text in phrases:
            query = build(SearchRequest(text=text))
            found.append((engine.evaluate(searcher, query).matches.ids.tolist(),
                          sorted({hit.docnum for hit in searcher.search(query, limit=None)})))
        return found


def test_phrases_on_a_page_longer_than_65535_words(tmp_path, corpus):
    """Positions past 65,535 are stored wide; phrases there are still found, and not elsewhere."""
    document, pages = corpus.documents[0]
    words = " ".join(pages[0]["text"].split()[:50])
    long_text = " ".join([words] * 1400) + " ақырғы сөйлем мұнда"        # 70,000+ words
    index = WhooshIndex(tmp_path / "index")
    index.replace_documents([(document, [dict(pages[0], text=long_text), dict(pages[0], number=2)])])
    found = _phrase_pages(index, ['"ақырғы сөйлем мұнда"', '"мұнда ақырғы"', f'"{words.split()[0]} {words.split()[1]}"'])
    assert found[0] == ([0], [0]) and found[1] == ([], [])
    assert found[2][0] == found[2][1] and 0 in found[2][0]
    with index.searcher() as searcher:
        reader = engine.view(searcher).leaves[0].reader
        values = whoosh_internals.BlockValues()
        ids, _ = engine.read_postings(reader, "exact", "ақырғы".encode(), values)
        pages, positions = engine.positions_at(reader.schema["exact"].format, ids, values, np.array([0]))
    assert (pages.tolist(), positions.tolist()) == ([0], [len(long_text.split()) - 3])


def test_a_phrase_reads_its_frequent_words_only_where_its_rarest_word_is(index):
    """Postings read `within` some pages come from the blocks that may hold them, undecoded
    elsewhere, and are the full read's postings in those blocks."""
    with index.searcher() as searcher:
        leaf = max(engine.view(searcher).leaves, key=lambda leaf: leaf.columns.size)
        reader = leaf.reader
        btext, ids = max(((b, engine.read_postings(reader, "exact", b)[0]) for b in reader.lexicon("exact")),
                         key=lambda pair: len(pair[1]))
        assert len(ids) > 128                             # more than one block
        for within in (ids[-1:], ids[:1], ids[::50], np.array([ids[-1] + 1])):
            some, _ = engine.read_postings(reader, "exact", btext, within=within)
            assert set(within.tolist()) & set(ids.tolist()) <= set(some.tolist())
            assert set(some.tolist()) <= set(ids.tolist())
        assert len(engine.read_postings(reader, "exact", btext, within=ids[-1:])[0]) < len(ids)
        assert not len(engine.read_postings(reader, "exact", btext, within=np.array([ids[-1] + 1]))[0])


def test_indexes_written_with_whooshs_own_positions_still_match_phrases(tmp_path, corpus, monkeypatch):
    """An index written before packed positions (Whoosh's pickled lists) is read one page at a time."""
    def old_schema():
        schema = build_schema()
        schema["exact"].format = formats.Positions()
        return schema

    monkeypatch.setattr(index_module, "build_schema", old_schema)
    old = WhooshIndex(tmp_path / "index")
    old.replace_documents(corpus.documents[:40])
    with old.searcher() as searcher:
        assert type(searcher.schema["exact"].format) is formats.Positions
        texts = [whoosh_internals.page_fields(searcher.reader())(n)["exact"].split() for n in range(0, 100, 9)]
    phrases = [f'"{t[10]} {t[11]}"' for t in texts] + [f'"{t[11]} {t[10]}"' for t in texts]
    found = _phrase_pages(old, phrases)
    assert all(ours == theirs for ours, theirs in found)
    assert sum(bool(ours) for ours, _ in found) >= len(texts)
    monkeypatch.undo()
    assert old.outdated()
    old.clear()
    assert not old.outdated()


def test_indexes_written_before_the_text_column_still_show_snippets(tmp_path, corpus, monkeypatch):
    """An index written with each page's text among its stored fields (zlib-compressed, with
    Whoosh's codec) and no `page_text` column is searched with the same snippets, and is outdated."""
    from whoosh import fields

    from archive.search.whoosh_internals import PackedCodec

    def old_schema():
        schema = build_schema()
        schema.remove("page_text")
        schema.remove("exact")
        schema.add("exact", fields.TEXT(analyzer=schema_module.exact_analyzer(), phrase=True, stored=True))
        schema["exact"].format = PackedPositions()
        return schema

    new = WhooshIndex(tmp_path / "new")
    new.replace_documents(corpus.documents[:40])
    monkeypatch.setattr(index_module, "build_schema", old_schema)
    monkeypatch.setattr(index_module, "whoosh_fields", index_module.page_fields)     # no text column
    monkeypatch.setattr(index_module, "_codec", PackedCodec)
    old = WhooshIndex(tmp_path / "old")
    old.replace_documents(corpus.documents[:40])
    with old.searcher() as searcher:
        assert "page_text" not in searcher.schema and searcher.stored_fields(3)["exact"]
    with new.searcher() as searcher:
        assert "exact" not in searcher.stored_fields(3)
    words = [w for w in corpus.documents[5][1][0]["text"].split() if w.isalpha() and len(w) > 6][:4]
    compared = 0
    for word in words:
        theirs, ours = old.search(SearchRequest(text=word)), new.search(SearchRequest(text=word))
        assert [(d.doc_id, [(p.page, p.snippet) for p in d.pages]) for d in theirs.documents] == \
            [(d.doc_id, [(p.page, p.snippet) for p in d.pages]) for d in ours.documents]
        compared += sum(hit for d in ours.documents for p in d.pages for _, hit in p.snippet)
    assert compared >= len(words)
    monkeypatch.undo()
    assert old.outdated() and not new.outdated()


def test_packed_posting_blocks_read_back_as_written(monkeypatch):
    """Page numbers far apart (deltas past 65,535), weights and positions of varied lengths (one
    page stored WIDE) come back the same through Whoosh's matcher and through Olke's block reader,
    from packed blocks and from a last block too short to pack."""
    from whoosh.codec.whoosh3 import W3TermInfo
    from whoosh.filedb.filestore import RamStorage

    monkeypatch.setattr(whoosh_internals, "PACK_FROM", 3)

    fmt = PackedPositions()
    postings = [(0, [1, 5]), (5, [2]), (300, list(range(40))), (70_000, [7, 70_000, 100_000]),
                (200_000, [3]), (200_001, [9, 10]), (200_002, [0])]
    storage = RamStorage()
    postfile = storage.create_file("postings")
    writer = whoosh_internals.PackedPostingsWriter(postfile, blocklimit=3)
    writer.start_postings(fmt, W3TermInfo())
    for page, positions in postings:
        writer.add_posting(page, float(len(positions)), fmt.encode(positions), len(positions))
    offset, length = writer.finish_postings().extent()
    postfile.close()

    def matcher():
        return whoosh_internals.PackedLeafMatcher(storage.open_file("postings"), offset, length, fmt)

    whooshs = matcher()
    assert [(page, fmt.decode_positions(value)) for page, value in whooshs.all_items()] == postings
    blocks = matcher()
    packed = []
    while blocks.is_active():
        blocks._read_data()
        packed.append([whoosh_internals._packed(part) for part in blocks._data])
        blocks._next_block()
    assert packed == [[True, True, True], [True, True, True], [False, False, False]]

    class Reader:
        def postings(self, fieldname, btext):
            return matcher()

    values = whoosh_internals.BlockValues()
    ids, weights = engine.read_postings(Reader(), "exact", b"x", values)
    assert ids.tolist() == [page for page, _ in postings]
    assert weights.tolist() == [len(positions) for _, positions in postings]
    wanted = np.array([5, 300, 200_001])
    pages, positions = engine.positions_at(fmt, ids, values, wanted)
    assert list(zip(pages.tolist(), positions.tolist())) == [(5, 2)] + [(300, p) for p in range(40)] + [(200_001, 9), (200_001, 10)]
    pages, positions = engine.positions_at(fmt, ids, values, np.array([0, 70_000]))      # one stored WIDE
    assert positions.tolist() == [1, 5, 7, 70_000, 100_000] and pages.tolist() == [0, 0, 70_000, 70_000, 70_000]


def test_an_index_written_with_whooshs_own_blocks_is_read_alike_and_outdated(tmp_path, corpus, monkeypatch):
    """Segments written before packed blocks (Whoosh's codec) are read beside packed ones with the
    same answers as Whoosh's; the index is outdated until its segments are written again."""
    from whoosh.codec.whoosh3 import W3Codec

    monkeypatch.setattr(index_module, "_codec", W3Codec)
    old = WhooshIndex(tmp_path / "index")
    old.replace_documents(corpus.documents[:30])
    assert old.outdated()
    monkeypatch.undo()
    old.replace_documents(corpus.documents[30:60])          # a packed segment beside the old one
    assert old.segment_count() == 2 and old.outdated()
    with old.searcher() as searcher:
        page = whoosh_internals.page_fields(searcher.reader())
        texts = [page(n)["exact"].split() for n in range(0, searcher.doc_count_all(), 13)]
    phrases = [f'"{t[10]} {t[11]}"' for t in texts] + [f'"{t[11]} {t[10]}"' for t in texts]
    found = _phrase_pages(old, phrases + [t[12] for t in texts])
    assert all(ours == theirs for ours, theirs in found)
    assert sum(bool(ours) for ours, _ in found) >= len(texts)
    old.optimize()
    assert not old.outdated()
    assert _phrase_pages(old, phrases + [t[12] for t in texts]) == found


def test_another_whoosh_is_refused_with_what_to_install(monkeypatch):
    """Olke reads Whoosh's private internals in one module, which checks the version they are of."""
    import importlib

    import whoosh

    from archive.errors import MissingDependency
    from archive.search import whoosh_internals

    monkeypatch.setattr(whoosh, "versionstring", lambda: "2.8.0")
    with pytest.raises(MissingDependency, match=r"Whoosh 2\.8\.0 is installed; install Whoosh==2\.7\.4"):
        importlib.reload(whoosh_internals)
    monkeypatch.undo()
    importlib.reload(whoosh_internals)


def test_an_index_written_with_other_stems_is_outdated(tmp_path, monkeypatch):
    from archive.search import index as index_module
    from archive.search import schema as schema_module

    monkeypatch.setattr(schema_module, "ANALYSIS_MARK", "analysis_0_kk1")     # as an older Olke wrote it
    monkeypatch.setattr(index_module, "build_schema", schema_module.build_schema)
    old = WhooshIndex(tmp_path / "index")
    with old.searcher() as searcher:
        assert "analysis_0_kk1" in searcher.schema.names()
    monkeypatch.undo()
    assert old.outdated()
    old.clear()
    assert not old.outdated()


def test_sorted_runs_merge_as_numpy_unique_would():
    rng = np.random.default_rng(7)
    for sizes in [(0, 5), (1, 1), (300, 40, 0, 3), (5000, 5000)]:
        runs = [np.unique(rng.integers(0, 400, size)).astype(np.int64) for size in sizes]
        ids, where = engine.merged(runs)
        expected_ids, expected_where = np.unique(np.concatenate(runs), return_inverse=True)
        assert ids.tolist() == expected_ids.tolist()
        assert where.tolist() == expected_where.ravel().tolist()
    ids, where = engine.merged([np.empty(0, np.int64)])
    assert len(ids) == 0 and len(where) == 0
