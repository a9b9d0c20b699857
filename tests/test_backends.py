"""Whoosh and tantivy answer alike: the same corpus indexed by both (in three commits, with
documents deleted and replaced), the same requests of every kind, and the same documents, page and
document counts, facet counts, matched terms and partial matches in the answers. Scores are each
engine's own (BM25 both, computed differently), so only the order of documents by date is compared."""
from __future__ import annotations

import random

import pytest

from archive.search.backends import BACKENDS, new_index
from archive.search.model import SearchRequest
from bench.search_bench import make_queries, synthetic_corpus


@pytest.fixture(scope="module")
def corpus():
    return synthetic_corpus(900, seed=17)


@pytest.fixture(scope="module")
def indexes(corpus, tmp_path_factory):
    documents = corpus.documents
    third = len(documents) // 3
    found = {}
    for backend in BACKENDS:
        index = new_index(tmp_path_factory.mktemp(backend) / "index", backend)
        index.replace_documents(documents[:third])
        index.replace_documents(documents[third:2 * third])
        index.replace_documents(documents[2 * third:])
        index.delete_documents([documents[1][0].id, documents[third + 2][0].id])
        index.replace_documents([documents[5]])                     # re-indexed in place
        found[backend] = index
    return found


def _requests(corpus) -> list[SearchRequest]:
    made = make_queries(corpus, 6, seed=5)
    requests = [request for kind in made.values() for request in kind]
    rng = random.Random(3)
    words = [r.text for r in made["term"]]
    frequent = [r.text for r in made["term_frequent"]]
    first = corpus.documents[0][0]
    rubric = next(d.rubrics[0] for d, _ in corpus.documents if d.rubrics)
    source = next(d.source for d, _ in corpus.documents if d.source)
    requests += [
        SearchRequest(text=f"{words[0]} OR {words[1]}"),
        SearchRequest(text=f"{frequent[0]} NOT {frequent[1]}"),
        SearchRequest(text=f"{frequent[0]} -{frequent[2]}"),
        SearchRequest(text=f"{frequent[0]} {frequent[1]} {frequent[2]}"),
        SearchRequest(text=f"({words[2]} OR {words[3]}) {frequent[0]}"),
        # partial matches where a word's spellings are joined (a hyphen: both halves; a phrase)
        SearchRequest(text=f"{words[0]}-{frequent[1]} {words[2]} {frequent[0]}"),
        SearchRequest(text=f"{made['phrase'][0].text} {words[1]} {words[3]}"),
        SearchRequest(text=f"{frequent[1]}-{frequent[2]} {words[4]} -{frequent[0]}"),
        SearchRequest(text=f"{words[0][:4]}*"),
        SearchRequest(text=f"title:{first.title.split()[0]}"),
        SearchRequest(text=frequent[0], year_from=1960, year_to=1990),
        SearchRequest(text=frequent[1], rubric=rubric),
        SearchRequest(text=frequent[1], source=source),
        SearchRequest(text=frequent[2], kind="book", language="kaz"),
        SearchRequest(text="", kind="newspaper_article"),
        SearchRequest(text="", year_from=2000),
        SearchRequest(text=frequent[0], fuzzy=False),
        SearchRequest(text=words[rng.randrange(len(words))], per_page=3, page=2),
    ]
    requests += [SearchRequest(text=frequent[i], sort=sort) for i, sort in enumerate(("date", "-date"))]
    return requests


def _answer(results) -> dict:
    return {"documents": results.total_documents, "pages": results.total_pages, "facets": results.facets,
            "terms": results.terms, "partial": results.partial, "complete": results.complete_documents,
            "shown": len(results.documents)}


def _documents(results) -> dict:
    return {d.doc_id: (d.matched_pages, len(d.missing), d.title, d.published) for d in results.documents}


def test_both_engines_answer_every_request_alike(corpus, indexes):
    checked = partial = phrases = 0
    for request in _requests(corpus):
        whoosh, tantivy = (indexes[backend].search(request) for backend in BACKENDS)
        assert _answer(tantivy) == _answer(whoosh), request
        if whoosh.total_documents <= request.per_page * request.page and request.page == 1:
            assert _documents(tantivy) == _documents(whoosh), request
        if request.sort != "relevance":
            assert [d.published for d in tantivy.documents] == [d.published for d in whoosh.documents], request
        checked += whoosh.total_documents > 0
        partial += whoosh.partial
        phrases += "phrases" in whoosh.terms
    assert checked >= 40 and partial >= 3 and phrases >= 3


def _doc_id_size(aggregation) -> int | None:
    """The number of documents an aggregation asks to count per bucket (its doc_id terms' size)."""
    for value in aggregation.values():
        if isinstance(value, dict):
            terms = value.get("terms", {})
            if terms.get("field") == "doc_id":
                return terms["size"]
            found = _doc_id_size(value)
            if found is not None:
                return found
    return None


def test_counts_and_facets_alike_when_read_by_ranges_of_documents(corpus, indexes, monkeypatch):
    """tantivy refuses an aggregation of more than 65,000 buckets (an archive of some 16,000
    documents passed it when each document's metadata was read in one): documents are counted by
    ranges of their ids, and a range still refused is halved. Ranges of 40 ids, with every range
    wider than 8 ids refused as tantivy would, give the same answers as Whoosh."""
    from archive.search import tantivy_index

    monkeypatch.setattr(tantivy_index, "DOC_RANGE", 40)
    index = indexes["tantivy"]
    real = index.snapshot()
    refused = []

    class Refusing:
        def __getattr__(self, name):
            return getattr(real.searcher, name)

        def aggregate(self, query, aggregation):
            size = _doc_id_size(aggregation)
            if size is not None and size > 8:
                refused.append(size)
                raise ValueError("Aborting aggregation because bucket limit was exceeded. Limit: 65000")
            return real.searcher.aggregate(query, aggregation)

    monkeypatch.setattr(index, "_snapshot", tantivy_index.Snapshot(Refusing(), real.stamp))
    assert index.snapshot().top_doc_id() > 40
    for request in _requests(corpus)[:30]:
        assert _answer(index.search(request)) == _answer(indexes["whoosh"].search(request)), request
    assert index.page_counts() == indexes["whoosh"].page_counts()
    assert refused and max(refused) == 40


def test_every_document_the_same_when_all_are_listed(corpus, indexes):
    """With a hundred documents a page, every matching document is listed by both, with its pages."""
    for request in make_queries(corpus, 4, seed=9)["and"] + make_queries(corpus, 4, seed=9)["partial"]:
        request.per_page = 100
        whoosh, tantivy = (indexes[backend].search(request) for backend in BACKENDS)
        if whoosh.total_documents <= 100:
            assert _documents(tantivy) == _documents(whoosh), request.text


def test_index_upkeep_alike(corpus, indexes):
    whoosh, tantivy = (indexes[backend] for backend in BACKENDS)
    assert tantivy.page_counts() == whoosh.page_counts()
    assert tantivy.keys() == whoosh.keys()
    assert not tantivy.outdated() and not whoosh.outdated()


def test_undated_documents_and_pages_of_unknown_language_alike(tmp_path):
    from bench.search_bench import Doc

    documents = [(Doc(1, "a", published=None), [{"number": 1, "text": "кітап бар", "language": "kaz"}]),
                 (Doc(2, "b", published="1990", source="Иртыш", rubrics=["Тарих", "Өлке, жер"]),
                  [{"number": 1, "text": "кітап жоқ", "language": "kaz"}]),
                 (Doc(3, "c", published="2001-02"), [{"number": 1, "text": "кітап, книги", "language": None}])]
    indexes = [new_index(tmp_path / backend, backend) for backend in BACKENDS]
    for index in indexes:
        index.replace_documents(documents)
    for request in (SearchRequest(text="кітап", sort="date"), SearchRequest(text="кітап", sort="-date"),
                    SearchRequest(text="книга"), SearchRequest(text="", rubric="Тарих")):
        whoosh, tantivy = (index.search(request) for index in indexes)
        assert _answer(tantivy) == _answer(whoosh) and _documents(tantivy) == _documents(whoosh), request
        assert [d.title for d in tantivy.documents] == [d.title for d in whoosh.documents], request
    assert indexes[1].keys() == indexes[0].keys()


def test_a_page_without_a_language_of_its_own_is_stemmed_and_marked_in_its_documents(tmp_path):
    """Stemmed as its words are marked (in the document's language): a word found on it is marked,
    on both engines; a page of a document of unknown language is still stemmed both ways."""
    from bench.search_bench import Doc

    documents = [(Doc(1, "a", language="kaz"), [{"number": 1, "text": "Өзендердің суы таза, книги", "language": None}]),
                 (Doc(2, "b", language=None), [{"number": 1, "text": "книги и кітаптар", "language": None}])]
    for backend in BACKENDS:
        index = new_index(tmp_path / backend, backend)
        index.replace_documents(documents)
        found = index.search(SearchRequest(text="өзен"))
        assert [d.title for d in found.documents] == ["a"], backend
        assert list(found.terms) == ["text_kaz"], (backend, found.terms)
        for text in ("өзен", "книгах", "книги"):      # книгах: the Russian stem, on the Kazakh page too?
            for document in index.search(SearchRequest(text=text)).documents:
                assert any(marked for page in document.pages for _, marked in page.snippet), (backend, text)
        assert "b" in [d.title for d in index.search(SearchRequest(text="книгах")).documents], backend
        assert [d.title for d in index.search(SearchRequest(text="кітап")).documents] == ["b"], backend


def test_a_listed_word_does_not_find_its_listed_neighbours_but_does_find_its_misreadings(tmp_path):
    """The fuzzy variant of a word of the word list skips the list's other words one letter away
    (қала, a city, is not қара, black; киім, clothes, not киіз, felt; жазу, to write, not жаз,
    summer) and still finds a misreading (Қаіа, or Кала without the mark, but not Кама, misread
    twice); a word the list lacks (Сарыарка, typed without қ) still finds the listed spelling. The
    bare past of a verb that is also a noun is indexed as both (жазды: wrote, or the summer), so
    the verb's other forms find it and it finds them (барды, барған). A word typed without a
    Kazakh mark finds the word with it (колы, қолы), unless it is a word itself (бар is not бәр)."""
    from bench.search_bench import Doc

    pages = {"city": "Қала орталығында.", "black": "Қара жер.", "misread": "Қаіа орталығында.", "wanted": "Ол қалады.",
             "unmarked": "Кала орталығында.", "misread twice": "Кама орталығында.",
             "felt": "Киіз үй тігілді.", "clothes": "Ұлттық киімдер.", "wrote": "Ол хат жазды.",
             "summer": "Жазда жылы.", "went": "Ол Семейге барған.", "steppe": "Сарыарқа даласы.",
             "everyone": "Бәрі келді.", "hand": "Қолы ауырды."}
    documents = [(Doc(n, title, language="kaz"), [{"number": 1, "text": text, "language": "kaz"}])
                 for n, (title, text) in enumerate(pages.items(), 1)]
    for backend in BACKENDS:
        index = new_index(tmp_path / backend, backend)
        index.replace_documents(documents)

        def found(text):
            return sorted(d.title for d in index.search(SearchRequest(text=text)).documents)

        assert found("қала") == ["city", "misread", "unmarked"], backend
        assert found("киім") == ["clothes"], backend
        assert found("Сарыарка") == ["steppe"], backend
        assert found("жазған") == ["wrote"], backend
        assert found("жаз") == ["summer", "wrote"], backend      # жазды may be the summer
        assert found("барды") == ["went"], backend
        assert found("барған") == ["went"], backend     # бар typed is бар: not бәр(і) with a mark added
        assert found("колы") == ["hand"], backend       # кол is no word: қол, typed without its mark
        assert index.highlight_terms("қала", ["kaz"])["text_kaz"] == ["кала", "қала", "қаіа"], backend


def test_the_viewer_marks_the_same_words_on_both_engines_without_a_search(corpus, indexes):
    """What the page viewer marks for a query comes from the query and each engine's lexicon
    (``SearchIndex.highlight_terms``), and is the same on both."""
    marked = 0
    for request in _requests(corpus):
        if request.text:
            whoosh, tantivy = (indexes[backend].highlight_terms(request.text, ["kaz"]) for backend in BACKENDS)
            assert tantivy == whoosh, request.text
            marked += bool(whoosh)
    assert marked >= 20
