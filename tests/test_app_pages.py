"""The reading room's HTML pages through the Flask test client: home, results, viewer, collections, errors."""
from __future__ import annotations

import io
import json
import re

import pytest

from test_app_support import ENGLISH_UI, HOSTILE_TITLE, build_archive


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("reading"))


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


def norm(html: str) -> str:
    """Babel puts no-break spaces in dates and numbers; compare with plain ones."""
    return html.replace("\u00a0", " ").replace("\u202f", " ")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_home_shows_holdings_recent_browse_and_collections(client, ids):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="kk">' in html
    assert "3 құжат, 4 бет." in visible_text(html)                      # documents and pages
    assert "Газет мақалалары" in html and "Кітаптар" in html            # by kind
    assert "Қазақ тілі" in html and "Орыс тілі" in html                 # by language
    assert f'href="/documents/{ids["russian"]}"' in html               # recent additions
    assert 'href="/search?source=%D3%98%D0%BB%D0%BA%D0%B5' not in html  # (sanity: sources are url-quoted)
    assert "/search?source=" in html and "/search?rubric=" in html and "/search?from=1990&amp;to=1999" in html
    assert 'href="/collections/kitaphana"' in html and "Кітапхана тарихы топтамасы" in html
    assert 'name="q"' in html and '<label for="q-home">' in html


def test_page_skeleton_is_accessible(client):
    html = client.get("/").get_data(as_text=True)
    assert '<meta name="viewport"' in html
    assert 'class="skip" href="#main"' in html and '<main id="main"' in html
    for tag in ("<header", "<nav", "<main", "<footer", "<h1"):
        assert tag in html
    for input_id in re.findall(r'<input id="([^"]+)"', html):
        assert f'<label for="{input_id}">' in html
    assert "http://" not in html.replace('http://www.w3.org', '') and "https://" not in html


def test_browse_lists_every_facet(client):
    text = visible_text(client.get("/browse").get_data(as_text=True))
    for expected in ("Өлке тынысы", "Краевед", "1990–1999", "1998", "2005", "Кітапханалар", "Өлке тарихы"):
        assert expected in text
    assert "История края" not in text            # a Russian document's subject, in Kazakh (archive.rubrics)


def test_search_inflected_kazakh_form_marks_hits_and_links_pages(client, ids):
    response = client.get("/search", query_string={"q": "кітапханаларда"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<mark>" in html
    assert re.search(r"<mark>Кітапханалардың</mark>|<mark>кітапхана</mark>", html)
    assert f'/documents/{ids["kazakh"]}/pages/1?q=' in html and f'/documents/{ids["kazakh"]}/pages/2?q=' in html
    text = visible_text(html)
    assert "құжат табылды" in text and "1-бет" in text and "2-бет" in text
    assert 'id="facet-kind"' in html and 'id="sort"' in html and '<label for="from">' in html


def test_search_russian_word_form(client, ids):
    html = client.get("/search?q=библиотеки").get_data(as_text=True)
    assert f'/documents/{ids["russian"]}/pages/1?q=' in html
    # an on_request document: the page is named with its matches counted (the form found), no text
    assert '<span class="matches">1 сәйкестік</span>' in html and "<mark>библиотека</mark>" not in html


def test_filters_facets_sort_and_removal(client, ids):
    html = client.get("/search", query_string={"q": "кітапхана", "kind": "book"}).get_data(as_text=True)
    assert f'/documents/{ids["hostile"]}' in html and f'/documents/{ids["kazakh"]}/' not in html
    assert "Түрі: Кітап" in visible_text(html)                               # the active filter, removable
    assert 'href="/search?q=%D0%BA%D1%96%D1%82%D0%B0%D0%BF%D1%85%D0%B0%D0%BD%D0%B0"' in html
    html = client.get("/search?language=rus&from=2000&to=2010&sort=-date").get_data(as_text=True)
    assert f'/documents/{ids["russian"]}' in html and f'/documents/{ids["kazakh"]}' not in html
    assert '<option value="-date" selected>' in html
    html = client.get("/search", query_string={"source": "Краевед"}).get_data(as_text=True)
    assert f'/documents/{ids["russian"]}' in html and f'/documents/{ids["kazakh"]}' not in html
    html = client.get("/search", query_string={"rubric": "Кітапханалар"}).get_data(as_text=True)
    assert f'/documents/{ids["kazakh"]}' in html and f'/documents/{ids["russian"]}' not in html


def test_paging_links_with_small_pages(app, ids):
    app.config["OLKE_PER_PAGE"] = 1
    try:
        client = app.test_client()
        html = client.get("/search?page=2").get_data(as_text=True)
        assert 'rel="prev"' in html and 'rel="next"' in html and 'aria-current="page" href="/search?page=2"' in html
        assert '<ol class="hits" start="2">' in html
        assert client.get("/search?page=4").status_code == 404
    finally:
        app.config["OLKE_PER_PAGE"] = 10


def test_empty_results_help(client):
    html = client.get("/search?q=жоқсөзқұрама&kind=book").get_data(as_text=True)
    text = visible_text(html)
    assert "бойынша ештеңе табылмады" in text
    assert 'href="/browse"' in html and 'href="/collections"' in html
    assert "Сүзгілерсіз қайта іздеу" in text


def test_did_you_mean(app, monkeypatch):
    from search_app.store import Store

    real = Store.search

    def with_suggestion(self, request):
        results = real(self, request)
        results.suggestion = "кітапхана"
        return results

    monkeypatch.setattr(Store, "search", with_suggestion)
    html = app.test_client().get("/search?q=кітапхона").get_data(as_text=True)
    assert "Мүмкін, сіз мынаны іздедіңіз:" in html
    assert 'href="/search?q=%D0%BA%D1%96%D1%82%D0%B0%D0%BF%D1%85%D0%B0%D0%BD%D0%B0"' in html


def test_a_town_searched_under_its_other_names_is_said(app, monkeypatch):
    from search_app.store import Store

    real = Store.search

    def found_by_old_name(self, request):
        results = real(self, request)
        results.terms = {**results.terms, "text_rus": ["семипалатинск"]}     # as a page had it
        return results

    monkeypatch.setattr(Store, "search", found_by_old_name)
    text = visible_text(app.test_client().get("/search?q=Семейде").get_data(as_text=True))
    assert "Қала басқа атауларымен де ізделді: Семипалатинск (тырнақшадағы атау жазылғандай ізделеді)." in text
    for query in ("кітапхана", "Семипалатинск"):                     # no town, or the name typed
        assert "атауларымен де ізделді" not in visible_text(
            app.test_client().get("/search", query_string={"q": query}).get_data(as_text=True))
    assert app.test_client().get("/api/search?q=Семейде").get_json()["town_names"] == ["Семипалатинск"]
    assert app.test_client().get("/api/search?q=кітапхана").get_json()["town_names"] == []


def test_document_page_viewer_with_highlights(client, ids):
    doc = ids["kazakh"]
    response = client.get(f"/documents/{doc}/pages/1", query_string={"q": "кітапханаларда"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'src="/files/{doc}/pages/1.jpg"' in html
    rects = re.findall(r'<rect class="hit" x="([\d.]+)%" y="([\d.]+)%" width="([\d.]+)%" height="([\d.]+)%"', html)
    assert len(rects) == 2                                          # кітапхана, Кітапханалардың
    assert all(0 <= float(v) <= 100 for rect in rects for v in rect)
    assert "<mark>кітапхана</mark>" in html and "<mark>Кітапханалардың</mark>" in html    # OCR text beside
    assert f'href="/documents/{doc}/pages/2?q=' in html and 'rel="next"' in html
    assert f'src="/files/{doc}/thumbnails/2.jpg"' in html
    assert "Сейітов Б. Кітапхана тарихы // Өлке тынысы. – 1998. – № 12. – Б. 3." in html  # the citation
    assert f'href="/files/{doc}/document.pdf"' in html and f'href="/files/{doc}/pages/1.pdf"' in html
    assert "1998 ж. 14 мамыр" in norm(html)                           # a date in Kazakh
    assert 'href="/collections/kitaphana"' in html


def test_document_page_without_query_and_zoom(client, ids):
    doc = ids["kazakh"]
    html = client.get(f"/documents/{doc}").get_data(as_text=True)
    assert '<rect class="hit"' not in html and "<mark>" not in html
    assert 'class="frame zoom-100"' in html
    html = client.get(f"/documents/{doc}/pages/2?zoom=200").get_data(as_text=True)
    assert 'class="frame zoom-200"' in html and 'rel="prev"' in html and 'rel="next"' not in html
    assert f'href="/documents/{doc}/pages/1?zoom=200"' in html
    assert client.get(f"/documents/{doc}?zoom=300").status_code == 400


def test_on_request_document_offers_a_request_not_a_download(client, ids):
    doc = ids["russian"]
    html = client.get(f"/documents/{doc}/pages/1").get_data(as_text=True)
    assert f'href="/request?document={doc}&amp;pages=1"' in html
    assert f"/files/{doc}/document.pdf" not in html and f"/files/{doc}/pages/1.pdf" not in html
    assert "Семёнов П. Городская библиотека // Краевед. – 2005. – № 3. – С. 12-14." in html


def test_hostile_metadata_and_ocr_text_are_escaped(client, ids):
    doc = ids["hostile"]
    for url in (f"/documents/{doc}", "/search?q=кітапхана+тарихы", "/", f"/search?q={HOSTILE_TITLE}",
                "/browse", "/search?rubric=<i>Тарих</i>"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>Автор" not in html, url
        assert "<i>Тарих" not in html and "<script>x()" not in html
    html = client.get(f"/documents/{doc}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt; Тарих" in html
    assert "&lt;script&gt;alert(&#34;ocr&#34;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_collections_pages(client, ids):
    html = client.get("/collections").get_data(as_text=True)
    assert 'href="/collections/kitaphana"' in html
    html = client.get("/collections/kitaphana").get_data(as_text=True)
    assert "<h1>Кітапхана тарихы топтамасы</h1>" in html and "Кітапхана туралы мақалалар" in html
    assert f'href="/documents/{ids["kazakh"]}"' in html and f'href="/documents/{ids["russian"]}"' not in html
    html = client.get("/collections/kitaphana?lang=ru").get_data(as_text=True)
    assert "<h1>История библиотеки</h1>" in html


@pytest.mark.parametrize("url", ["/documents/9999", "/documents/1/pages/99", "/documents/1/pages/0",
                                 "/collections/no-such", "/no/such/page", "/search?page=50"])
def test_not_found_is_a_friendly_translated_page(client, url):
    response = client.get(url)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "<h1>Бет табылмады</h1>" in html and 'href="/browse"' in html
    assert "olke list" not in html                              # no command-line hints for readers


@pytest.mark.parametrize("query, message", [
    ("page=x", "«бет» — 1 мен 1000 аралығындағы бүтін сан болуы керек."),     # the reader's words for
    ("page=0", "«бет»"), ("from=abc", "«басталатын жыл»"),                      # parameters, not «from»
    ("from=2000&to=1990", "Жылдар аралығының басы (2000)"),
    ("kind=poem", "«poem» — «түрі» үшін жарамсыз мән"), ("language=eng", "«тілі»"),
    ("sort=random", "«сұрыптау»"), ("q=кітап&source=" + "ә" * 301, "«газет не журнал» мәні тым ұзын"),
])
def test_bad_parameters_are_400_with_a_message(client, query, message):
    response = client.get("/search?" + query)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_query_past_the_limit_is_searched_by_its_beginning_and_says_so(client):
    pasted = "Абай " + "ұзақ мәтін " * 300                     # a pasted paragraph, 3000 characters
    html = client.get("/search", query_string={"q": pasted}).get_data(as_text=True)
    assert "500 таңбадан ұзын" in html and "«мәтін ұзақ мәтін»" in html
    assert 'class="summary"' in html or "табылмады" in html      # a results page, not an error
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert len(heading) < 200 and " …»" in heading                # the heading shows the query's beginning
    assert "500 таңбадан ұзын" not in client.get("/search?q=Абай").get_data(as_text=True)


def test_nothing_found_shows_the_words_with_their_kazakh_marks(client):
    """Typed without two marks (қ, ғ) the word finds nothing; the results for the archive's own
    word are shown, with a link to the words as typed."""
    html = client.get("/search?q=сакталган").get_data(as_text=True)
    assert "«сакталган» бойынша ештеңе табылмады; мұнда «сақталған» бойынша нәтижелер." in html
    assert "Кітапхана тарихы" in html and 'value="сақталған"' in html
    assert "as_typed=1" in html
    typed = client.get("/search?q=сакталган&as_typed=1").get_data(as_text=True)
    assert "Кітапхана тарихы" not in typed and ">сақталған</strong></a>?" in typed     # "did you mean" only


def test_language_switch_is_kept_in_a_cookie(client):
    response = client.get("/?lang=ru")
    html = response.get_data(as_text=True)
    assert '<html lang="ru">' in html and "Что есть в архиве" in html
    assert "olke_lang=ru" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    html = client.get("/search?q=библиотека").get_data(as_text=True)     # the cookie carries it on
    assert '<html lang="ru">' in html and "Найден" in html
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html and "What the archive holds" in html and "3 documents, 4 pages." in visible_text(html)
    assert '<html lang="kk">' in client.get("/?lang=kk").get_data(as_text=True)
    assert '<html lang="kk">' in client.get("/?lang=xx").get_data(as_text=True)   # unknown: ignored


def test_switcher_links_keep_the_query(client, ids):
    html = client.get(f"/documents/{ids['kazakh']}/pages/2?q=газет").get_data(as_text=True)
    assert f'href="/documents/{ids["kazakh"]}/pages/2?q=%D0%B3%D0%B0%D0%B7%D0%B5%D1%82&amp;lang=ru"' in html


def test_dates_and_numbers_follow_the_language(client, ids):
    doc = ids["kazakh"]
    assert "14 мая 1998 г." in norm(client.get(f"/documents/{doc}?lang=ru").get_data(as_text=True))
    assert "May 14, 1998" in norm(client.get(f"/documents/{doc}?lang=en").get_data(as_text=True))
    assert "1998 ж. 14 мамыр" in norm(client.get(f"/documents/{doc}?lang=kk").get_data(as_text=True))


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_no_english_in_the_kazakh_and_russian_interface(client, ids, lang):
    urls = ["/", "/browse", "/collections", "/collections/kitaphana", "/search?q=кітапхана",
            "/search?q=жоқсөзқұрама", f"/documents/{ids['kazakh']}/pages/1?q=кітапхана",
            f"/documents/{ids['russian']}", "/documents/9999", "/search?page=x"]
    for url in urls:
        text = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}").get_data(as_text=True)
        text = text.replace("English</a>", "")                      # the switcher names English in English
        text = re.sub(r'<script type="application/ld\+json">.*?</script>', "", text, flags=re.S)  # data, not UI
        text = re.sub(r'<meta name="citation_[^>]*>', "", text)
        leaks = [s for s in ENGLISH_UI if s in text]
        assert not leaks, (url, leaks)


def test_document_page_carries_citation_tags_and_schema_org(client, ids):
    html = client.get(f"/documents/{ids['kazakh']}").get_data(as_text=True)
    assert '<meta name="citation_title"' in html
    assert f'/files/{ids["kazakh"]}/document.pdf' in html.split('name="citation_pdf_url"')[1].split(">")[0]
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@context"] == "https://schema.org" and data["inLanguage"] == "kk"
    restricted = client.get(f"/documents/{ids['russian']}").get_data(as_text=True)
    assert "citation_pdf_url" not in restricted


def test_the_ocr_text_reflows_as_paragraphs_and_the_keyboard_can_reach_it():
    from search_app.viewer import paragraphs

    text = "Бірінші жол кітап-\nхана туралы әл-\nФараби мен 1-\nсынып\n\nЕкінші абзац\nжалғасы\n \n\nҮшінші"
    assert paragraphs(text) == ["Бірінші жол кітап-хана туралы әл-Фараби мен 1-сынып",
                                "Екінші абзац жалғасы", "Үшінші"]


def test_the_viewers_text_is_a_focusable_region_of_paragraphs(client, ids):
    html = client.get(f"/documents/{ids['kazakh']}/pages/1").get_data(as_text=True)
    region = html[html.index('<div class="text"'):]
    assert 'tabindex="0" role="region" aria-labelledby="ocr-title"' in region.split(">")[0]
    assert region.split("</div>")[0].count("<p>") >= 1


def test_page_images_come_in_screen_sizes(client, ids):
    from PIL import Image

    doc = ids["kazakh"]
    html = client.get(f"/documents/{doc}/pages/1").get_data(as_text=True)
    assert f"/files/{doc}/pages/1.jpg?width=480 480w" in html and f"/files/{doc}/pages/1.jpg 1100w" in html
    small = client.get(f"/files/{doc}/pages/1.jpg?width=480")
    assert small.status_code == 200 and small.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(small.data)).width == 480
    assert client.get(f"/files/{doc}/pages/1.jpg?width=123").status_code == 400
    assert client.get(f"/files/{ids['russian']}/pages/1.jpg?width=480").status_code == 403


def test_zoom_links_zoom_in_place_and_land_on_the_viewer(client, ids):
    html = client.get(f"/documents/{ids['kazakh']}/pages/1").get_data(as_text=True)
    assert f'href="/documents/{ids["kazakh"]}/pages/1?zoom=150#viewer-title" data-zoom="150"' in html


def test_a_phone_can_reach_filters_before_the_results(client):
    html = client.get("/search?q=кітапхана").get_data(as_text=True)
    assert html.index('class="to-filters"') < html.index('<ol class="hits"')
    assert 'href="#refine-title">Сүзгілер мен сұрыптау' in html
