"""The JSON API: the same data as the pages."""
from __future__ import annotations

import pytest

from test_app_support import HOSTILE_TITLE, KAZAKH_PAGES, build_archive


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("api"))


@pytest.fixture(scope="module")
def client(built):
    from search_app import create_app

    app = create_app({"OLKE_HOME": str(built[0]), "TESTING": True})
    yield app.test_client()
    app.extensions["olke"].close()


@pytest.fixture(scope="module")
def ids(built):
    return built[1]


def test_search_json_shape(client, ids):
    response = client.get("/api/search?q=кітапханаларда&kind=newspaper_article")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert {"request", "total_documents", "total_pages", "documents", "facets", "terms", "took_ms", "suggestion",
            "page_count", "links"} <= set(data)
    assert data["request"]["text"] == "кітапханаларда" and data["request"]["kind"] == "newspaper_article"
    assert data["total_documents"] == 1 and data["total_pages"] == 2
    (document,) = data["documents"]
    assert document["doc_id"] == ids["kazakh"] and document["title"] == "Кітапхана тарихы"
    assert document["urls"]["html"].endswith(f"/documents/{ids['kazakh']}")
    assert document["urls"]["pdf"].endswith(f"/files/{ids['kazakh']}/document.pdf")
    page = document["pages"][0]
    assert "<mark>" in page["snippet"] and any(s["marked"] for s in page["segments"])
    assert page["urls"]["image"].endswith(f"/files/{ids['kazakh']}/pages/{page['page']}.jpg")
    assert f"/documents/{ids['kazakh']}/pages/{page['page']}?q=" in page["urls"]["html"]
    assert data["facets"]["kind"] == [{"value": "newspaper_article", "count": 1}]
    keys = {facet["value"] for facet in data["facets"]["rubric"]}
    assert keys and set(data["rubric_names"]) == keys          # every subject counted has its names
    assert any(names["kk"] == "Тарих" and names["ru"] != "Тарих" for names in data["rubric_names"].values())


def test_search_json_snippets_are_escaped(client):
    data = client.get("/api/search?q=тырнақша").get_json()
    snippet = data["documents"][0]["pages"][0]["snippet"]
    assert "<script" not in snippet and "</script" not in snippet and "&lt;/script&gt;" in snippet
    assert data["documents"][0]["title"] == HOSTILE_TITLE          # plain JSON values stay as they are


def test_no_words_list_the_newest_first_unless_asked(client):
    listed = client.get("/api/search?q=").get_json()["documents"]
    dates = [d["published"] for d in listed if d["published"]]
    assert len(dates) >= 3 and dates == sorted(dates, reverse=True)
    oldest = [d["published"] for d in client.get("/api/search?q=&sort=date").get_json()["documents"] if d["published"]]
    assert oldest == sorted(oldest)


def test_search_json_paging_links(client):
    data = client.get("/api/search?page=1&q=").get_json()
    assert data["page_count"] == 1 and "next" not in data["links"]
    assert client.get("/api/search?page=2").status_code == 404


def test_search_json_takes_per_page(client):
    """A program asks for as many documents a page as it wants, within bounds (it was ignored)."""
    everything = client.get("/api/search?q=").get_json()
    assert everything["total_documents"] >= 3
    data = client.get("/api/search?q=&per_page=2").get_json()
    assert len(data["documents"]) == 2 and data["request"]["per_page"] == 2
    assert data["page_count"] == -(-everything["total_documents"] // 2) and "per_page=2" in data["links"]["next"]
    assert client.get("/api/search?q=&per_page=0").status_code == 400
    assert client.get("/api/search?q=&per_page=101").status_code == 400


def test_api_errors_speak_the_readers_language(client):
    """Its 400s were in Kazakh, its 404s in the command line's English: now both are in the
    reader's language; an archive's own words go with them as `detail`, for programmers."""
    past = client.get("/api/search?q=&page=50").get_json()["error"]
    assert past["status"] == 404 and "50" in past["message"] and past["message"].isascii() is False
    missing = client.get("/api/documents/9999").get_json()["error"]
    assert missing["status"] == 404 and not missing["message"].isascii() and missing["detail"]
    assert client.get("/api/no-such").get_json()["error"]["message"] == missing["message"]
    russian = client.get("/api/documents/9999?lang=ru").get_json()["error"]
    assert russian["message"] != missing["message"] and not russian["message"].isascii()
    client.get("/api/search?lang=kk")       # (the language is kept in a cookie)


def test_document_json(client, ids):
    data = client.get(f"/api/documents/{ids['kazakh']}").get_json()
    assert data["document"]["title"] == "Кітапхана тарихы" and data["document"]["page_count"] == 2
    assert data["document"]["rubrics"] == ["Тарих", "Кітапханалар"] and data["document"]["access"] == "open"
    assert "scan_sha256" not in data["document"] and "digitised_by" not in data["document"]
    assert data["citation"] == "Сейітов Б. Кітапхана тарихы // Өлке тынысы. – 1998. – № 12. – Б. 3."
    assert data["collections"] == ["kitaphana"]
    assert [p["number"] for p in data["pages"]] == [1, 2]
    assert data["pages"][0]["text"] == KAZAKH_PAGES[0]
    assert data["pages"][0]["confidence"] == 90.0 and data["pages"][0]["language"] == "kaz"
    assert data["pages"][1]["urls"]["pdf"].endswith(f"/files/{ids['kazakh']}/pages/2.pdf")
    assert data["urls"]["pdf"].endswith(f"/files/{ids['kazakh']}/document.pdf")


def test_on_request_document_json_has_request_link_and_no_pdf(client, ids):
    data = client.get(f"/api/documents/{ids['russian']}").get_json()
    assert "pdf" not in data["urls"] and data["urls"]["request"].endswith(f"/request?document={ids['russian']}")
    assert "pdf" not in data["pages"][0]["urls"]


@pytest.mark.parametrize("url, status", [("/api/documents/9999", 404), ("/api/search?page=x", 400),
                                         ("/api/search?kind=poem", 400), ("/api/search?from=2000&to=1000", 400),
                                         ("/api/no-such", 404)])
def test_errors_are_json(client, url, status):
    response = client.get(url)
    assert response.status_code == status and response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status and error["message"]
