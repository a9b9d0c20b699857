"""The staff app's Pages to check: the list worst first, a page beside its lines, correct, accept, read again."""
from __future__ import annotations

import re

import pytest

from test_review import PAGE_TEXTS, archived, book  # noqa: F401 (fixtures used here)

def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def staff(archived, home):
    from archive.delivery import staff as staff_users
    from ingest.reader import ScanReader
    from search_app.staff import create_staff_app

    app = create_staff_app({"OLKE_HOME": str(home.root), "TESTING": True, "OLKE_READER": ScanReader()})
    with app.extensions["olke"].catalog() as catalog:
        staff_users.add(catalog.conn, "corrector", "correct horse 1", "Түзетуші")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": token(page), "name": "corrector",
                                           "password": "correct horse 1"})
    assert response.status_code == 303
    yield app, client
    app.extensions["olke"].close()


def test_pages_to_check_need_a_signed_in_user(archived, home):
    from search_app.staff import create_staff_app

    app = create_staff_app({"OLKE_HOME": str(home.root), "TESTING": True})
    client = app.test_client()
    for path in ("/review", "/review/1/1", "/review/1/1/image", "/documents/1"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), path
    app.extensions["olke"].close()


def test_the_list_worst_first_in_three_languages(staff):
    _, client = staff
    html = client.get("/review").get_data(as_text=True)
    assert "<h1>Тексерілетін беттер</h1>" in html                     # Kazakh first
    assert "2 бетті тексеру керек." in html
    rows = re.findall(r'href="/review/(\d+)/(\d+)"', html)
    assert rows == [("1", "2"), ("1", "1")]
    assert "жазу бар жерде мәтін жоқ" in html and "сенімділік төмен" in html
    russian = client.get("/review?lang=ru").get_data(as_text=True)
    assert "<h1>Страницы на проверку</h1>" in russian and "2 страницы требуют проверки." in russian
    english = client.get("/review?lang=en").get_data(as_text=True)
    assert "<h1>Pages to check</h1>" in english and "no text where there is ink" in english


def test_the_page_beside_its_text_with_doubtful_words_marked(staff):
    _, client = staff
    html = client.get("/review/1/1?lang=en").get_data(as_text=True)
    assert 'src="/review/1/1/image"' in html
    assert len(re.findall(r'<rect class="doubt"', html)) == 2
    marked = re.findall(r'<mark class="doubt" title="read with (\d+)% confidence">([^<]+)</mark>', html)
    assert marked == [("41", "тарихы"), ("35", "жиналды")]
    fields = re.findall(r'<input type="text" id="line-\d+" name="line" value="([^"]*)"', html)
    assert " ".join(fields).split() == PAGE_TEXTS[0].split()
    image = client.get("/review/1/1/image")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    failed = client.get("/review/1/2?lang=en").get_data(as_text=True)
    assert "No lines were read on this page." in failed and 'name="extra" rows="14"' in failed
    assert client.get("/review/1/9").status_code == 404
    document = client.get("/documents/1?lang=en").get_data(as_text=True)
    assert '<span class="verdict failed">failed</span> <span class="reasons">no text where there is ink</span>' \
        in document
    assert '<span class="verdict ok">ok</span>' in document


def test_correcting_lines_in_the_staff_app(staff, home):
    app, client = staff
    html = client.get("/review/1/1").get_data(as_text=True)
    fields = re.findall(r'name="line" value="([^"]*)"', html)
    refused = client.post("/review/1/1/correct", data={"line": fields})
    assert refused.status_code == 400                                  # no CSRF token
    fields[0] = fields[0].replace("кітапхана", "Жамбылдың")
    response = client.post("/review/1/1/correct", data={"csrf_token": token(html), "line": fields,
                                                         "extra": "Жаңа жол."})
    assert response.status_code == 303 and response.headers["Location"] == "/review/1/2"   # the next to check
    shown = client.get("/review/1/2").get_data(as_text=True)
    assert "1-құжаттың 1-беті түзетілді." in shown
    with app.extensions["olke"].catalog() as catalog:
        from archive.corrections import history, page
        corrected = page(catalog, 1, 1)
        (entry,) = history(catalog, 1, 1)
    assert corrected["verdict"] == "ok" and corrected["text"].endswith("\nЖаңа жол.")
    assert entry["user"] == "corrector" and entry["action"] == "corrected" and entry["machine_text"] == PAGE_TEXTS[0]
    from archive.library import Archive
    from archive.search.model import SearchRequest
    archive = Archive(home)
    assert archive.search(SearchRequest(text="Жамбыл")).total_pages == 1
    archive.close()
    from search_app import create_app
    reading_room = create_app({"OLKE_HOME": str(home.root), "TESTING": True})
    viewer = reading_room.test_client().get("/documents/1/pages/1?q=Жамбыл").get_data(as_text=True)
    assert viewer.count('<rect class="hit"') == 1 and "<mark>Жамбылдың</mark>" in viewer   # highlight, text
    assert "мәтінді кітапхана түзеткен" in viewer and "тану сенімділігі" not in viewer     # not the machine's confidence
    other = reading_room.test_client().get("/documents/1/pages/2").get_data(as_text=True)
    assert "тану сенімділігі" in other and "түзеткен" not in other
    reading_room.extensions["olke"].close()


def test_accept_and_read_again_in_the_staff_app(staff, monkeypatch):
    app, client = staff
    html = client.get("/review/1/1").get_data(as_text=True)
    accepted = client.post("/review/1/1/accept", data={"csrf_token": token(html)})
    assert accepted.status_code == 303
    monkeypatch.setenv("OLKE_FAKE_OCR_TEXT", "Ертіс өзенінің жағасында ескі кітапхана тұр. Оқырмандар көп келеді.")
    read = client.post("/review/1/2/reread?lang=en", data={"csrf_token": token(html), "way": ["deskew", "clean"]})
    assert read.status_code == 200
    shown = read.get_data(as_text=True)
    assert "New reading (clean scanning noise, straighten the page)" in shown
    assert "Ертіс өзенінің жағасында" in shown
    with app.extensions["olke"].catalog() as catalog:
        from archive.corrections import page
        assert page(catalog, 1, 2)["text"] == ""                      # nothing changes until it is kept
    kept = re.search(r'name="reading" value="([^"]+)"', shown).group(1)
    forged = client.post("/review/1/2/keep", data={"csrf_token": token(html), "reading": kept[:-3] + "abc"})
    assert forged.status_code == 400
    other = client.post("/review/1/1/keep", data={"csrf_token": token(html), "reading": kept})
    assert other.status_code == 400
    response = client.post("/review/1/2/keep", data={"csrf_token": token(html), "reading": kept})
    assert response.status_code == 303
    with app.extensions["olke"].catalog() as catalog:
        from archive.corrections import history, page
        now = page(catalog, 1, 2)
        actions = [(h["number"], h["action"], h["details"]) for h in history(catalog, 1)]
    assert now["text"].startswith("Ертіс өзенінің") and now["verdict"] == "ok"
    assert actions == [(1, "accepted", {}), (2, "reread", {"ways": ["clean", "deskew"]})]
    assert client.get("/review?lang=en").get_data(as_text=True).count('class="button"') == 0
