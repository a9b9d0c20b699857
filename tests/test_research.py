"""What researchers use in other digital newspaper archives: citations for reference managers,
text downloads, descriptive file names with PDF metadata, share links, thumbnails in results."""
from __future__ import annotations

import io
import re

import pikepdf
import pytest
import rispy

from test_app_support import KAZAKH_PAGES, build_archive


def spaced(html: str) -> str:
    """Babel writes dates with no-break spaces; compare them as spaces."""
    return re.sub(r"[\u00a0\u202f]", " ", html)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("research"))


@pytest.fixture(scope="module")
def client(built):
    from search_app import create_app

    app = create_app({"OLKE_HOME": str(built[0]), "TESTING": True, "OLKE_BASE_URL": "https://olke.example.kz"})
    yield app.test_client()
    app.extensions["olke"].close()


def test_one_document_as_ris_and_bibtex(client, built):
    doc = built[1]["kazakh"]
    response = client.get(f"/documents/{doc}.ris")
    assert response.mimetype == "application/x-research-info-systems"
    assert f'filename="1998-kitapkhana-tarikhy-olke-{doc}.ris"' in response.headers["Content-Disposition"]
    (record,) = rispy.loads(response.get_data(as_text=True))
    assert record["type_of_reference"] == "NEWS" and record["title"] == "Кітапхана тарихы"
    assert record["authors"] == ["Сейітов Б."] and record["secondary_title"] == "Өлке тынысы"
    assert record["urls"] == [f"https://olke.example.kz/documents/{doc}"] and record["year"] == "1998"
    bib = client.get(f"/documents/{doc}.bib").get_data(as_text=True)
    assert bib.startswith(f"@article{{olke{doc},") and "journal = {Өлке тынысы}" in bib
    assert "author = {Сейітов Б.}" in bib


def test_a_body_as_author_is_braced_whole_in_bibtex():
    from types import SimpleNamespace

    from archive.citations import bibtex

    document = SimpleNamespace(id=5, title="Өлке", kind="book", language="kaz", published=None, source=None,
                               issue=None, source_pages=None, rubrics=(),
                               authors=["Облыстық кітапхананың өлкетану бөлімі", "Сейітов Б."])
    assert "author = {{Облыстық кітапхананың өлкетану бөлімі} and Сейітов Б.}" in bibtex([document], "https://x")


def test_a_results_page_as_ris(client, built):
    records = rispy.loads(client.get("/search.ris?q=газет").get_data(as_text=True))
    assert {r["id"] for r in records} == {f"olke-{built[1]['kazakh']}", f"olke-{built[1]['russian']}"}
    assert client.get("/search.ris?per_page=500").status_code == 400


def test_text_of_a_page_and_of_the_document(client, built):
    doc = built[1]["kazakh"]
    page = client.get(f"/files/{doc}/pages/2.txt")
    assert page.mimetype == "text/plain" and page.get_data(as_text=True).strip() == KAZAKH_PAGES[1]
    whole = client.get(f"/files/{doc}/document.txt").get_data(as_text=True)
    assert whole.index(KAZAKH_PAGES[0]) < whole.index("\f") < whole.index(KAZAKH_PAGES[1])
    assert client.get(f"/files/{built[1]['russian']}/document.txt").status_code == 403


def test_downloads_are_named_and_described(client, built):
    doc = built[1]["kazakh"]
    response = client.get(f"/files/{doc}/document.pdf")
    assert f'filename=1998-kitapkhana-tarikhy-olke-{doc}.pdf' in response.headers["Content-Disposition"]
    for data in (response.data, client.get(f"/files/{doc}/pages/1.pdf").data):
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert str(pdf.docinfo["/Title"]) == "Кітапхана тарихы"
            assert str(pdf.docinfo["/Author"]) == "Сейітов Б."
            assert "Өлке тынысы, № 12" in str(pdf.docinfo["/Subject"])
            assert pdf.open_metadata()["dc:title"] == "Кітапхана тарихы"      # XMP in step (PDF/A)


def test_share_link_keeps_page_zoom_and_words_and_results_show_thumbnails(client, built):
    doc = built[1]["kazakh"]
    html = client.get(f"/documents/{doc}/pages/2?q=газет&zoom=150").get_data(as_text=True)
    assert f'value="https://olke.example.kz/documents/{doc}/pages/2?q=газет&amp;zoom=150"' in html   # letters as letters
    html = client.get(f"/documents/{doc}/pages/2", query_string={"q": "газет & 50% #1"}).get_data(as_text=True)
    assert f'value="https://olke.example.kz/documents/{doc}/pages/2?q=газет+%26+50%25+%231"' in html   # syntax encoded
    results = client.get("/search?q=газет").get_data(as_text=True)
    assert f'<img src="/files/{doc}/thumbnails/2.jpg"' in results
    assert f'/files/{built[1]["russian"]}/thumbnails/' not in results          # on request: no thumbnail


def test_search_inside_a_document_lists_its_pages_that_match(client, built):
    doc = built[1]["kazakh"]
    html = client.get(f"/documents/{doc}?q=газеттер").get_data(as_text=True)
    hits = html[html.index('class="in-document-hits"'):].split("</nav>")[0]
    assert f'href="/documents/{doc}/pages/1?q=' in hits and f'href="/documents/{doc}/pages/2?q=' in hits
    assert 'name="q" type="search" value="газеттер"' in html
    none = client.get(f"/documents/{doc}?q=тракторлар").get_data(as_text=True)
    assert "Бұл құжатта «тракторлар» кездеспейді." in none


def test_the_timeline_counts_documents_by_year_and_each_bar_filters():
    from search_app.timeline import bars

    drawn = bars([("1998", 2), ("2005", 1), ("", 4)])
    assert [b.label for b in drawn] == [str(y) for y in range(1998, 2006)]     # the years between keep their place
    assert [b.count for b in drawn] == [2, 0, 0, 0, 0, 0, 0, 1]
    assert drawn[0].height == 80 and drawn[-1].height == 40 and drawn[1].height == 0
    assert bars([("1998", 3)]) == []                                            # one year: nothing to compare
    decades = bars([("1890", 1), ("2020", 2)])
    assert decades[0].label == "1890–1899" and decades[-1].label == "2020–2029"


def test_the_results_page_draws_the_timeline_as_links(client):
    html = client.get("/search?q=газет").get_data(as_text=True)
    svg = html[html.index('<figure class="timeline"'):html.index("</figure>")]
    assert 'href="/search?q=%D0%B3%D0%B0%D0%B7%D0%B5%D1%82&amp;from=1998&amp;to=1998"' in svg
    assert svg.count("<rect") == 2 and "1998: 1 құжат" in svg


def test_browse_by_date_year_month_day(client, built):
    doc = built[1]["kazakh"]
    years = client.get("/browse/dates").get_data(as_text=True)
    assert 'href="/browse/dates/1998">1998</a> <span class="count">1</span>' in years
    assert 'href="/browse/dates/2005">2005</a>' in years
    months = client.get("/browse/dates/1998").get_data(as_text=True)
    assert 'href="/browse/dates/1998/5">Мамыр</a>' in months
    days = spaced(client.get("/browse/dates/1998/5").get_data(as_text=True))
    assert "1998 ж. 14 мамыр" in days and f'href="/documents/{doc}"' in days
    assert client.get("/browse/dates/1998/13").status_code == 404
    assert client.get("/browse/dates/1997").status_code == 404


def test_browse_by_newspaper_and_issue(client, built):
    sources = client.get("/browse/sources").get_data(as_text=True)
    assert 'href="/browse/sources/%D3%A8%D0%BB%D0%BA%D0%B5%20%D1%82%D1%8B%D0%BD%D1%8B%D1%81%D1%8B">Өлке тынысы</a>' in sources
    issue = spaced(client.get("/browse/sources/Өлке тынысы").get_data(as_text=True))
    assert "№ 12, 1998 ж. 14 мамыр" in issue and f'href="/documents/{built[1]["kazakh"]}"' in issue
    assert client.get("/browse/sources/Жоқ газет").status_code == 404


def test_turning_pages_does_not_recount_the_document(client, built, monkeypatch):
    from search_app import reading

    counted = []
    real = reading.count_matches
    monkeypatch.setattr(reading, "count_matches", lambda *a: counted.append(1) or real(*a))
    doc = built[1]["kazakh"]
    first = client.get(f"/documents/{doc}/pages/1?q=оқыңыз").get_data(as_text=True)
    assert len(counted) == 2                                  # both pages counted once
    second = client.get(f"/documents/{doc}/pages/2?q=оқыңыз").get_data(as_text=True)
    assert len(counted) == 2                                  # remembered for the next page
    for html in (first, second):
        assert f'href="/documents/{doc}/pages/2?q=' in html.split('class="in-document-hits"')[1].split("</nav>")[0]
