"""Rubrics (subjects) in one language: one key per subject whichever language a description wrote it in,
named in the reader's language in every list, filters by key or by any of its names, older indexes."""
from __future__ import annotations

import re

import pytest

from archive import rubrics
from archive.library import Archive
from archive.metadata import Description
from archive.search.model import SearchRequest
from ingest.pipeline import IngestOptions, ingest
from ingest.sources import DocumentSource
from tests.support.fake_ocr import FakeEngine

DOCUMENTS = [   # title, language, rubrics as the cataloguer wrote them
    ("Өлке тарихы очерктері", "kaz", ["Өлкетану", "Тарих"]),
    ("Очерки краеведения", "rus", ["Краеведение", "История края", "Природа края"]),
    ("Ертіс бойы", "kaz", ["Табиғат", "Реки и озера"]),
    ("Космодром туралы", "kaz", ["Байқоңыр ғарыш айлағы"]),
]


def test_names_in_either_language_are_one_key():
    assert rubrics.key_of("Өлкетану") == rubrics.key_of("краеведение") == rubrics.key_of("Local studies") \
        == "local-studies"
    assert rubrics.key_of("Реки и озера") == rubrics.key_of("Реки и озёра") == rubrics.key_of("Өзендер мен көлдер")
    assert rubrics.key_of(" Природа  края. ") == "nature"
    assert rubrics.key_of("Байқоңыр ғарыш айлағы") == "Байқоңыр ғарыш айлағы"       # unknown: as written
    assert rubrics.keys_of(["Тарих", "История", "Тұлғалар"]) == ["history", "people"]


def test_every_rubric_is_named_in_each_language_and_no_name_means_two():
    for rubric in rubrics.RUBRICS:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rubric.key)
        assert rubric.kk and rubric.ru and rubric.en
        assert not re.search("[a-zA-Z]", rubric.kk + rubric.ru), rubric.key
        assert rubrics.label(rubric.key, "kk") == rubric.kk and rubrics.label(rubric.ru, "kk") == rubric.kk
    assert rubrics.label("Байқоңыр ғарыш айлағы", "ru") == "Байқоңыр ғарыш айлағы"


@pytest.fixture
def archive(home, make_png):
    archive = Archive(home)
    with archive.batch():                 # indexed together when the batch ends
        for number, (title, language, written) in enumerate(DOCUMENTS):
            image = make_png(f"doc{number}.png", lines=[title])
            description = Description(kind="book", title=title, language=language, published="2001",
                                      rubrics=written)
            (outcome,) = ingest([DocumentSource(str(image), [image], description)], archive,
                                FakeEngine([title]), IngestOptions(workers=1))
            assert outcome.status == "ingested", outcome.error
    yield archive
    archive.close()


def titles(archive, **filters) -> set[str]:
    return {d.title for d in archive.search(SearchRequest(**filters)).documents}


def test_one_facet_value_per_subject(archive):
    facets = dict(archive.search(SearchRequest()).facets["rubric"])
    assert facets == {"local-studies": 2, "history": 1, "local-history": 1, "nature": 2, "rivers-and-lakes": 1,
                      "Байқоңыр ғарыш айлағы": 1}


@pytest.mark.parametrize("asked", ["local-studies", "Өлкетану", "Краеведение", "краеведение"])
def test_a_filter_by_key_or_by_any_name_finds_the_subject_in_both_languages(archive, asked):
    assert titles(archive, rubric=asked) == {"Өлке тарихы очерктері", "Очерки краеведения"}


def test_unknown_rubrics_filter_as_written_and_the_field_query_knows_every_name(archive):
    assert titles(archive, rubric="Байқоңыр ғарыш айлағы") == {"Космодром туралы"}
    assert titles(archive, text="рубрика:природа") == {"Очерки краеведения", "Ертіс бойы"}
    assert titles(archive, text="айдар:табиғат") == {"Очерки краеведения", "Ертіс бойы"}


def test_an_index_written_before_keys_still_filters_and_counts_by_subject(archive, monkeypatch):
    """An older index holds the names as written: its facets and filters still go by subject until the
    rebuild its outdated mark asks for."""
    from archive.search import schema

    monkeypatch.setattr(rubrics, "facet_value", lambda written: ",".join(r.replace(",", " ") for r in written))
    monkeypatch.setattr(schema, "ANALYSIS_MARK", "analysis_2_kk1")
    archive.index.clear()
    archive.catch_up()
    with archive.index.searcher() as searcher:
        stored = {f["rubric_name"] for f in searcher.all_stored_fields()}
    assert "Өлкетану,Тарих" in stored
    monkeypatch.undo()
    assert archive.index.outdated()
    assert dict(archive.search(SearchRequest()).facets["rubric"])["local-studies"] == 2
    assert titles(archive, rubric="local-studies") == {"Өлке тарихы очерктері", "Очерки краеведения"}
    assert titles(archive, rubric="Природа") == {"Очерки краеведения", "Ертіс бойы"}


@pytest.mark.parametrize("lang, shown, foreign", [
    ("kk", ["Өлкетану", "Табиғат", "Өлке тарихы", "Тарих", "Өзендер мен көлдер"],
     ["Краеведение", "Природа", "История", "Local studies"]),
    ("ru", ["Краеведение", "Природа", "История края", "История", "Реки и озёра"],
     ["Өлкетану", "Табиғат", "Тарих", "Local studies"]),
    ("en", ["Local studies", "Nature", "Local history", "History", "Rivers and lakes"],
     ["Өлкетану", "Краеведение", "Табиғат"]),
])
def test_the_reading_room_names_subjects_in_the_readers_language(archive, lang, shown, foreign):
    from search_app import create_app

    app = create_app({"OLKE_HOME": str(archive.home.root), "TESTING": True})
    try:
        client = app.test_client()
        for url in (f"/search?lang={lang}", f"/?lang={lang}", f"/browse?lang={lang}"):
            html = client.get(url).get_data(as_text=True)
            for name in shown:
                assert f">{name}</a>" in html, (url, name)
            for name in foreign:
                assert f">{name}</a>" not in html, (url, name)
            assert "Байқоңыр ғарыш айлағы</a>" in html                  # unknown: as written
            assert "/search?rubric=local-studies" in html
        html = client.get(f"/search?rubric=Краеведение&lang={lang}").get_data(as_text=True)
        assert 'href="/search?rubric=local-studies" aria-current="true"' in html.replace("&amp;lang=" + lang, "")
        assert shown[0] in html
        document = archive.search(SearchRequest(rubric="nature", sort="date")).documents[0].doc_id
        html = client.get(f"/documents/{document}?lang={lang}").get_data(as_text=True)
        subjects = re.search(r"<dd><ul class=\"inline\">(.*?)</ul></dd>", html, re.S).group(1)
        assert shown[0] in subjects and shown[1] in subjects and not any(f in subjects for f in foreign)
    finally:
        app.extensions["olke"].close()
