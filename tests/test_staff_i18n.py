"""The staff desk speaks Kazakh (default), Russian and English: every page, the switcher, times in the
library's time zone, statuses and kinds in words, plurals, and a request's history in sentences."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from archive.clock import local_time, use_library_time
from archive.delivery import staff
from archive.errors import UsageError
from archive.plans.plan import read_plan_file, save_plan
from search_app.staff import create_staff_app
from search_app.staff.words import event_sentence, pages_count
from test_reports import DEMO_PLAN
from test_requests_support import build_archive, copy_home, staff_app
from test_staff_web import act, flashes, new_request, setup, signed_in, template, token  # noqa: F401 (fixtures)

STORED = "2026-03-01T08:01:56+00:00"          # 13:01 in Almaty (UTC+5)


def stamp_times(app, code: str, at: str = STORED) -> None:
    """Every stored time of a request (received, consent, its history) set to ``at``."""
    with app.extensions["olke"].catalog() as catalog:
        conn = catalog.conn
        conn.execute("UPDATE delivery_requests SET created_at = ?, consent_at = ? WHERE code = ?", (at, at, code))
        conn.execute("UPDATE delivery_events SET at = ? WHERE request_id = (SELECT id FROM delivery_requests"
                     " WHERE code = ?)", (at, code))
        conn.commit()


def text_of(html: str) -> str:
    """What a page says: its text without tags and attributes, spaces made plain (Babel's dates use NNBSP)."""
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"[\u202f\u00a0]", " ", text)


def langs(html: str) -> list[tuple[str, str]]:
    """The switcher's links: (language, address), in the order shown."""
    found = re.search(r'<ul class="langs"[^>]*>(.*?)</ul>', html, re.S)
    assert found, "no language switcher"
    return re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', found.group(1))


def test_the_desk_is_in_kazakh_by_default_with_a_switcher_kazakh_first(setup):
    app, ids = setup
    request = new_request(app, ids["article"])
    client = signed_in(app, lang=None)
    for path in ("/", f"/requests/{request.code}", "/archive", "/figures", "/plan", "/review"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code in (200, 404), path           # /plan: no plan loaded (a page that says so)
        assert '<html lang="kk">' in html, path
        switcher = langs(html)
        assert [code for _, code in switcher] == ["kk", "ru", "en"], path
        assert all("lang=" in href for href, _ in switcher), path
        assert ">Кезек</a>" in html and ">Queue</a>" not in html, path
    response = client.get(f"/requests/{request.code}?lang=ru")
    russian = response.get_data(as_text=True)
    assert '<html lang="ru">' in russian and "История" in russian and "Заявитель" in russian
    assert any("olke_staff_lang=ru" in c for c in response.headers.getlist("Set-Cookie"))
    kept = client.get("/").get_data(as_text=True)                     # the cookie keeps the choice
    assert '<html lang="ru">' in kept and "Заявки" in kept
    english = client.get(f"/requests/{request.code}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "History" in english and "Requester" in english


def test_the_switcher_keeps_the_page_and_its_filters(setup):
    app, _ = setup
    client = signed_in(app, lang=None)
    html = client.get("/?status=all&who=mine").get_data(as_text=True)
    hrefs = dict((code, href.replace("&amp;", "&")) for href, code in langs(html))
    assert hrefs["ru"].startswith("/?") and "status=all" in hrefs["ru"] and "who=mine" in hrefs["ru"] \
        and "lang=ru" in hrefs["ru"]


def test_no_english_left_on_the_kazakh_queue_request_and_plan_pages(setup):
    app, ids = setup
    request = new_request(app, ids["book"], pages="2")
    client = signed_in(app, lang=None)
    act(client, request.code, "claim")
    queue = text_of(client.get("/").get_data(as_text=True))
    for kazakh in ("Өтініштер", "Мәртебесі", "Орындаушы", "Өтініш беруші", "Сұрайтыны", "орындалуда",
                   "1 өтініш", "Көрсету"):
        assert kazakh in queue, kazakh
    for english in ("Requests", "Status", "Handled by", "Requester", "Show", "in_progress", "in progress",
                    "1 request"):
        assert not re.search(rf"(?<!\w){english}(?!\w)", queue), english
    page = text_of(client.get(f"/requests/{request.code}").get_data(as_text=True))
    for kazakh in ("Тарихы", "Хаттар", "Ішкі жазба", "Көшіру ережелері", "Бас тарту", "Кімге тағайындау",
                   "Қай беттер", "Бірінші Кітапханашы өтінішті қабылдады"):
        assert kazakh in page, kazakh
    assert re.search(r"\(\d+-құжат, Кітап, \d+ бет, 2012\)", page)
    for english in ("History", "Letters", "Internal note", "Refuse", "Copying rules", "book,", "journal_article",
                    "newspaper_article", "in_progress", "pages", "days ago", "claimed", '{"', "Kind", "Title"):
        assert english not in page, english
    plan = text_of(client.get("/plan").get_data(as_text=True))          # no plan yet
    for kazakh in ("Тоқсан", "Есеп тілі", "бүкіл жыл", "Көрсету", "жылғы жоспар жүктелмеген"):
        assert kazakh in plan, kazakh
    for english in ("Year", "Quarter", "Report language", "the whole year", "Show", "No plan"):
        assert english not in plan, english
    with app.extensions["olke"].catalog() as catalog:
        save_plan(catalog.conn, read_plan_file(DEMO_PLAN), user="librarian")
    plan = text_of(client.get("/plan?year=2026").get_data(as_text=True))
    for kazakh in ("Тоқсан", "Есеп тілі", "Жүктеп алу:", "Жүктелген жоспарлар:", "жүктелген уақыты 2026 ж. "):
        assert kazakh in plan, kazakh
    for english in ("Year", "Quarter", "Report language", "Download", "Plans loaded", "+00:00"):
        assert english not in plan, english
    assert not re.search(r"\d{4}-\d\d-\d\d", plan)                     # no ISO dates or times


def test_times_are_shown_in_the_library_time_zone_and_language(setup):
    app, ids = setup
    request = new_request(app, ids["article"])
    stamp_times(app, request.code)
    client = signed_in(app, lang=None)
    page = text_of(client.get(f"/requests/{request.code}").get_data(as_text=True))
    assert "2026 ж. 1 наурыз, 13:01" in page
    assert "2026 ж. 1 наурыз, 13:01 — өтініш беруші өтініш жіберді" in page
    assert "T08:01:56" not in page and "+00:00" not in page and "08:01" not in page
    assert "2026 ж. 1 наурыз" in text_of(client.get("/?status=all").get_data(as_text=True))
    russian = text_of(client.get(f"/requests/{request.code}?lang=ru").get_data(as_text=True))
    assert "1 марта 2026 г., 13:01" in russian
    english = text_of(client.get(f"/requests/{request.code}?lang=en").get_data(as_text=True))
    assert "March 1, 2026, 1:01 PM" in english


def test_the_time_zone_is_a_setting(template, tmp_path):
    root, ids = template
    app = create_staff_app({"OLKE_HOME": str(copy_home(root, tmp_path / "home")), "TESTING": True,
                            "BABEL_DEFAULT_TIMEZONE": "UTC"})
    with app.extensions["olke"].catalog() as catalog:
        staff.add(catalog.conn, "librarian", "correct horse 1")
    request = new_request(app, ids["article"])
    stamp_times(app, request.code)
    page = text_of(signed_in(app, lang=None).get(f"/requests/{request.code}").get_data(as_text=True))
    assert "2026 ж. 1 наурыз, 08:01" in page and "13:01" not in page
    assert date.today() == datetime.now(timezone.utc).date()      # the day is the zone's too
    app.extensions["olke"].close()
    use_library_time()


def test_the_library_day_is_its_own_whatever_the_servers_zone(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("OLKE_TIMEZONE", "Asia/Almaty")
    try:
        assert use_library_time() == "Asia/Almaty"
        assert date.today() == datetime.now(ZoneInfo("Asia/Almaty")).date()
        stamp = datetime(2026, 12, 4, 22, 50, 19, tzinfo=timezone.utc)
        assert local_time(stamp.isoformat()) == stamp.astimezone(ZoneInfo("Asia/Almaty")).strftime("%Y-%m-%d %H:%M")
        assert local_time(stamp.isoformat()).startswith("2026-12-05 0")       # the next day there
        monkeypatch.setenv("OLKE_TIMEZONE", "Asia/Nowhere")
        with pytest.raises(UsageError, match="OLKE_TIMEZONE"):
            use_library_time()
    finally:
        monkeypatch.delenv("OLKE_TIMEZONE")
        use_library_time()


def test_the_history_is_in_sentences_not_json(setup):
    app, ids = setup
    request = new_request(app, ids["article"])
    client = signed_in(app, lang=None)
    act(client, request.code, "claim")
    act(client, request.code, "assign", to="cataloguer")
    act(client, request.code, "refuse", reason="copyright", text="Автор 2001 жылы қайтыс болған.")
    page = client.get(f"/requests/{request.code}").get_data(as_text=True)
    history = re.search(r'<ol class="log history"[^>]*>(.*?)</ol>', page, re.S).group(1)
    lines = [text_of(line) for line in re.findall(r"<li>(.*?)</li>", history)]
    assert len(lines) == 4
    assert re.fullmatch(r"\d{4} ж\. \d+ \w+, \d\d:\d\d — өтініш беруші өтініш жіберді \(шарттарға келісім, "
                        r"[\w-]+ нұсқа\)", lines[0]), lines[0]
    assert "Бірінші Кітапханашы өтінішті қабылдады (мәртебесі: жаңа → орындалуда)" in lines[1]   # full name
    assert "Бірінші Кітапханашы өтінішті cataloguer қызметкеріне берді" in lines[2]     # none: the login
    assert "Бірінші Кітапханашы өтінішті орындаудан бас тартты: авторлық құқық" in lines[3]
    assert not any("{" in line or "_" in line for line in lines)


def test_every_event_has_a_readable_sentence(setup):
    app, _ = setup
    with app.test_request_context("/?lang=en"):
        said = lambda **event: event_sentence(event)  # noqa: E731
        assert said(action="claimed", user="librarian", from_status="new", to_status="in_progress") == \
            "librarian librarian took the request (status: new → in progress)"
        assert event_sentence({"action": "assigned", "user": "head", "details": {"to": "librarian"}},
                              {"head": "Бөлім меңгерушісі", "librarian": "librarian"}) == \
            "Бөлім меңгерушісі gave the request to librarian"
        assert said(action="delivered", user="librarian", details={"pages": "2-3", "reused_extract": True},
                    from_status="in_progress", to_status="delivered") == \
            "librarian librarian delivered a copy (pages 2-3); the pages extracted for an earlier request were " \
            "reused (status: in progress → delivered)"
        assert said(action="downloaded", user="requester", details={"copy": 1, "download": 2}) == \
            "the requester downloaded the copy (download 2)"
        assert said(action="expired", user="olke", details={"why": "needed_by"}, from_status="waiting",
                    to_status="expired").startswith("the request expired: the day it was needed by has passed")
        assert said(action="cancelled", user="requester", details={"by": "requester"}) == \
            "the requester cancelled the request at the requester's wish"
        assert said(action="something_new", user="olke", details={"x": 1}) == "Olke: “something new”"
    with app.test_request_context("/?lang=kk"):
        assert event_sentence({"action": "something_new", "user": "librarian", "details": {"x": [1]}}) == \
            "кітапханашы librarian: «something new»"
        assert event_sentence({"action": "downloaded", "user": "requester", "details": {"download": 1}}) == \
            "өтініш беруші көшірмені жүктеп алды (1-жүктеу)"


def test_plurals_after_numbers(setup):
    app, _ = setup
    with app.test_request_context("/?lang=en"):
        assert (pages_count(1), pages_count(2)) == ("1 page", "2 pages")
    with app.test_request_context("/?lang=kk"):
        assert (pages_count(1), pages_count(2)) == ("1 бет", "2 бет")      # no plural after a numeral
    with app.test_request_context("/?lang=ru"):
        assert [pages_count(n) for n in (1, 2, 5, 21)] == ["1 страница", "2 страницы", "5 страниц", "21 страница"]


def test_messages_and_errors_in_kazakh(setup):
    app, ids = setup
    request = new_request(app, ids["article"])
    client = signed_in(app, lang=None)
    assert flashes(act(client, request.code, "claim")) == ["Өтініш енді сізде."]
    (incomplete,) = flashes(act(client, request.code, "refuse", reason="other", text=""))
    assert incomplete.startswith("Форма толық емес: ") and "required" not in incomplete
    refused = act(client, request.code, "refuse", reason="too_much", text="")
    assert flashes(refused)[0] == \
        "Өтініштен бас тартылды, бірақ бұл туралы өтініш берушіге хат әлі жіберілген жоқ."   # no mail server here
    again = act(client, request.code, "cancel", text="")
    assert flashes(again) == ["Өтініштің қазіргі мәртебесінде мұны жасауға болмайды; оны көру үшін бетті жаңартыңыз."]
    missing = client.get("/requests/26-AAAA-AAAA")
    assert missing.status_code == 404 and "Мұндай кодпен өтініш жоқ" in missing.get_data(as_text=True)
    nowhere = client.get("/no-such-page")
    assert nowhere.status_code == 404 and "Қызметкер бөлімінде мұндай бет жоқ." in nowhere.get_data(as_text=True)


def test_the_sign_in_page_in_three_languages(setup):
    app, _ = setup
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "<h1>Кіру</h1>" in page and "Құпиясөз" in page and [c for _, c in langs(page)] == ["kk", "ru", "en"]
    assert "<h1>Войти</h1>" in client.get("/login?lang=ru").get_data(as_text=True)
    wrong = client.post("/login?lang=kk", data={"csrf_token": token(page), "name": "librarian", "password": "x"})
    assert wrong.status_code == 401 and "Аты немесе құпиясөз қате" in wrong.get_data(as_text=True)
    english = client.get("/login?lang=en").get_data(as_text=True)
    assert "<h1>Sign in</h1>" in english and "Password" in english
