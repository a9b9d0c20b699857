"""Downloads, page images, usage counting and security headers of the reading room."""
from __future__ import annotations

import io
from datetime import date

import pikepdf
import pytest

from test_app_support import build_archive


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("files"))


@pytest.fixture(scope="module")
def app(built):
    from search_app import create_app

    app = create_app({"OLKE_HOME": str(built[0]), "TESTING": True})
    yield app
    app.extensions["olke"].close()


@pytest.fixture(scope="module")
def ids(built):
    return built[1]


@pytest.fixture
def client(app):
    return app.test_client()


def counts(app, document_id: int) -> dict[str, int]:
    from archive import usage

    with app.extensions["olke"].catalog() as catalog:
        today = date.today()
        return usage.figures(catalog.conn, today, today).by_document.get(document_id, {"view": 0, "download": 0})


def test_whole_pdf_download(client, ids):
    response = client.get(f"/files/{ids['kazakh']}/document.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    with pikepdf.open(io.BytesIO(response.data)) as pdf:
        assert len(pdf.pages) == 2


def test_single_page_download_has_one_page(client, ids):
    response = client.get(f"/files/{ids['kazakh']}/pages/2.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    # named from the description: year, title in Latin letters, the archive's number
    assert f'filename="1998-kitapkhana-tarikhy-olke-{ids["kazakh"]}-p2.pdf"' in response.headers["Content-Disposition"]
    with pikepdf.open(io.BytesIO(response.data)) as pdf:
        assert len(pdf.pages) == 1


@pytest.mark.parametrize("path", ["document.pdf", "pages/1.pdf"])
def test_on_request_documents_are_not_downloadable(client, ids, path):
    response = client.get(f"/files/{ids['russian']}/{path}")
    assert response.status_code == 403
    assert not response.data.startswith(b"%PDF")
    assert "Жүктеп алуға болмайды" in response.get_data(as_text=True)


def test_page_images_and_thumbnails(client, ids):
    for path in ("pages/1.jpg", "thumbnails/1.jpg"):
        response = client.get(f"/files/{ids['kazakh']}/{path}")
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert response.data[:3] == b"\xff\xd8\xff"
        assert "max-age=3600" in response.headers["Cache-Control"]
        assert client.get(f"/files/{ids['russian']}/{path}").status_code == 403     # on request: not shown


@pytest.mark.parametrize("url", ["/files/9999/document.pdf", "/files/1/pages/3.pdf", "/files/1/pages/0.jpg",
                                 "/files/1/thumbnails/7.jpg", "/files/1/pages/..%2F..%2Fcatalog.sqlite",
                                 "/files/1/../catalog.sqlite", "/files/catalog.sqlite", "/static/../catalog.sqlite"])
def test_unknown_files_are_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert b"SQLite" not in response.data


def test_views_count_once_per_page_view_and_downloads_per_file(app, client, ids):
    doc = ids["kazakh"]
    before = counts(app, doc)
    client.get(f"/documents/{doc}")
    client.get(f"/documents/{doc}/pages/2?q=газет")
    client.get(f"/files/{doc}/pages/1.jpg")            # images are not views
    client.get(f"/files/{doc}/thumbnails/2.jpg")
    client.get(f"/api/documents/{doc}")                # nor is the API
    client.get(f"/files/{doc}/document.pdf")
    client.get(f"/files/{doc}/pages/1.pdf")
    client.get(f"/documents/{doc}/pages/9")            # a 404 counts nothing
    client.head(f"/documents/{doc}")                   # nor does a HEAD request
    after = counts(app, doc)
    assert after["view"] - before["view"] == 2
    assert after["download"] - before["download"] == 2


def test_refused_download_is_not_counted(app, client, ids):
    doc = ids["russian"]
    before = counts(app, doc)
    client.get(f"/files/{doc}/document.pdf")
    assert counts(app, doc)["download"] == before["download"]


def test_usage_counting_is_safe_under_threads(app, ids):
    from concurrent.futures import ThreadPoolExecutor

    doc = ids["hostile"]
    before = counts(app, doc)["view"]

    def view(_):
        return app.test_client().get(f"/documents/{doc}").status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(view, range(40))) == {200}
    assert counts(app, doc)["view"] - before == 40


@pytest.mark.parametrize("url", ["/", "/search?q=кітапхана", "/documents/1", "/api/search?q=x", "/api/documents/1",
                                 "/files/1/pages/1.jpg", "/files/1/document.pdf", "/no-such-page",
                                 "/static/olke.css", "/search?page=x"])
def test_security_headers_on_every_response(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "img-src 'self' data:", "style-src 'self'", "script-src 'self'",
                      "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"]


def test_pages_carry_no_inline_script_or_style(client, ids):
    for url in ("/", f"/documents/{ids['kazakh']}?q=кітапхана", "/search?q=кітапхана"):
        html = client.get(url).get_data(as_text=True)
        assert "<style" not in html and " style=" not in html and "<script>" not in html
        assert " on" + "click=" not in html


def test_only_get_is_allowed(client):
    assert client.post("/search?q=x").status_code == 405
    assert client.post("/files/1/document.pdf").status_code == 405
