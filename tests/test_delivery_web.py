"""The delivery pages of the reading room in the test client and over real HTTP: the whole path from the
form to the stamped PDF, every bad input, and 200 concurrent submissions."""
from __future__ import annotations

import http.cookiejar
import re
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from archive.delivery import links
from archive.delivery.settings import secret_key
from archive.home import Home
from test_app_support import serve
from test_requests_support import (SHOTS, aged_link, aged_start, body, build_archive, copy_home, form_data,
                                   pdf_page_texts, public_app, smtp_server)

pytestmark = pytest.mark.databases      # on SQLite and again with the catalog on PostgreSQL

FAST = {"min_fill_seconds": 0}


@pytest.fixture(scope="module")
def template(tmp_path_factory, module_database):
    return build_archive(tmp_path_factory.mktemp("delivery-web"))


@pytest.fixture
def home(template, tmp_path, database_copy):
    root, ids = template
    return copy_home(root, tmp_path / "home"), ids


@pytest.fixture
def app(home):
    made = public_app(home[0], **FAST)
    yield made
    made.extensions["olke"].close()


def count(app, table="delivery_requests") -> int:
    with app.extensions["olke"].catalog() as catalog:
        return catalog.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def form_page(client, query="") -> str:
    response = client.get(f"/request{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def errors_of(html: str) -> list[str]:
    return re.findall(r'class="error"[^>]*>([^<]+)<', html)


def problem_of(html: str) -> str:
    found = re.search(r'class="problem" role="alert"><p>([^<]+)</p>', html)
    return found.group(1) if found else ""


def test_the_form_is_prefilled_from_a_document(app, home):
    _, ids = home
    html = form_page(app.test_client(), f"?document={ids['book']}&pages=3")
    assert "Дала мен өзен" in html and 'name="pages" type="text" value="3"' in html
    assert f'name="document_id" value="{ids["book"]}"' in html and 'name="cite_title"' not in html
    assert "өңдеуге келісім беремін" in html                       # the consent, in the reader's language (kk)
    assert "кітаптың 15% дейінгі" in html                           # the copying rules with the configured share
    assert 'name="website"' in html and 'tabindex="-1"' in html    # the honeypot
    citation = form_page(app.test_client(), "?document=99999")
    assert 'name="cite_title"' in citation


def test_the_whole_path_in_the_test_client(home):
    root, ids = home
    with smtp_server() as (mailbox, mail):
        app = public_app(root, min_fill_seconds=0, mail=mail, public_url="http://olke.test", link_downloads=2)
        client = app.test_client()
        html = form_page(client, f"?document={ids['article']}&lang=ru")
        sent = client.post("/request", data=form_data(html, purpose="Для статьи о районе"))
        assert sent.status_code == 303 and sent.headers["Location"].endswith("/request/sent")
        page = client.get("/request/sent").get_data(as_text=True)
        code = re.search(r'id="request-code">([^<]+)<', page).group(1)
        assert "Мы также отправили его на вашу почту" in page and "ещё не отправлено" not in page
        (letter,) = mailbox.wait(1)
        assert letter["Subject"] == f"Заявка принята: {code}"          # the requester's language: ru
        assert f"http://olke.test/request/status?code={code}" in body(letter)

        lookup = client.post("/request/status", data={"csrf_token": re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(f"/request/status?code={code}")
            .get_data(as_text=True)).group(1), "code": code.lower(), "email": "READER@example.kz"})
        assert lookup.status_code == 303
        status = client.get(lookup.headers["Location"]).get_data(as_text=True)
        assert code in status and 'id="request-status"' in status and "Кітапхана тарихы" in status

        from archive.delivery import fulfil

        with app.extensions["olke"].catalog() as catalog:           # the staff side, as a library call
            done = fulfil.deliver(catalog, code, "librarian", app.extensions["olke_delivery"].settings,
                                  secret_key(catalog.home))
            unsent = client.get(f"/request/status/{code}").get_data(as_text=True)
            assert "письмо со ссылкой на вашу почту ещё не отправлено" in unsent      # not "was sent"
            from archive.delivery import outbox

            outbox.send_pending(catalog.conn, app.extensions["olke_delivery"].settings, done.letters)
        delivered = mailbox.wait(2)[1]
        assert delivered["Subject"] == f"Ваша копия готова: {code}"
        link = re.search(r"http://olke\.test(/request/download/\S+)", body(delivered)).group(1)
        # the status page gives the link again, for a letter that got lost: the same copy, its limits
        shown = client.get(f"/request/status/{code}").get_data(as_text=True)
        again = re.search(r'<a class="button" href="http://localhost/request/download/([^"]+)">Скачать копию</a>',
                          shown).group(1)
        assert links.read_token(secret_key(Home.resolve(root)), again, 30) == done.copy_id
        assert "осталось скачиваний: 2" in shown and "отправлена на вашу почту" in shown
        with app.extensions["olke"].catalog() as catalog, catalog.transaction() as conn:   # a new copy's letter,
            conn.execute("INSERT INTO delivery_mail (request_id, letter, recipient, subject, body, created_at)"  # unsent
                         " VALUES (:id, 'delivered', 'reader@example.kz', 's', 'b', '2026-12-03T00:00:00Z')",
                         {"id": done.request.id})
        assert "ещё не отправлено" in client.get(f"/request/status/{code}").get_data(as_text=True)
        first = client.get(link)
        assert first.status_code == 200 and first.mimetype == "application/pdf"
        assert first.headers["X-Downloads-Left"] == "1" and first.headers["Cache-Control"] == "no-store"
        copy = Path(root) / "got.pdf"
        copy.write_bytes(first.data)
        texts = pdf_page_texts(copy)
        assert len(texts) == 2 and all(code in t and "Сынақ Оқырман" in t and "Распространение запрещено" in t
                                       for t in texts)
        assert client.get(link).status_code == 200
        gone = client.get(link)
        assert gone.status_code == 410 and "Срок действия ссылки истёк" in gone.get_data(as_text=True)
        old = aged_link(secret_key(Home.resolve(root)), done.copy_id, 31)
        assert client.get(f"/request/download/{old}").status_code == 410
        assert client.get("/request/download/not-a-token").status_code == 404
        status = client.get(f"/request/status/{code}").get_data(as_text=True)
        assert "0 downloads left" in status or "status-delivered" in status
        assert "/request/download/" not in status                     # used up: no link to offer
        app.extensions["olke"].close()


def test_a_quick_form_with_mistakes_is_told_the_mistakes_not_too_fast(home):
    root, ids = home
    app = public_app(root, min_fill_seconds=3)
    client = app.test_client()
    html = form_page(client, f"?document={ids['article']}&lang=en")
    response = client.post("/request", data=form_data(html, email="reader(at)example.kz"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "too quickly" not in page
    assert errors_of(page) == ["This does not look like an e-mail address; write it like name@example.kz."]
    assert count(app) == 0
    app.extensions["olke"].close()


def test_the_pages_field_asks_which_pages_with_a_number_pad(app, home):
    _, ids = home
    html = form_page(app.test_client(), f"?document={ids['article']}")
    assert '<label for="f-pages">Қай беттер</label>' in html
    assert 'inputmode="numeric"' in html and "&#34;numeric&#34;" not in html


@pytest.mark.parametrize("change, field, message", [
    ({"consent": None}, "consent", "We can take your request only with your consent to processing your data."),
    ({"rules_acknowledged": None}, "rules_acknowledged", "Please confirm that you have read the copying rules."),
    ({"email": "reader(at)example.kz"}, "email", "This does not look like an e-mail address; write it like "
                                                "name@example.kz."),
    ({"name": "Ә" * 201}, "name", "This is too long: at most 200 characters."),
    ({"purpose": "ө" * 2001}, "purpose", "This is too long: at most 2000 characters."),
    ({"pages": "1-40"}, "pages", "The document has 10 pages: choose pages from 1 to 10."),
    ({"category": None}, "category", "Please fill this in."),
    ({"needed_by": "2020-01-01"}, "needed_by", "This date has passed; choose a later one or leave the field empty."),
])
def test_each_bad_field_gets_a_message_beside_it_and_nothing_is_saved(app, home, change, field, message):
    _, ids = home
    client = app.test_client()
    data = form_data(form_page(client, f"?document={ids['book']}&lang=en"), pages="3", purpose="A school project")
    data.update(change)
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post("/request", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert errors_of(html) == [message]
    assert f'id="f-{field}-error"' in html and 'aria-invalid="true"' in html
    assert problem_of(html) == "Some fields need correcting; see the messages beside them. Nothing was saved yet."
    if field != "purpose":
        assert "A school project</textarea>" in html                 # input kept
    if field != "name":
        assert 'value="Сынақ Оқырман"' in html
    assert count(app) == 0 and count(app, "delivery_mail") == 0


@pytest.mark.parametrize("tamper, status, message", [
    ("honeypot", 400, "The request could not be accepted. Nothing was saved: please reload the page and send it again."),
    ("csrf", 400, "The form has expired or did not come from this site. Nothing was saved: please send it again."),
    ("no_start", 400, "The request could not be accepted. Nothing was saved: please reload the page and send it again."),
    ("too_fast", 422, "The form was sent too quickly after it was opened. Nothing was saved: please check your entries "
                      "and send it again."),
    ("stale", 422, "The form was open too long. Nothing was saved: please check your entries and send it again."),
])
def test_robots_and_forged_forms_are_turned_away_and_nothing_is_saved(home, tamper, status, message):
    root, ids = home
    app = public_app(root, min_fill_seconds=3)
    client = app.test_client()
    html = form_page(client, f"?document={ids['article']}&lang=en")
    data = form_data(html)
    data["started"] = aged_start(secret_key(Home.resolve(root)), 10)
    if tamper == "honeypot":
        data["website"] = "http://spam.example"
    elif tamper == "csrf":
        data["csrf_token"] = "forged"
    elif tamper == "no_start":
        del data["started"]
    elif tamper == "too_fast":
        data["started"] = form_data(html)["started"]
    elif tamper == "stale":
        data["started"] = aged_start(secret_key(Home.resolve(root)), 2 * 86400)
    response = client.post("/request", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == status and problem_of(html) == message
    assert 'value="Сынақ Оқырман"' in html                        # the person's input is kept
    assert count(app) == 0
    if tamper == "too_fast":                                       # a person who sends again is taken
        again = form_data(html)
        again["started"] = aged_start(secret_key(Home.resolve(root)), 5)
        assert client.post("/request", data=again).status_code == 303 and count(app) == 1
    app.extensions["olke"].close()


def test_a_request_beyond_the_rules_needs_confirmation(app, home):
    _, ids = home
    client = app.test_client()
    html = form_page(client, f"?document={ids['book']}&lang=en")
    response = client.post("/request", data=form_data(html, pages="1-4"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and count(app) == 0
    assert "You ask for 40% of this document; the copying rules allow at most 15% of a book." in page
    assert problem_of(page) == "Please confirm below that you still want to send this request."
    confirmed = client.post("/request", data=form_data(page, pages="1-4", accept_exceeding="y"))
    assert confirmed.status_code == 303 and count(app) == 1
    assert "goes beyond the copying rules" in client.get("/request/sent").get_data(as_text=True)


def test_confirming_the_copying_rules_does_not_restart_the_forms_clock(home):
    """A reader who spent minutes on the form and is asked to confirm a request beyond the rules can
    confirm at once: the form given out again keeps the time it was first given out."""
    root, ids = home
    app = public_app(root, min_fill_seconds=3)
    client = app.test_client()
    html = form_page(client, f"?document={ids['book']}&lang=en")
    data = form_data(html, pages="1-4")
    data["started"] = aged_start(secret_key(Home.resolve(root)), 120)     # two minutes on the form
    page = client.post("/request", data=data).get_data(as_text=True)
    assert problem_of(page) == "Please confirm below that you still want to send this request."
    confirmed = client.post("/request", data=form_data(page, pages="1-4", accept_exceeding="y"))
    assert confirmed.status_code == 303 and count(app) == 1
    app.extensions["olke"].close()


def test_a_duplicate_shows_the_first_code(app, home):
    _, ids = home
    client = app.test_client()
    codes = []
    for _ in range(2):
        assert client.post("/request", data=form_data(form_page(client, f"?document={ids['article']}"))
                           ).status_code == 303
        page = client.get("/request/sent?lang=en").get_data(as_text=True)
        codes.append(re.search(r'id="request-code">([^<]+)<', page).group(1))
    assert codes[0] == codes[1] and "You have already sent this request" in page and count(app) == 1
    # no mail server is set: the page does not say the code went to the e-mail
    assert "has not gone to your e-mail yet" in page and "We have also sent it" not in page


def test_a_free_citation(app):
    client = app.test_client()
    html = form_page(client, "?lang=en")
    missing = client.post("/request", data=form_data(html))
    assert missing.status_code == 422 and errors_of(missing.get_data(as_text=True)) == ["Please fill this in."]
    ok = client.post("/request", data=form_data(html, cite_title="Абай және Семей", cite_author="Әуезов М.",
                                                cite_source="Абай журналы", cite_year="1995", cite_issue="3",
                                                cite_pages="12-15"))
    assert ok.status_code == 303
    with app.extensions["olke"].catalog() as catalog:
        row = catalog.conn.execute("SELECT * FROM delivery_requests").fetchone()
    assert (row["document_id"], row["cite_title"], row["cite_pages"], row["language"]) == (None, "Абай және Семей",
                                                                                          "12-15", "en")


def test_status_needs_code_and_email_and_shows_no_internal_notes(app, home):
    _, ids = home
    client = app.test_client()
    client.post("/request", data=form_data(form_page(client, f"?document={ids['article']}")))
    code = re.search(r'id="request-code">([^<]+)<', client.get("/request/sent").get_data(as_text=True)).group(1)
    from archive.delivery import staff, workflow

    settings = app.extensions["olke_delivery"].settings
    with app.extensions["olke"].catalog() as catalog:
        staff.add(catalog.conn, "librarian", "a long password")
        workflow.add_note(catalog.conn, code, "librarian", "ІШКІ ЖАЗБА: оқырман күмәнді")
        workflow.ask(catalog.conn, code, "librarian", "Қай беттер керек?", settings)
    stranger = app.test_client()
    assert stranger.get(f"/request/status/{code}").status_code == 302
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      stranger.get("/request/status").get_data(as_text=True)).group(1)
    wrong = stranger.post("/request/status?lang=en", data={"csrf_token": token, "code": code,
                                                           "email": "other@example.kz"})
    assert wrong.status_code == 404
    assert "No request has this code and this e-mail." in wrong.get_data(as_text=True)
    mine = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                     client.get("/request/status").get_data(as_text=True)).group(1)
    owner = client.post("/request/status", data={"csrf_token": mine, "code": code, "email": "reader@example.kz"})
    page = client.get(owner.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Қай беттер керек?" in page and "ІШКІ ЖАЗБА" not in page and "Waiting for your answer" in page
    reply_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(f"/request/status/{code}/reply", data={"csrf_token": reply_token, "text": "3-5 беттер"}
                       ).status_code == 303
    page = client.get(f"/request/status/{code}?lang=en").get_data(as_text=True)
    assert "3-5 беттер" in page and "A librarian is working on it" in page
    assert client.post(f"/request/status/{code}/cancel", data={"csrf_token": reply_token}).status_code == 303
    assert "Cancelled" in client.get(f"/request/status/{code}?lang=en").get_data(as_text=True)


def test_rate_limit_per_address_and_size_limit(home):
    root, ids = home
    app = public_app(root, min_fill_seconds=0, rate_limit="2 per minute")
    client = app.test_client()
    html = form_page(client, f"?document={ids['article']}&lang=en")
    for n in range(2):
        assert client.post("/request", data=form_data(html, email=f"r{n}@example.kz")).status_code == 303
    limited = client.post("/request", data=form_data(html, email="r3@example.kz"))
    assert limited.status_code == 429
    assert "Too many forms were sent from your address" in limited.get_data(as_text=True)
    other = app.test_client()
    other_html = form_page(other, f"?document={ids['article']}")
    assert other.post("/request", data=form_data(other_html, email="other@example.kz"), environ_base={"REMOTE_ADDR": "10.0.0.7"}
                      ).status_code == 303
    huge = other.post("/request?lang=en", data=form_data(other_html, purpose="x" * 40000),
                      environ_base={"REMOTE_ADDR": "10.0.0.8"})
    assert huge.status_code == 413 and "Nothing was saved" in huge.get_data(as_text=True)
    assert count(app) == 3
    app.extensions["olke"].close()


def test_the_reading_room_serves_no_staff_pages(app, home):
    client = app.test_client()
    for path in ("/login", "/archive", "/archive.csv", "/figures", "/requests/26-AAAA-AAAA", "/staff"):
        assert client.get(path).status_code == 404, path


# --- real HTTP: 200 submissions from concurrent clients ------------------------------------------

class Browserless:
    """One client with its own cookies, speaking HTTP to the server like a browser would."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect())

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str]:
        request = urllib.request.Request(self.base + path, data=urllib.parse.urlencode(data).encode(), method="POST")
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", "")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_200_concurrent_submissions_none_lost_or_duplicated(home):
    root, ids = home
    with smtp_server() as (mailbox, mail):
        app = public_app(root, min_fill_seconds=0, rate_limit="10000 per minute", mail=mail)
        with serve(app) as base:
            def one(number: int) -> int:
                client = Browserless(base)
                html = client.get(f"/request?document={ids['book']}&pages={number % 10 + 1}")
                status, location = client.post("/request", data=form_data(
                    html, email=f"reader{number}@example.kz", name=f"Оқырман {number}", pages=str(number % 10 + 1)))
                assert location.endswith("/request/sent"), status
                return status

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=16) as pool:
                statuses = list(pool.map(one, range(200)))
            elapsed = time.perf_counter() - started
            # the same form sent 10 times at once by one person makes one request
            client = Browserless(base)
            html = client.get(f"/request?document={ids['article']}")
            data = form_data(html, email="twice@example.kz")
            with ThreadPoolExecutor(max_workers=10) as pool:
                again = list(pool.map(lambda _: client.post("/request", data)[0], range(10)))
        letters = mailbox.wait(201, timeout=30)
    assert statuses == [303] * 200 and again == [303] * 10
    with app.extensions["olke"].catalog() as catalog:
        rows = catalog.conn.execute("SELECT COUNT(*), COUNT(DISTINCT code), COUNT(DISTINCT email) FROM "
                                    "delivery_requests").fetchone()
        events = catalog.conn.execute("SELECT COUNT(*) FROM delivery_events WHERE action = 'submitted'").fetchone()[0]
    assert tuple(rows) == (201, 201, 201) and events == 201
    assert len(letters) == 201 and len({m["To"] for m in letters}) == 201
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / "delivery-concurrency.txt").write_text(
        f"200 submissions from 16 concurrent clients over HTTP (waitress, 8 threads) in {elapsed:.2f} s "
        f"({200 / elapsed:.0f}/s); 201 rows, 201 codes, 201 letters through SMTP\n", encoding="utf-8")
    app.extensions["olke"].close()
