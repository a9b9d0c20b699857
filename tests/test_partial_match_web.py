"""The results page and the JSON API say when not every word of the query was found, and which."""
from __future__ import annotations

import re

import pytest

from test_app_support import build_archive


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from search_app import create_app

    home, _ = build_archive(tmp_path_factory.mktemp("partial-web"))
    app = create_app({"OLKE_HOME": str(home), "TESTING": True})
    yield app.test_client()
    app.extensions["olke"].close()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_results_page_names_the_missing_words_in_kazakh(client):
    text = text_of(client.get("/search", query_string={"q": "кітапхана зымыран"}).get_data(as_text=True))
    assert "Сұрауыңыздағы сөздердің бәрі бір бетте кездеспеді" in text
    assert "Бұл бетте жоқ сөздер: зымыран" in text


@pytest.mark.parametrize("lang, missing, none_complete", [
    ("ru", "Нет на этой странице: зымыран", "Ни на одной странице нет всех слов запроса"),
    ("en", "Not on this page: зымыран", "No page has all the words of your query"),
])
def test_results_page_in_russian_and_english(client, lang, missing, none_complete):
    text = text_of(client.get("/search", query_string={"q": "кітапхана зымыран", "lang": lang}).get_data(as_text=True))
    assert missing in text and none_complete in text


def test_no_message_when_every_word_is_found(client):
    text = text_of(client.get("/search", query_string={"q": "кітапхана"}).get_data(as_text=True))
    assert "Бұл бетте жоқ сөздер" not in text and "кездеспеді" not in text


def test_api_carries_matched_all_and_missing(client):
    data = client.get("/api/search", query_string={"q": "кітапхана зымыран"}).get_json()
    assert data["matched_all"] is False and data["complete_documents"] == 0
    assert data["documents"] and all(d["missing"] == ["зымыран"] for d in data["documents"])
    data = client.get("/api/search", query_string={"q": "кітапхана"}).get_json()
    assert data["matched_all"] is True and all(d["missing"] == [] for d in data["documents"])
