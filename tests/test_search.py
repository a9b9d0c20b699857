"""Full-text search over an archive built with the fake OCR engine and known texts."""
from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.library import Archive
from archive.metadata import Description
from archive.search.model import SearchRequest
from archive.search.results import exact_hits, matched_word_indexes, snippet
from archive.search.sync import check, rebuild
from cli import main
from ingest.pipeline import IngestOptions, ingest
from ingest.sources import DocumentSource
from tests.conftest import whoosh_only
from tests.support.fake_ocr import FakeEngine

KAZ_LIBRARY = ("Облыстық кітапханасы өлкетану бөлімінде ескі газеттер сақталады. "
               "Қала мен ауылдағы кітапханаларда оқырмандар көп. Windows 10 орнатылған.")
KAZ_STEPPE = "Сарыарқа даласы кең. Ертіс өзені солтүстікке қарай ағады. Ауылдарда мал бағады."
RUS_RIVER = ("Иртыш — одна из самых длинных рек Азии. На его берегах стоят города. "
             "В городской библиотеке хранятся подшивки газет.")
RUS_SCHOOL = "Первая школа открылась в городе давно. Учителя и ученики работали в библиотеках."


@pytest.fixture
def archive(home, make_png, search_backend):
    archive = Archive(home)
    documents = [
        ("Кітапхана тарихы", "newspaper_article", "kaz", "1998-05-14", "Өлке тынысы", ("Кітапханалар",), [KAZ_LIBRARY]),
        ("Дала мен өзен", "book", "kaz", "2012", None, ("Табиғат",), [KAZ_STEPPE, KAZ_LIBRARY]),
        ("Иртыш", "newspaper_article", "rus", "2004-09-17", "Степные вести", ("Реки",), [RUS_RIVER]),
        ("Первая школа", "journal_article", "rus", "1975", "Простор", ("Образование",), [RUS_SCHOOL]),
    ]
    sources = []
    for number, (title, kind, language, published, source, rubrics, texts) in enumerate(documents):
        image = make_png(f"doc{number}.png", lines=[title])
        description = Description(kind=kind, title=title, language=language, published=published, source=source,
                                  rubrics=rubrics)
        sources.append((DocumentSource(str(image), [image] * len(texts), description), texts))
    with archive.batch():                 # indexed together when the batch ends
        for source, texts in sources:
            (outcome,) = ingest([source], archive, FakeEngine(texts), IngestOptions(workers=1))
            assert outcome.status == "ingested", outcome.error
    yield archive
    archive.close()


def titles(archive, text, **filters):
    return [d.title for d in archive.search(SearchRequest(text=text, **filters)).documents]


@pytest.mark.parametrize("query, expected", [
    ("кітапханаларда", {"Кітапхана тарихы", "Дала мен өзен"}),
    ("кітапхананың", {"Кітапхана тарихы", "Дала мен өзен"}),
    ("өзендері", {"Дала мен өзен"}),
    ("библиотеками", {"Иртыш", "Первая школа"}),
    ("рекой", {"Иртыш"}),
    ("kitaphana", {"Кітапхана тарихы", "Дала мен өзен"}),
    ("Sarıarqa", {"Дала мен өзен"}),
    ("кітапхаиасы", {"Кітапхана тарихы", "Дала мен өзен"}),     # OCR-damaged
    ("библиотекс", {"Иртыш", "Первая школа"}),                  # OCR-damaged
    ('"Ертіс өзені"', {"Дала мен өзен"}),
    ("Иртыш OR школа", {"Иртыш", "Первая школа"}),
    ("библиотеке NOT Иртыш", {"Первая школа"}),
    ("библиотеке -Иртыш", {"Первая школа"}),
    ("title:школа", {"Первая школа"}),
    ("windows", {"Кітапхана тарихы", "Дала мен өзен"}),
])
def test_queries(archive, query, expected):
    assert set(titles(archive, query)) == expected


def complete(archive, text):
    """The titles of the documents with every word (partial matches follow them: test_partial_match)."""
    return [d.title for d in archive.search(SearchRequest(text=text)).documents if not d.missing]


def test_words_are_anded(archive):
    assert set(complete(archive, "кітапхана газеттер")) == {"Кітапхана тарихы", "Дала мен өзен"}
    assert set(titles(archive, "кітапхана газеттер")[:2]) == {"Кітапхана тарихы", "Дала мен өзен"}
    assert complete(archive, "Ертіс ауылдарда") == ["Дала мен өзен"]
    assert complete(archive, "кітапхана Иртыш") == []


def test_quoted_phrase_is_exact(archive):
    assert titles(archive, '"ертіс өзені"') == ["Дала мен өзен"]
    assert titles(archive, '"өзені ертіс"') == []


def test_filters(archive):
    assert titles(archive, "кітапхана", kind="book") == ["Дала мен өзен"]
    assert set(titles(archive, "", language="rus")) == {"Иртыш", "Первая школа"}
    assert titles(archive, "", year_from=1990, year_to=2005, language="rus") == ["Иртыш"]
    assert titles(archive, "газет", source="Степные вести") == ["Иртыш"]
    assert titles(archive, "", rubric="Табиғат") == ["Дала мен өзен"]


def test_results_grouped_by_document_with_pages_and_marked_snippets(archive):
    results = archive.search(SearchRequest(text="кітапханаларда"))
    book = next(d for d in results.documents if d.title == "Дала мен өзен")
    assert [p.page for p in book.pages] == [2] and book.matched_pages == 1
    marked = [text for text, is_mark in book.pages[0].snippet if is_mark]
    assert "кітапханасы" in marked and "кітапханаларда" in marked
    assert results.total_documents == 2 and results.total_pages == 2


def test_facets_count_documents(archive):
    facets = archive.search(SearchRequest(text="")).facets
    assert dict(facets["kind"]) == {"newspaper_article": 2, "book": 1, "journal_article": 1}
    assert dict(facets["language"]) == {"kaz": 2, "rus": 2}
    assert dict(facets["decade"]) == {"1990": 1, "2010": 1, "2000": 1, "1970": 1}
    assert ("nature", 1) in facets["rubric"]          # "Табиғат", filed under its key (archive.rubrics)


def test_sort_by_date_and_paging(archive):
    by_date = titles(archive, "", sort="date")
    assert by_date == ["Первая школа", "Кітапхана тарихы", "Иртыш", "Дала мен өзен"]
    assert titles(archive, "", sort="-date") == list(reversed(by_date))
    first = archive.search(SearchRequest(text="", sort="date", per_page=3))
    second = archive.search(SearchRequest(text="", sort="date", per_page=3, page=2))
    assert [d.title for d in second.documents] == ["Дала мен өзен"] and first.page_count == 2


def test_did_you_mean_from_clean_words(archive):
    if not Path("/usr/share/hunspell/kk_KZ.dic").exists():
        pytest.skip("hunspell-kk is not installed")
    results = archive.search(SearchRequest(text="сарыарқа даласынын ертсі"))
    assert results.suggestion is None or "ертіс" in results.suggestion
    assert archive.search(SearchRequest(text="кітапхаиасы")).suggestion == "кітапханасы"


def test_viewer_highlight_boxes(archive):
    results = archive.search(SearchRequest(text="кітапханаларда"))
    page = archive.catalog.pages(results.documents[0].doc_id)[0]
    hits = matched_word_indexes(page["words"], page["language"], results.terms)
    assert {page["words"][i][0].strip(".,") for i in hits} == {"кітапханасы", "кітапханаларда"}


def test_exact_hits_mark_phrase_words_only_where_the_whole_phrase_stands():
    tokens = "абай және семей ұлы ақын абай құнанбайұлы туралы абай".split()
    hits = exact_hits(tokens, {"абай", "құнанбайұлы", "семей"}, ["абай құнанбайұлы"])
    assert [t for t, hit in zip(tokens, hits) if hit] == ["семей", "абай", "құнанбайұлы"]
    assert exact_hits(["а", "б", "а", "б"], {"а", "б"}, ["а б", "б а"]) == [True] * 4
    assert exact_hits(["а", "б"], {"а", "б"}, ["б а"]) == [False, False]


def test_snippets_prefer_passages_with_more_of_the_query_words():
    from archive.search.analysis import page_analyzer

    def stems(word):
        return {t.text for t in page_analyzer("kaz")(word)}
    rich = "Кітапхана кітапхана үлкен кітапхана. " + "Ол туралы ұзақ әңгіме айтылады. " * 8
    text = rich * 3 + "Кітапхана қорында ескі газеттер сақталады."
    marked = [t for t, hit in snippet(text, "kaz", {"text_kaz": stems("кітапхана") | stems("газеттер")}) if hit]
    assert "газеттер" in marked
    terms = {"text_kaz": stems("кітапхана"), "exact": {"ескі", "газеттер"}, "phrases": {"ескі газеттер"}}
    assert "газеттер" in [t for t, hit in snippet(text, "kaz", terms) if hit]


def test_phrase_marks_in_snippets_and_viewer(archive):
    page_text = "Абай және Семей өңірі. Ұлы ақын Абай Құнанбайұлы 1845 жылы туды. Абай оқыды."
    terms = {"exact": {"абай", "құнанбайұлы"}, "phrases": {"абай құнанбайұлы"}}
    assert [text for text, marked in snippet(page_text, "kaz", terms) if marked] == ["Абай", "Құнанбайұлы"]

    results = archive.search(SearchRequest(text='кітапханасы "кітапханаларда оқырмандар"'))
    assert results.terms["phrases"] == ["кітапханаларда оқырмандар"]
    marked = {text for d in results.documents for p in d.pages for text, hit in p.snippet if hit}
    assert marked == {"кітапханасы", "кітапханаларда", "оқырмандар"}        # stems and the phrase together
    words = [[word, 0.1, 0.1, 0.2, 0.2, 90] for word in page_text.split()]       # as OCR gives them
    hits = matched_word_indexes(words, "kaz", {k: sorted(v) for k, v in terms.items()})
    assert [words[i][0] for i in hits] == ["Абай", "Құнанбайұлы"]


def test_index_follows_delete_reocr_and_edits(archive):
    results = archive.search(SearchRequest(text="Иртыш"))
    river = results.documents[0].doc_id
    archive.describe(river, replace(Description.from_mapping({}, Description(kind="book", title="Ертіс")),
                                    language="rus", published="2004"))
    assert titles(archive, "Иртыш") == ["Ертіс"]
    assert titles(archive, "Иртыш", kind="book") == ["Ертіс"]
    archive.delete(river)
    assert titles(archive, "Иртыш") == []
    assert check(archive.catalog, archive.index).ok


def test_check_finds_differences_and_rebuild_repairs(archive):
    archive.index.delete_documents([1])
    document = archive.catalog.get(2)
    archive.catalog.update_description(2, replace(Description(**{k: getattr(document, k) if not isinstance(
        getattr(document, k), list) else tuple(getattr(document, k)) for k in Description.FIELDS}), title="Жаңа"))
    found = check(archive.catalog, archive.index)
    assert found.missing == ["1:1"] and found.stale == [2] and not found.extra
    assert rebuild(archive.catalog, archive.index) == 5
    assert check(archive.catalog, archive.index).ok
    assert archive.index.segment_count() == 1


def test_check_reports_an_index_of_an_older_layout_until_rebuilt(archive, monkeypatch, search_backend):
    if search_backend == "tantivy":
        from archive.search.tantivy_index import MARK_FILE

        (archive.index.live() / MARK_FILE).write_text('{"analysis": "analysis_1", "layout": 1}')
        checked = CliRunner().invoke(main, ["--home", str(archive.home.root), "index", "check"])
        assert checked.exit_code == 1 and "written by an older version of Olke" in checked.stdout
        CliRunner().invoke(main, ["--home", str(archive.home.root), "index", "rebuild"])
        assert not archive.index.outdated() and titles(archive, '"Иртыш"') == ["Иртыш"]
        return
    from whoosh import formats

    from archive.search import index as index_module
    build_schema = index_module.build_schema

    def old_schema():
        schema = build_schema()
        schema["exact"].format = formats.Positions()      # how indexes were written before PackedPositions
        schema.remove("library")                          # and before libraries
        return schema
    page_fields = index_module.page_fields
    with monkeypatch.context() as patch:
        patch.setattr(index_module, "build_schema", old_schema)
        patch.setattr(index_module, "page_fields", lambda *a, **k: {
            name: value for name, value in page_fields(*a, **k).items() if name != "library"})
        rebuild(archive.catalog, archive.index)
    assert titles(archive, '"Иртыш"') == ["Иртыш"]          # still searchable, phrases and facets included
    assert archive.search(SearchRequest(text="Иртыш", library="main")).total_documents == 0   # until rebuilt
    runner = CliRunner()
    checked = runner.invoke(main, ["--home", str(archive.home.root), "index", "check"])
    assert checked.exit_code == 1
    assert "written by an older version of Olke" in checked.stdout and "pages in" not in checked.stdout
    monkeypatch.setattr("cli.web.run_server", lambda *args, **kwargs: None)
    served = runner.invoke(main, ["--home", str(archive.home.root), "serve"])
    assert served.exit_code == 0 and "older version of Olke" in served.stderr
    runner.invoke(main, ["--home", str(archive.home.root), "index", "rebuild"])
    checked = runner.invoke(main, ["--home", str(archive.home.root), "index", "check"])
    assert checked.exit_code == 0, checked.stdout
    assert runner.invoke(main, ["--home", str(archive.home.root), "serve"]).stderr == ""


def test_cli_optimize_merges_segments(archive, search_backend):
    whoosh_only(search_backend, "tantivy merges its segments by its own policy as it commits")
    archive.documents_changed([1])
    archive.documents_changed([2])
    assert archive.index.segment_count() > 1
    before = archive.search(SearchRequest(text="кітапхана")).total_pages
    runner = CliRunner()
    merged = runner.invoke(main, ["--home", str(archive.home.root), "index", "optimize"])
    assert merged.exit_code == 0 and "Index merged into one segment" in merged.stdout
    assert archive.index.segment_count() == 1
    assert archive.search(SearchRequest(text="кітапхана")).total_pages == before > 0
    again = runner.invoke(main, ["--home", str(archive.home.root), "index", "optimize"])
    assert again.stdout.strip() == "The index is already one segment."


def test_rebuild_recovers_from_a_destroyed_index(archive):
    for path in archive.index.live().iterdir():
        if path.is_file() and not path.name.startswith("."):
            path.write_bytes(b"garbage")
    fresh = Archive(archive.home)
    fresh.index.clear()
    rebuild(fresh.catalog, fresh.index)
    assert "Иртыш" in titles(fresh, "Иртыш")


def test_writers_wait_their_turn(archive):
    errors = []

    def write():
        try:
            for _ in range(3):
                archive.documents_changed([1, 2])
        except Exception as error:  # LockError must never escape
            errors.append(error)
    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert check(archive.catalog, archive.index).ok


def test_cli_search(archive):
    runner = CliRunner()
    result = runner.invoke(main, ["--home", str(archive.home.root), "search", "кітапханаларда", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total_documents"] == 2
    assert "<mark>кітапханаларда</mark>" in data["documents"][0]["pages"][0]["snippet"]
    text = runner.invoke(main, ["--home", str(archive.home.root), "search", "Иртыш"])
    assert "1 document (1 page)" in text.stdout and "[Иртыш]" in text.stdout
    bad = runner.invoke(main, ["--home", str(archive.home.root), "search", "x" * 600])
    assert bad.exit_code == 2
    assert bad.stderr.strip() == "olke: error: the query is longer than 500 characters; shorten it"
    checked = runner.invoke(main, ["--home", str(archive.home.root), "index", "check"])
    assert checked.exit_code == 0 and checked.stdout.strip() == "The index matches the catalog."


def test_search_that_finds_nothing_says_when_the_index_lacks_pages(archive):
    """An index that lacks some of the catalog's pages (one written by the other engine, a lost
    folder): a search that finds nothing says so and how to mend it; a whole index says nothing."""
    runner = CliRunner()
    found = runner.invoke(main, ["--home", str(archive.home.root), "search", "ззззззз"])
    assert found.exit_code == 0 and "Nothing found" in found.stdout and found.stderr == ""
    archive.index.delete_documents([1, 2])
    assert archive.pages_lacking() == 3                  # a one-page and a two-page document
    found = runner.invoke(main, ["--home", str(archive.home.root), "search", "ззззззз"])
    assert found.exit_code == 0 and "the search index lacks 3 pages of the catalog" in found.stderr
    assert "olke index rebuild" in found.stderr


def test_a_bulk_load_forks_only_from_a_process_without_other_threads():
    """A fork copies the locks other threads hold; a rebuild started where other threads run (a web
    server's) writes in its own process instead of waiting forever on a child."""
    import os

    from archive.search.interface import bulk_processes

    cores = max(1, min(4, os.cpu_count() or 1))
    assert bulk_processes() == (cores if threading.active_count() == 1 else 1)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert bulk_processes() == 1
    finally:
        stop.set()
        other.join()
    assert bulk_processes() == (cores if threading.active_count() == 1 else 1)
