"""The staff app: sign-in, the queue and its filters, every action on a request, fulfilment, records."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest

from archive.delivery import consent, model, staff, workflow
from archive.delivery.settings import DeliverySettings
from archive.delivery.intake import RequestInput
from test_requests_support import (body, build_archive, copy_home, page_image_bytes, public_app, smtp_server,
                                   staff_app)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("staff-web"))


@pytest.fixture
def setup(template, tmp_path):
    root, ids = template
    home = copy_home(root, tmp_path / "home")
    app = staff_app(home, public_url="https://olke.example.kz")
    with app.extensions["olke"].catalog() as catalog:
        staff.add(catalog.conn, "librarian", "correct horse 1", "Бірінші Кітапханашы")
        staff.add(catalog.conn, "cataloguer", "correct horse 2")
    yield app, ids
    app.extensions["olke"].close()


def new_request(app, document_id=None, **fields):
    values = dict(name="Сынақ Оқырман", email="reader@example.kz", category="researcher", language="kk",
                  document_id=str(document_id or ""), consent=True, consent_version=consent.CURRENT,
                  rules_acknowledged=True)
    values.update(fields)
    with app.extensions["olke"].catalog() as catalog:
        return workflow.submit(catalog.conn, RequestInput(**values), DeliverySettings(), catalog.get).request


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def signed_in(app, name="librarian", password="correct horse 1", lang="en"):
    """A signed-in client; it asks for the interface in ``lang`` (the cookie), None: the default (Kazakh)."""
    client = app.test_client()
    if lang:
        client.set_cookie("olke_staff_lang", lang)
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": token(page), "name": name, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


def act(client, code: str, action: str, **data) -> str:
    page = client.get(f"/requests/{code}").get_data(as_text=True)
    response = client.post(f"/requests/{code}/{action}", data={"csrf_token": token(page), **data},
                           follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def flashes(html: str) -> list[str]:
    return re.findall(r'class="flash (?:done|error)"[^>]*>([^<]+)<', html)


def test_every_page_needs_a_signed_in_user(setup):
    app, _ = setup
    client = app.test_client()
    client.set_cookie("olke_staff_lang", "en")
    for path in ("/", "/requests/26-AAAA-AAAA", "/archive", "/archive.csv", "/figures"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), path
    page = client.get("/login").get_data(as_text=True)
    wrong = client.post("/login", data={"csrf_token": token(page), "name": "librarian", "password": "guess"})
    assert wrong.status_code == 401
    assert "the name or the password is wrong, or the user is disabled" in wrong.get_data(as_text=True)
    no_csrf = client.post("/login", data={"name": "librarian", "password": "correct horse 1"})
    assert no_csrf.status_code == 400 and "The form expired" in no_csrf.get_data(as_text=True)
    away = client.post("/login", data={"csrf_token": token(page), "name": "librarian", "password": "correct horse 1",
                                       "next": "//evil.example/"})
    assert away.headers["Location"] == "/"
    cookie = away.headers["Set-Cookie"]
    assert "olke_staff=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_signing_out_ends_the_session_on_the_server_too(setup):
    app, _ = setup
    client = signed_in(app)
    kept = client.get_cookie("olke_staff").value             # a copy of the cookie, kept from before
    page = client.get("/").get_data(as_text=True)
    assert client.get("/archive").status_code == 200
    assert client.post("/logout", data={"csrf_token": token(page)}).status_code == 303
    replayed = app.test_client()
    replayed.set_cookie("olke_staff", kept)
    response = replayed.get("/archive?all=1")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    again = signed_in(app)                                     # signing in again opens a new session
    assert again.get("/archive").status_code == 200


def test_sign_in_attempts_are_limited_per_address(template, tmp_path):
    root, _ = template
    app = staff_app(copy_home(root, tmp_path / "home"))
    app.config["OLKE_LOGIN_RATE_LIMIT"] = "3 per minute"
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    codes = [client.post("/login", data={"csrf_token": token(page), "name": "x", "password": "y"}).status_code
             for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    app.extensions["olke"].close()


def test_disabling_a_user_or_changing_the_password_ends_the_session(setup):
    app, _ = setup
    client = signed_in(app, "cataloguer", "correct horse 2")
    assert client.get("/").status_code == 200
    with app.extensions["olke"].catalog() as catalog:
        staff.set_active(catalog.conn, "cataloguer", False)
    assert client.get("/").status_code == 302
    other = signed_in(app)
    with app.extensions["olke"].catalog() as catalog:
        staff.set_password(catalog.conn, "librarian", "a new password 3")
    assert other.get("/").status_code == 302


def test_the_queue_and_its_filters(setup):
    app, ids = setup
    soon = new_request(app, ids["article"], needed_by=(date.today() + timedelta(days=1)).isoformat())
    late = new_request(app, ids["book"], pages="2", email="b@example.kz")
    citation = new_request(app, None, cite_title="Абай туралы мақала", email="c@example.kz")
    with app.extensions["olke"].catalog() as catalog:
        catalog.conn.execute("UPDATE delivery_requests SET needed_by = ?, created_at = ? WHERE id = ?",
                             ((date.today() - timedelta(days=1)).isoformat(), "2026-01-05T09:00:00+00:00", late.id))
    client = signed_in(app)
    page = client.get("/").get_data(as_text=True)
    assert all(r.code in page for r in (soon, late, citation)) and "3 requests" in page
    overdue = client.get("/?overdue=1").get_data(as_text=True)
    assert late.code in overdue and soon.code not in overdue and "(overdue)" in overdue
    old = client.get("/?older=30").get_data(as_text=True)
    assert late.code in old and soon.code not in old
    act(client, citation.code, "claim")
    mine = client.get("/?who=mine").get_data(as_text=True)
    assert citation.code in mine and soon.code not in mine
    assert citation.code not in client.get("/?who=unassigned").get_data(as_text=True)
    assert citation.code in client.get("/?status=in_progress").get_data(as_text=True)
    assert "No requests match" in client.get("/?status=delivered").get_data(as_text=True)


def test_claim_assign_note_ask_refuse_and_cancel_are_logged_and_letters_sent(setup):
    app, ids = setup
    with smtp_server() as (mailbox, mail):
        from test_requests_support import set_settings

        set_settings(app, mail=mail)
        first = new_request(app, ids["article"], language="ru")
        second = new_request(app, ids["old"], email="b@example.kz", language="en")
        client = signed_in(app)
        assert flashes(act(client, first.code, "claim")) == ["The request is yours now."]
        claimed = client.get(f"/requests/{first.code}").get_data(as_text=True)
        assert '<option value="librarian" selected>Бірінші Кітапханашы</option>' in claimed   # by name, sent by login
        assert flashes(act(client, first.code, "assign", to="cataloguer")) == ["Assigned to cataloguer."]
        noted = act(client, first.code, "note", text="Түпнұсқа 3-қоймада")
        assert "· Бірінші Кітапханашы · internal note" in noted        # by name, as the history names them
        page = act(client, first.code, "ask", text="Какие страницы нужны?")
        assert "The question was sent; the request waits for the answer." in flashes(page)
        question = mailbox.wait(1)[0]
        assert question["Subject"] == f"Вопрос по вашей заявке: {first.code}"
        assert "Какие страницы нужны?" in body(question)
        assert "https://olke.example.kz/request/status?code=" in body(question)
        empty = act(client, first.code, "refuse", reason="other", text="")
        assert flashes(empty) == ["the request is not complete: text: required; correct these fields and send it again"]
        client.set_cookie("olke_staff_lang", "ru")
        told = flashes(act(client, first.code, "refuse", reason="other", text=""))
        assert told == ["Форма заполнена не полностью: текст (причина, заметка, вопрос или ответ): Заполните это поле."]
        assert "Не найдено: в архиве нет" in client.get("/review/999999/9").get_data(as_text=True)
        client.set_cookie("olke_staff_lang", "en")
        page = act(client, first.code, "refuse", reason="copyright", text="Автор 2001 жылы қайтыс болған.")
        assert "The request is refused and the requester told." in flashes(page)
        refused = mailbox.wait(2)[1]
        assert "Причина: авторское право не позволяет копирование" in body(refused)
        again = act(client, first.code, "cancel", text="")
        assert flashes(again) == [f"request {first.code} is refused; it cannot become cancelled"]
        act(client, second.code, "cancel", text="Duplicate of a phone request.")
        assert mailbox.wait(3)[2]["Subject"] == f"Your request is cancelled: {second.code}"
    page = client.get(f"/requests/{first.code}").get_data(as_text=True)
    for line in ("the requester sent the request (consent to the terms, version",
                 "Бірінші Кітапханашы took the request (status: new → in progress)",   # by full name
                 "Бірінші Кітапханашы gave the request to cataloguer",      # no full name: the login
                 "Бірінші Кітапханашы asked the requester a question (status: in progress → waiting for "
                 "the requester)",
                 "Бірінші Кітапханашы refused the request: copyright does not allow the copy (status: "
                 "waiting for the requester → refused)"):
        assert line in page, line
    assert '{"' not in page and "in_progress" not in page
    assert "Түпнұсқа 3-қоймада" in page and "internal note" in page


def test_the_staff_screen_warns_when_a_request_exceeds_the_rules(setup):
    app, ids = setup
    over = new_request(app, ids["book"], pages="1-5")
    fine = new_request(app, ids["article"], email="b@example.kz")
    client = signed_in(app)
    page = client.get(f"/requests/{over.code}").get_data(as_text=True)
    assert 'class="warning" id="rules-verdict">Copying rules: asks for 50% of the document; the copying rules ' \
           "allow 15% of a book" in page
    assert 'class="ok" id="rules-verdict">Copying rules: an article: may be copied whole' in \
        client.get(f"/requests/{fine.code}").get_data(as_text=True)
    assert "⚠" in client.get("/").get_data(as_text=True)


def test_fulfil_from_the_archive_and_download_from_the_reading_room(setup):
    app, ids = setup
    request = new_request(app, ids["book"], pages="2")
    client = signed_in(app)
    page = act(client, request.code, "fulfil", pages="2-3")
    assert flashes(page) == [     # no mail server here: the page says the letter has not gone, not that it was sent
        "Delivered: the stamped copy is ready, but the letter with its link has not gone yet.",
        "The letter was not sent: no mail server is set; set [mail] host in delivery.toml, then run "
        "`olke requests send-mail`"]
    with app.extensions["olke"].catalog() as catalog:
        letter = catalog.conn.execute("SELECT body FROM delivery_mail WHERE letter = 'delivered'").fetchone()[0]
    link = re.search(r"https://olke\.example\.kz(/request/download/\S+)", letter).group(1)
    public = public_app(app.config["OLKE_HOME"])
    download = public.test_client().get(link)
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    public.extensions["olke"].close()
    shown = client.get(f"/requests/{request.code}").get_data(as_text=True)
    assert "downloads 1/5" in shown and "Send a new copy" in shown
    second = new_request(app, ids["book"], pages="2-3", email="b@example.kz")
    assert f"The same pages were delivered for request {request.code}" in \
        client.get(f"/requests/{second.code}").get_data(as_text=True)


def test_fulfil_a_citation_from_an_uploaded_scan_which_enters_the_archive(setup):
    app, _ = setup
    request = new_request(app, None, cite_title="Ауыл мектебінің тарихы", cite_source="Өлке тынысы")
    client = signed_in(app)
    page = client.get(f"/requests/{request.code}").get_data(as_text=True)
    wrong = client.post(f"/requests/{request.code}/upload", data={
        "csrf_token": token(page), "scan": (io.BytesIO(b"hello"), "notes.txt")}, follow_redirects=True)
    assert flashes(wrong.get_data(as_text=True)) == ["Choose the scan: one PDF, or page images (PNG, JPEG, TIFF)."]
    response = client.post(f"/requests/{request.code}/upload", data={
        "csrf_token": token(page), "scan": (io.BytesIO(page_image_bytes("Ауыл мектебі")), "мектеп.png"),
        "kind": "newspaper_article", "language": "kaz", "access": "on_request", "title": ""},
        content_type="multipart/form-data", follow_redirects=True)
    messages = flashes(response.get_data(as_text=True))
    assert messages[:2] == ["The scan is archived as document 4.",       # (no mail server here)
                            "Delivered from the fresh scan, but the letter with its link has not gone yet."], messages
    with app.extensions["olke"].catalog() as catalog:
        document = catalog.get(4)
        assert (document.title, document.source, document.access) == ("Ауыл мектебінің тарихы", "Өлке тынысы",
                                                                      "on_request")
        assert model.get(catalog.conn, request.code).document_id == 4
    assert not any((app.extensions["olke"].home.staging_dir).iterdir())


def test_the_archive_of_fulfilled_requests_and_the_figures(setup):
    app, ids = setup
    one = new_request(app, ids["article"])
    two = new_request(app, ids["old"], email="b@example.kz", name="Екінші Оқырман")
    client = signed_in(app)
    act(client, one.code, "fulfil", pages="")
    act(client, two.code, "fulfil", pages="1")
    found = client.get("/archive?q=екінші").get_data(as_text=True)
    assert two.code in found and one.code not in found
    csv = client.get("/archive.csv")
    assert csv.mimetype == "text/csv" and "attachment" in csv.headers["Content-Disposition"]
    text = csv.data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith('"code","id","status"') and one.code in text and two.code in text
    figures = client.get(f"/figures?year={date.today().year}").get_data(as_text=True)
    assert "No plan is loaded for this year" in figures
    assert re.search(r"<th>year</th><td class=\"num\">2</td><td class=\"num\">2</td>", figures)
