"""Search-only access: an ``on_request`` document shows its description and where a search matches
it, and nothing of its pages, on every route of the reading room."""
from __future__ import annotations

import re
from urllib.parse import quote, unquote

import pytest

from test_app_support import RUSSIAN_PAGES, build_archive

QUERY = "газеты"                          # stands in the on_request page's text, not in its description
# words of that page that are in neither its description nor the query: none may leave the archive
SECRET = [word for word in re.findall(r"\w+", RUSSIAN_PAGES[0]) if len(word) > 4 and word.lower() not in
          {"газеты", "городская", "библиотека"}]
JPEG, PDF = b"\xff\xd8\xff", b"%PDF"
# Each route's parameters, with the on_request document wherever a route takes one. A route the
# walk does not know fails the test, so a new route must be added here (and checked) to pass.
PARAMETERS = {"document_id": None, "page": 1, "name": "kitaphana", "code": "ABCD-EFGH",
              "token": "x" * 32, "filename": "olke.css", "fmt": "ris", "year": 2005, "month": 1,
              "source": "Краевед"}
QUERIES = ["", f"?q={QUERY}", "?q=хранит", f"?q=%22{QUERY}%22"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("access"))


def make_app(built, **config):
    from search_app import create_app

    return create_app({"OLKE_HOME": str(built[0]), "TESTING": True, **config})


@pytest.fixture(scope="module")
def app(built):
    app = make_app(built)
    yield app
    app.extensions["olke"].close()


def urls(app, document_id: int) -> list[str]:
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        unknown = set(rule.arguments) - set(PARAMETERS)
        assert not unknown, f"the access walk does not know {rule.rule}: add its parameters"
        values = {name: document_id if name == "document_id" else PARAMETERS[name] for name in rule.arguments}
        path = rule.build(values, append_unknown=False)[1]
        found += [path + query for query in QUERIES]
    oai = "/oai?verb={}&metadataPrefix=oai_dc"
    found += [oai.format("ListRecords"), oai.format("GetRecord") + f"&identifier=oai:olke:{document_id}",
              "/api/search?q=хранит+OR+газеты", "/search?q=хранит+OR+газеты&page=1",
              f"/documents/{document_id}?page=1&q={QUERY}", f"/documents/{document_id}.bib",
              f"/search.bib?q={QUERY}", f"/files/{document_id}/document.txt", f"/files/{document_id}/pages/1.txt"]
    return found


def test_the_page_text_words_are_known_to_the_search(app):
    """The walk below looks for these words; they must be findable, or it proves nothing."""
    assert len(SECRET) >= 4
    data = app.test_client().get("/api/search?q=хранит").get_json()
    assert data["total_documents"] == 1


def test_no_route_gives_away_an_on_request_documents_pages(app, built):
    client = app.test_client()
    document_id = built[1]["russian"]
    walked = urls(app, document_id)
    assert len(walked) > 60
    for url in walked:
        response = client.get(url, follow_redirects=True)
        body = response.get_data()
        text = body.decode("utf-8", "replace")
        leaked = [word for word in SECRET if word in text and word not in unquote(url)]   # not the query echoed
        assert not leaked, f"{url} gave away {leaked}"
        assert not body.startswith(JPEG) and not body.startswith(PDF), f"{url} gave a page image or PDF"
        if url.startswith(f"/files/{document_id}/"):
            assert response.status_code == 403, url


def test_open_documents_are_not_affected(app, built):
    client = app.test_client()
    document_id = built[1]["kazakh"]
    assert client.get(f"/files/{document_id}/pages/1.jpg").data.startswith(JPEG)
    assert client.get(f"/files/{document_id}/thumbnails/2.jpg").data.startswith(JPEG)
    html = client.get(f"/documents/{document_id}/pages/2?q=кітапханаға").get_data(as_text=True)
    assert "<mark>Кітапханаға</mark>" in html and f"/files/{document_id}/pages/2.jpg" in html


def test_search_names_the_matching_pages_and_how_often_without_text(app, built):
    client = app.test_client()
    document_id = built[1]["russian"]
    html = client.get(f"/search?q={QUERY}&lang=ru").get_data(as_text=True)
    hit = html[html.index(f'<a href="/documents/{document_id}/pages/1?q={quote(QUERY)}" class="page-link">'):]
    assert hit.split("</li>")[0].endswith('<span class="matches">1 совпадение</span>')
    data = client.get(f"/api/search?q={QUERY}").get_json()
    (hit,) = [d for d in data["documents"] if d["doc_id"] == document_id]
    assert hit["pages"][0]["matches"] == 1 and hit["pages"][0]["snippet"] == ""
    assert set(hit["pages"][0]["urls"]) == {"html"}
    document = client.get(f"/api/documents/{document_id}").get_json()
    assert "text" not in document["pages"][0] and set(document["pages"][0]["urls"]) == {"html"}
    viewer = client.get(f"/documents/{document_id}?q={QUERY}&lang=ru").get_data(as_text=True)
    assert "Страница 1" in viewer and "1 совпадение" in viewer
    assert f'/request?document={document_id}&amp;pages=1' in viewer
    assert client.get(f"/documents/{document_id}?q=неттакогослова&lang=ru").status_code == 200


def test_a_library_may_show_thumbnails_and_nothing_more(built, monkeypatch):
    monkeypatch.setenv("OLKE_ON_REQUEST_THUMBNAILS", "1")       # as an operator sets it
    app = make_app(built)
    try:
        client = app.test_client()
        document_id = built[1]["russian"]
        assert client.get(f"/files/{document_id}/thumbnails/1.jpg").data.startswith(JPEG)
        assert client.get(f"/files/{document_id}/pages/1.jpg").status_code == 403
        assert f"/files/{document_id}/thumbnails/1.jpg" in client.get(f"/documents/{document_id}").get_data(as_text=True)
    finally:
        app.extensions["olke"].close()


def test_go_to_page_opens_the_page_asked_for(app, built):
    client = app.test_client()
    document_id = built[1]["kazakh"]
    response = client.get(f"/documents/{document_id}?page=2&q=газет&zoom=150")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/documents/{document_id}/pages/2?q={quote('газет')}&zoom=150")
    assert client.get(f"/documents/{document_id}?page=9", follow_redirects=True).status_code == 404
    assert client.get(f"/documents/{document_id}?page=x").status_code == 400
