"""Delivery requests in the archive: checks, duplicates, statuses, fulfilment, links, mail, privacy, figures."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from archive.catalog import Catalog
from archive.home import Home
from archive.delivery import consent, fulfil, links, model, outbox, pages, privacy, rules, staff, workflow
from archive.plans import deliveries as figures
from archive.errors import (BadTransition, FulfilmentFailed, InvalidRequest, LinkExpired, LinkInvalid, MailFailed,
                            RequestNotFound, StaffLoginFailed)
from archive.delivery.settings import (DeliverySettings, InvalidSettings, load_settings, parse_settings,
                                       secret_key, with_changes)
from archive.delivery.intake import RequestInput
from test_requests_support import build_archive, copy_home, pdf_page_texts, smtp_server

pytestmark = pytest.mark.databases      # on SQLite and again with the catalog on PostgreSQL

TODAY = date.today()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("delivery"))


@pytest.fixture
def world(template, tmp_path):
    root, ids = template
    home = Home.resolve(copy_home(root, tmp_path / "home"))
    catalog = Catalog(home)
    yield catalog, ids
    catalog.close()


def wanted(document_id=None, **fields) -> RequestInput:
    values = dict(name="Сынақ Оқырман", email="Reader@Example.kz", category="teacher", language="kk",
                  document_id=str(document_id or ""), consent=True, consent_version=consent.CURRENT,
                  rules_acknowledged=True)
    values.update(fields)
    return RequestInput(**values)


def submit(catalog, settings=None, **kw):
    document_id = kw.pop("document_id", None)
    return workflow.submit(catalog.conn, wanted(document_id, **kw), settings or DeliverySettings(), catalog.get)


# --- page ranges and rules ----------------------------------------------------------------------

@pytest.mark.parametrize("text, count, expected", [
    ("3", 10, [3]), ("1-3, 5", 10, [1, 2, 3, 5]), ("12–14", 20, [12, 13, 14]), ("", 3, [1, 2, 3]),
    ("2;2,1-2", 5, [1, 2]),
])
def test_page_ranges(text, count, expected):
    assert pages.parse(text, count) == expected


@pytest.mark.parametrize("text, code", [("a-b", "bad_pages"), ("5-3", "bad_pages"), ("0", "bad_pages"),
                                        ("11", "pages_outside"), ("1-99999", "pages_outside")])
def test_bad_page_ranges(text, code):
    with pytest.raises(pages.PageRangeError) as caught:
        pages.parse(text, 10)
    assert caught.value.code == code


def test_a_huge_range_of_a_citation_is_refused():
    with pytest.raises(pages.PageRangeError):
        pages.parse("1-99999")


def test_normalised_page_ranges():
    assert pages.normalise("5, 1-3,2", 10) == "1-3,5"
    assert pages.normalise("1-10", 10) == ""          # every page is "all"


def test_copying_rules(world):
    catalog, ids = world
    book, article, old = (catalog.get(ids[n]) for n in ("book", "article", "old"))
    settings = DeliverySettings().rules
    assert rules.check(article, "", settings).basis == "whole_article"
    assert rules.check(book, "3", settings) == rules.RuleCheck(True, "share", 10.0, 15.0)
    over = rules.check(book, "3-4", settings)
    assert not over.allowed and over.message == "asks for 20% of the document; the copying rules allow 15% of a book"
    assert rules.check(old, "", settings).basis == "public_domain"
    assert rules.check(None, "", settings).basis == "citation"
    tagged = type(book)(**{**book.as_dict(), "notes": "Автор 1930 жылы қайтыс болған; public-domain"})
    assert rules.check(tagged, "", settings).basis == "public_domain"
    untagged = type(book)(**{**book.as_dict(), "notes": "not-public-domain-yet"})
    assert rules.check(untagged, "", settings).basis == "over_share"


# --- the request's fields -----------------------------------------------------------------------

@pytest.mark.parametrize("fields, field, code", [
    ({"consent": False}, "consent", "no_consent"),
    ({"consent_version": "2019-1"}, "consent", "consent_outdated"),
    ({"rules_acknowledged": False}, "rules_acknowledged", "no_rules"),
    ({"email": "reader.example.kz"}, "email", "bad_email"),
    ({"email": "a@b"}, "email", "bad_email"),
    ({"name": "   "}, "name", "required"),
    ({"name": "Ә" * 201}, "name", "too_long"),
    ({"purpose": "x" * 2001}, "purpose", "too_long"),
    ({"phone": "call me"}, "phone", "bad_phone"),
    ({"category": "astronaut"}, "category", "bad_choice"),
    ({"category": ""}, "category", "required"),
    ({"needed_by": "tomorrow"}, "needed_by", "bad_date"),
    ({"needed_by": (TODAY - timedelta(days=1)).isoformat()}, "needed_by", "date_past"),
    ({"needed_by": (TODAY + timedelta(days=800)).isoformat()}, "needed_by", "date_far"),
    ({"pages": "1-999"}, "pages", "pages_outside"),
    ({"pages": "three"}, "pages", "bad_pages"),
    ({"name": "Оқырман\x00"}, "name", "bad_text"),
])
def test_each_bad_field_is_named_and_nothing_is_saved(world, fields, field, code):
    catalog, ids = world
    with pytest.raises(InvalidRequest) as caught:
        submit(catalog, document_id=ids["book"], **fields)
    assert caught.value.problems[field][0] == code
    assert catalog.conn.execute("SELECT COUNT(*) FROM delivery_requests").fetchone()[0] == 0
    assert catalog.conn.execute("SELECT COUNT(*) FROM delivery_mail").fetchone()[0] == 0


def test_a_citation_needs_a_title_and_an_unknown_document_is_named(world):
    catalog, _ = world
    with pytest.raises(InvalidRequest) as caught:
        submit(catalog)
    assert caught.value.problems == {"cite_title": ("required", {})}
    with pytest.raises(InvalidRequest) as caught:
        submit(catalog, document_id=999)
    assert caught.value.problems["document_id"][0] == "no_such_document"
    assert "correct these fields" in caught.value.message


def test_submit_stores_everything_and_writes_the_first_letter(world):
    catalog, ids = world
    done = submit(catalog, document_id=ids["book"], pages="3", phone="+7 701 123 45 67", purpose="Мектеп жобасы",
                  needed_by=(TODAY + timedelta(days=10)).isoformat())
    r = done.request
    assert done.created and r.status == "new" and r.email == "reader@example.kz" and r.pages == "3"
    assert r.consent_version == consent.CURRENT and r.consent_at == r.created_at and not r.exceeds_rules
    assert len(r.code) == 12 and r.code[2] == "-" and model.normalise_code(r.code.lower().replace("-", "")) == r.code
    (letter,) = catalog.conn.execute("SELECT * FROM delivery_mail").fetchall()
    assert letter["subject"] == f"Өтінішіңіз қабылданды: {r.code}" and "/request/status?code=" in letter["body"]
    assert [e["action"] for e in model.events(catalog.conn, r.id)] == ["submitted"]


def test_a_request_beyond_the_rules_is_kept_with_a_warning(world):
    catalog, ids = world
    done = submit(catalog, document_id=ids["book"], pages="1-5")
    assert not done.rule_check.allowed
    assert done.request.exceeds_rules == "asks for 50% of the document; the copying rules allow 15% of a book"


def test_the_same_request_again_within_the_window_is_recognised(world):
    catalog, ids = world
    first = submit(catalog, document_id=ids["article"], pages="1")
    again = submit(catalog, document_id=ids["article"], pages="1", email="READER@example.kz", name="Оқырман")
    assert not again.created and again.request.code == first.request.code and again.letters == []
    other_pages = submit(catalog, document_id=ids["article"], pages="2")
    assert other_pages.created
    citation = submit(catalog, cite_title="Абай және өлке", cite_pages="3")
    assert not submit(catalog, cite_title="АБАЙ ЖӘНЕ ӨЛКЕ", cite_pages="3").created
    later = (datetime.now(timezone.utc) + timedelta(hours=25)).isoformat(timespec="seconds")
    after_window = workflow.submit(catalog.conn, wanted(ids["article"], pages="1"), DeliverySettings(), catalog.get,
                                   at=later)
    assert after_window.created
    assert citation.created and catalog.conn.execute("SELECT COUNT(*) FROM delivery_requests").fetchone()[0] == 4


def test_a_cancelled_request_is_no_duplicate(world):
    catalog, ids = world
    first = submit(catalog, document_id=ids["article"])
    workflow.cancel(catalog.conn, first.request.code, "requester", None, DeliverySettings(), email="reader@example.kz")
    assert submit(catalog, document_id=ids["article"]).created


# --- staff users --------------------------------------------------------------------------------

def test_staff_passwords_are_hashed_and_checked(world):
    catalog, _ = world
    staff.add(catalog.conn, "librarian", "correct horse 1", "Кітапханашы")
    stored = catalog.conn.execute("SELECT password_hash FROM staff_users").fetchone()[0]
    assert "correct horse" not in stored and stored.startswith("scrypt:")
    user = staff.verify(catalog.conn, "Librarian", "correct horse 1")
    assert user["name"] == "librarian" and staff.still_valid(catalog.conn, "librarian", user["password_set_at"])
    for name, password in (("librarian", "wrong password"), ("nobody", "correct horse 1")):
        with pytest.raises(StaffLoginFailed):
            staff.verify(catalog.conn, name, password)
    staff.set_active(catalog.conn, "librarian", False)
    with pytest.raises(StaffLoginFailed):
        staff.verify(catalog.conn, "librarian", "correct horse 1")
    assert not staff.still_valid(catalog.conn, "librarian", user["password_set_at"])
    with pytest.raises(Exception, match="too short"):
        staff.add(catalog.conn, "cataloguer", "short")
    with pytest.raises(Exception, match="not valid"):
        staff.add(catalog.conn, "Bad Name", "long enough password")


# --- status changes -----------------------------------------------------------------------------

def test_every_status_change_is_logged_with_time_and_user(world):
    catalog, ids = world
    conn, settings = catalog.conn, DeliverySettings()
    for name in ("librarian", "cataloguer"):
        staff.add(conn, name, "a long password")
    code = submit(catalog, document_id=ids["article"]).request.code
    assert workflow.claim(conn, code, "librarian").status == "in_progress"
    workflow.assign(conn, code, "cataloguer", "librarian")
    workflow.add_note(conn, code, "cataloguer", "Түпнұсқа қоймада.")
    letters = workflow.ask(conn, code, "cataloguer", "Қай бет керек?", settings)
    assert model.get(conn, code).status == "waiting" and len(letters) == 1
    with pytest.raises(RequestNotFound):
        workflow.reply(conn, code, "someone@else.kz", "2-бет")
    assert workflow.reply(conn, code, "reader@example.kz", "2-бет керек").status == "in_progress"
    workflow.refuse(conn, code, "cataloguer", "damaged_original", "Бет жыртылған.", settings)
    with pytest.raises(BadTransition, match="is refused; it cannot become cancelled"):
        workflow.cancel(conn, code, "cataloguer", None, settings)
    history = model.events(conn, model.get(conn, code).id)
    assert [(e["action"], e["user"], e["from_status"], e["to_status"]) for e in history] == [
        ("submitted", "requester", None, "new"), ("claimed", "librarian", "new", "in_progress"),
        ("assigned", "librarian", "in_progress", "in_progress"), ("asked_requester", "cataloguer", "in_progress", "waiting"),
        ("requester_answered", "requester", "waiting", "in_progress"), ("refused", "cataloguer", "in_progress", "refused")]
    assert all(e["at"] for e in history)
    assert [n["kind"] for n in model.notes(conn, model.get(conn, code).id)] == ["internal", "to_requester",
                                                                                "from_requester"]
    kinds = [row[0] for row in conn.execute("SELECT letter FROM delivery_mail ORDER BY id")]
    assert kinds == ["received", "question", "refused"]


def test_refusal_reasons_are_a_fixed_list_and_other_needs_a_text(world):
    catalog, ids = world
    code = submit(catalog, document_id=ids["article"]).request.code
    with pytest.raises(Exception, match="unknown refusal reason 'rude'"):
        workflow.refuse(catalog.conn, code, "x", "rude", None, DeliverySettings())
    with pytest.raises(InvalidRequest):
        workflow.refuse(catalog.conn, code, "x", "other", "  ", DeliverySettings())
    assert model.get(catalog.conn, code).status == "new"


def test_assigning_needs_an_active_staff_user(world):
    catalog, ids = world
    code = submit(catalog, document_id=ids["article"]).request.code
    with pytest.raises(Exception, match="no staff user 'ghost'"):
        workflow.claim(catalog.conn, code, "ghost")


def test_expire_closes_requests_past_needed_by_or_too_old(world):
    catalog, ids = world
    conn, settings = catalog.conn, DeliverySettings(expire_days=60)
    soon = submit(catalog, document_id=ids["article"], needed_by=(TODAY + timedelta(days=2)).isoformat())
    old_at = (datetime.now(timezone.utc) - timedelta(days=61)).isoformat(timespec="seconds")
    old = workflow.submit(conn, wanted(ids["book"], pages="1"), settings, catalog.get, at=old_at)
    fresh = submit(catalog, document_id=ids["old"])
    found, _ = workflow.expire(conn, settings, TODAY, dry_run=True)
    assert [r.code for r in found] == [old.request.code]
    found, letters = workflow.expire(conn, settings, TODAY + timedelta(days=3))
    assert {r.code for r in found} == {soon.request.code, old.request.code} and len(letters) == 2
    assert model.get(conn, soon.request.code).status == "expired"
    assert model.get(conn, fresh.request.code).status == "new"
    assert model.events(conn, model.get(conn, old.request.code).id)[-1]["user"] == "olke"


# --- fulfilment, stamps and links ---------------------------------------------------------------

def test_fulfil_extracts_stamps_every_page_and_reuses_the_extract(world):
    catalog, ids = world
    secret = secret_key(catalog.home)
    first = submit(catalog, document_id=ids["book"], pages="2-3")
    done = fulfil.deliver(catalog, first.request.code, "librarian", DeliverySettings(), secret)
    assert done.request.status == "delivered" and not done.reused_extract and done.request.delivered_at
    download = links.take_download(catalog.conn, catalog.home, secret, done.token, 30)
    texts = pdf_page_texts(download.path)
    assert len(texts) == 2
    for number, text in zip((2, 3), texts):
        assert f"{number}-бет" in text
        assert f"№ {first.request.id} ({first.request.code})" in text and "Сынақ Оқырман" in text
        assert "Тек жеке оқу және ғылыми мақсатта" in text and TODAY.isoformat() in text
    second = submit(catalog, document_id=ids["book"], pages="2-3", email="second@example.kz", name="Екінші О.",
                    language="ru")
    again = fulfil.deliver(catalog, second.request.code, "librarian", DeliverySettings(), secret)
    assert again.reused_extract
    texts = pdf_page_texts(links.take_download(catalog.conn, catalog.home, secret, again.token, 30).path)
    assert all("Екінші О." in t and "Только для личного" in t and "Оқырман" not in t for t in texts)
    assert fulfil.earlier_fulfilment(catalog.conn, ids["book"], "2-3", second.request.id) == first.request.code
    assert catalog.conn.execute("SELECT COUNT(*) FROM delivery_extracts").fetchone()[0] == 1


def test_staff_may_choose_other_pages_and_a_document_for_a_citation(world):
    catalog, ids = world
    secret = secret_key(catalog.home)
    code = submit(catalog, cite_title="Степной край", cite_year="1890").request.code
    with pytest.raises(FulfilmentFailed, match="names no archived document"):
        fulfil.deliver(catalog, code, "x", DeliverySettings(), secret)
    with pytest.raises(FulfilmentFailed, match="go beyond the document's 4 pages"):
        fulfil.deliver(catalog, code, "x", DeliverySettings(), secret, pages="9", document_id=ids["old"])
    done = fulfil.deliver(catalog, code, "x", DeliverySettings(), secret, pages="1,3", document_id=ids["old"])
    assert done.request.document_id == ids["old"] and done.request.pages == "1,3"
    assert catalog.conn.execute("SELECT page_count FROM delivery_copies").fetchone()[0] == 2


def test_a_link_allows_n_downloads_and_expires_after_its_days(world):
    catalog, ids = world
    secret = secret_key(catalog.home)
    code = submit(catalog, document_id=ids["article"]).request.code
    done = fulfil.deliver(catalog, code, "x", DeliverySettings(link_downloads=2, link_days=30), secret)
    assert links.take_download(catalog.conn, catalog.home, secret, done.token, 30).downloads_left == 1
    assert links.take_download(catalog.conn, catalog.home, secret, done.token, 30).downloads_left == 0
    with pytest.raises(LinkExpired, match="ask the library for a new one"):
        links.take_download(catalog.conn, catalog.home, secret, done.token, 30)
    with pytest.raises(LinkInvalid):
        links.take_download(catalog.conn, catalog.home, secret, done.token[:-2] + "xx", 30)
    with pytest.raises(LinkInvalid):
        links.take_download(catalog.conn, catalog.home, "another secret of forty characters......", done.token, 30)
    from test_requests_support import aged_link

    with pytest.raises(LinkExpired):
        links.take_download(catalog.conn, catalog.home, secret, aged_link(secret, done.copy_id, 31), 30)
    # a new copy replaces the old link, and the used-up file goes
    again = fulfil.deliver(catalog, code, "x", DeliverySettings(), secret)
    assert links.take_download(catalog.conn, catalog.home, secret, again.token, 30).downloads_left == 4
    assert links.remove_used_up(catalog.conn, catalog.home) == 1
    kinds = [e["action"] for e in model.events(catalog.conn, again.request.id)]
    assert kinds.count("downloaded") == 3 and "sent_again" in kinds


def test_fulfil_from_a_fresh_scan_enters_the_archive(world, make_png):
    catalog, _ = world
    from archive.library import Archive
    from archive.metadata import Description
    from ingest.reader import ScanReader

    archive = Archive(catalog.home, ScanReader())
    try:
        code = workflow.submit(archive.catalog.conn, wanted(cite_title="Жаңа мақала"), DeliverySettings(),
                               archive.catalog.get).request.code
        document_id = archive.add_scan([make_png("fresh.png")],
                                       Description(kind="journal_article", title="Жаңа мақала", language="kaz",
                                                   access="on_request"), "librarian")
        done = fulfil.deliver(archive.catalog, code, "librarian", DeliverySettings(), secret_key(catalog.home),
                              document_id=document_id)
        assert archive.catalog.get(document_id).title == "Жаңа мақала" and done.request.document_id == document_id
        from archive.search.model import SearchRequest

        assert any(d.doc_id == document_id for d in archive.search(SearchRequest(per_page=50)).documents)
    finally:
        archive.close()


# --- mail ---------------------------------------------------------------------------------------

def test_letters_go_through_a_real_smtp_server_in_the_requesters_language(world):
    catalog, ids = world
    with smtp_server() as (mailbox, mail):
        settings = with_changes(DeliverySettings(library="Облыстық кітапхана"), mail=mail)
        done = submit(catalog, settings, document_id=ids["article"], language="ru")
        assert outbox.send_pending(catalog.conn, settings, done.letters) == (1, [])
        (letter,) = mailbox.wait(1)
    assert letter["To"] == "reader@example.kz" and letter["From"] == "eddo@library.example.kz"
    assert letter["Subject"] == f"Заявка принята: {done.request.code}"
    text = letter.get_body(("plain",)).get_content()
    assert "Здравствуйте, Сынақ Оқырман!" in text and "Облыстық кітапхана" in text
    assert outbox.letters_for(catalog.conn, done.request.id)[0]["sent_at"]


def test_a_letter_the_server_refuses_stays_queued_and_is_sent_later(world):
    catalog, ids = world
    settings = with_changes(DeliverySettings(), mail={"host": "127.0.0.1", "port": 9, "timeout": 2})
    done = submit(catalog, settings, document_id=ids["article"])
    sent, errors = outbox.send_pending(catalog.conn, settings)
    assert sent == 0 and "did not take the letter" in errors[0] and "olke requests send-mail" in errors[0]
    with pytest.raises(MailFailed, match="no mail server is set"):
        outbox.send(DeliverySettings().mail, "a@b.kz", "s", "b")
    with smtp_server() as (mailbox, mail_settings):
        assert outbox.send_pending(catalog.conn, with_changes(settings, mail=mail_settings)) == (1, [])
        assert mailbox.wait(1)[0]["Subject"].endswith(done.request.code)


# --- privacy ------------------------------------------------------------------------------------

def test_purge_blanks_personal_data_after_the_period_and_figures_stay(world):
    catalog, ids = world
    conn, secret = catalog.conn, secret_key(catalog.home)
    code = submit(catalog, document_id=ids["article"], phone="+7 701 000 00 00", purpose="Зерттеу").request.code
    workflow.add_note(conn, code, "x", "Оқырман Оқырман телефон соқты")
    done = fulfil.deliver(catalog, code, "x", DeliverySettings(), secret)
    copy_path = catalog.home.absolute(conn.execute("SELECT path FROM delivery_copies").fetchone()[0])
    open_one = submit(catalog, document_id=ids["book"], pages="1", email="second@example.kz").request.code
    before = figures.year_figures(conn, TODAY.year).as_dict()
    assert privacy.purge(conn, catalog.home, 365, "admin") == []            # too recent
    found = privacy.purge(conn, catalog.home, 365, "admin", today=TODAY + timedelta(days=366))
    assert [r.code for r in found] == [code]
    r = model.get(conn, code)
    assert (r.name, r.email, r.phone, r.purpose) == (None, None, None, None) and r.anonymised_at
    assert r.category == "teacher" and r.status == "delivered"
    assert conn.execute("SELECT body FROM delivery_notes").fetchone()[0] is None
    assert conn.execute("SELECT COUNT(*) FROM delivery_mail WHERE recipient IS NOT NULL OR body IS NOT NULL"
                        " AND request_id = ?", (r.id,)).fetchone()[0] == 1        # only the open request's letter
    assert not copy_path.exists()
    with pytest.raises(LinkExpired):
        links.take_download(conn, catalog.home, secret, done.token, 30)
    assert figures.year_figures(conn, TODAY.year).as_dict() == before
    assert model.get(conn, open_one).name == "Сынақ Оқырман"
    assert "Оқырман" not in json.dumps(privacy.export_person(conn, "reader@example.kz"), ensure_ascii=False).replace(
        "cataloguer", "")


def test_export_person_holds_everything_about_them_and_no_one_else(world):
    catalog, ids = world
    conn = catalog.conn
    mine = submit(catalog, document_id=ids["article"]).request
    workflow.ask(conn, mine.code, "x", "Қай бет?", DeliverySettings())
    submit(catalog, document_id=ids["book"], pages="1", email="other@example.kz", name="Басқа адам")
    data = privacy.export_person(conn, " READER@example.kz ")
    assert data["email"] == "reader@example.kz" and len(data["requests"]) == 1
    exported = data["requests"][0]
    assert exported["code"] == mine.code and exported["consent_version"] == consent.CURRENT
    assert [n["body"] for n in exported["notes"]] == ["Қай бет?"]
    assert [l["letter"] for l in exported["letters"]] == ["received", "question"]
    assert "Басқа адам" not in json.dumps(data, ensure_ascii=False)


def test_erase_person_now_cancels_and_blanks(world):
    catalog, ids = world
    code = submit(catalog, document_id=ids["article"]).request.code
    privacy.erase_person(catalog.conn, catalog.home, "reader@example.kz", "admin")
    r = model.get(catalog.conn, code)
    assert r.status == "cancelled" and r.email is None and privacy.export_person(catalog.conn, "reader@example.kz")[
        "requests"] == []


# --- figures ------------------------------------------------------------------------------------

@pytest.mark.parametrize("start, end, days", [
    ("2026-11-16", "2026-11-16", 0),   # Monday, same day
    ("2026-11-20", "2026-11-23", 1),   # Friday → Monday
    ("2026-11-21", "2026-11-22", 0),   # Saturday → Sunday
    ("2026-11-16", "2026-11-30", 10),  # two weeks
    ("2026-11-18", "2026-12-04", 12),
])
def test_working_days(start, end, days):
    assert figures.working_days(date.fromisoformat(start), date.fromisoformat(end)) == days


def _at(day: str, hour: int = 9) -> str:
    local = datetime.fromisoformat(f"{day}T{hour:02d}:00:00").astimezone()
    return local.astimezone(timezone.utc).isoformat(timespec="seconds")


def test_quarterly_figures_against_the_plan_and_the_plan_report(world):
    catalog, ids = world
    conn = catalog.conn
    from archive.plans.plan import parse_plan, save_plan

    from pathlib import Path

    plan = Path(__file__).resolve().parent.parent / "plans" / "plan-2026.toml"
    save_plan(conn, parse_plan(plan.read_text(encoding="utf-8"), plan.name))

    def made(day, **kw):
        r = workflow.submit(conn, wanted(ids["article"], email=f"r{day}{len(kw)}@example.kz", **kw),
                            DeliverySettings(), catalog.get, at=_at(day))
        return r.request

    def close(request, column_values):
        sets = ", ".join(f"{k} = ?" for k in column_values)
        conn.execute(f"UPDATE delivery_requests SET {sets} WHERE id = ?", [*column_values.values(), request.id])

    a = made("2026-01-05")                                  # Monday; delivered Friday 2026-01-09: 4 days
    close(a, {"status": "delivered", "delivered_at": _at("2026-01-09"), "closed_at": _at("2026-01-09")})
    b = made("2026-03-30")                                  # delivered in quarter II, 2026-04-03: 4 days
    close(b, {"status": "delivered", "delivered_at": _at("2026-04-03"), "closed_at": _at("2026-04-03")})
    c = made("2026-02-02")
    close(c, {"status": "refused", "refusal_reason": "copyright", "closed_at": _at("2026-02-03")})
    d = made("2026-02-10", pages="2")
    close(d, {"status": "refused", "refusal_reason": "copyright", "closed_at": _at("2026-02-11")})
    e = made("2026-05-01")
    close(e, {"status": "expired", "closed_at": _at("2026-07-01")})
    f = made("2026-12-31", pages="1")
    close(f, {"status": "delivered", "delivered_at": _at("2026-12-31", 23), "closed_at": _at("2026-12-31", 23)})
    made("2025-12-31")                                      # another year
    year = figures.year_figures(conn, 2026)
    q = year.periods
    assert (q[1].received, q[1].delivered, q[1].refused, q[1].refused_by_reason) == (4, 1, 2, {"copyright": 2})
    assert (q[2].received, q[2].delivered, q[2].median_working_days, q[2].plan) == (1, 1, 4.0, 150)
    assert (q[3].expired, q[4].delivered, q[4].received) == (1, 1, 1)
    assert (q[0].received, q[0].delivered, q[0].plan, q[0].median_working_days) == (6, 3, 815, 4.0)
    assert round(q[0].percent_of_plan, 2) == round(300 / 815, 2)
    assert figures.delivered_by_quarter(conn, 2026) == {1: 1, 2: 1, 3: 0, 4: 1}
    from archive.plans.report import deliveries_by_quarter

    assert deliveries_by_quarter(conn, 2026) == {1: 1, 2: 1, 3: 0, 4: 1}
    from archive.plans.deliveries import render

    table = render(conn, 2026, "table")
    assert "Refused, by reason: copyright does not allow the copy 2" in table
    assert render(conn, 2026, "csv").splitlines()[1].startswith("I,4,1,250,0.4,2,0,0,4.0,2,")
    assert json.loads(render(conn, 2026, "json"))["year_total"]["delivered"] == 3


def test_the_archive_of_fulfilled_requests_is_searchable_and_exports_csv(world):
    catalog, ids = world
    secret = secret_key(catalog.home)
    one = submit(catalog, document_id=ids["article"]).request
    fulfil.deliver(catalog, one.code, "x", DeliverySettings(), secret)
    two = submit(catalog, cite_title="100% таза_мақала", email="b@example.kz", name="Екінші").request
    assert [r.code for r in model.search(catalog.conn, "кітапхана")] == [one.code]
    assert [r.code for r in model.search(catalog.conn, one.code.lower())] == [one.code]
    assert model.search(catalog.conn, "Екінші") == []
    assert [r.code for r in model.search(catalog.conn, "0% таза_", ())] == [two.code]
    assert [r.code for r in model.search(catalog.conn, "_", ())] == [two.code]     # _ and % are no wildcards
    text = model.as_csv(model.search(catalog.conn, ""))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["code", "id", "status", "received", "delivered"]
    assert [one.code, str(one.id), "delivered"] in [row[:3] for row in rows]
    assert "Кітапхана тарихы" in text
    # times in the library's zone (the day and quarter a spreadsheet counts them in), with the offset
    row = next(row for row in rows if row[0] == one.code)
    for stamp, stored in ((row[3], one.created_at), (row[4], model.get(catalog.conn, one.code).delivered_at)):
        moment = datetime.fromisoformat(stamp)
        assert moment == datetime.fromisoformat(stored)
        assert moment.utcoffset() == moment.astimezone(ZoneInfo("Asia/Almaty")).utcoffset() != timedelta(0)


# --- settings -----------------------------------------------------------------------------------

def test_settings_come_from_delivery_toml_with_clear_errors(tmp_path, monkeypatch):
    home = Home.resolve(tmp_path / "home")
    home.ensure()
    assert load_settings(home) == DeliverySettings()
    (home.root / "delivery.toml").write_text(
        'public_url = "https://kitaphana.kz/olke"\nlink_days = 14\n[mail]\nhost = "smtp.kitaphana.kz"\n'
        'port = 587\ntls = "starttls"\n[rules]\nbook_percent = 20\npublic_domain_before = 1950\n', encoding="utf-8")
    loaded = load_settings(home)
    assert (loaded.link_days, loaded.mail.port, loaded.mail.tls, loaded.rules.book_percent) == (14, 587, "starttls",
                                                                                               20.0)
    for text, message in (("link_day = 3", "unknown setting 'link_day'"), ("link_days = '3'", "must be int"),
                          ("[mail]\ntls = 'yes'", "mail.tls 'yes' is not one of"),
                          ("[rules]\nbook_percent = 0", "book_percent must be more than 0"),
                          ("link_days = ", "not valid TOML")):
        with pytest.raises(InvalidSettings, match=message):
            (home.root / "delivery.toml").write_text(text, encoding="utf-8")
            load_settings(home)
    other = tmp_path / "elsewhere.toml"
    other.write_text("keep_days = 30\n", encoding="utf-8")
    monkeypatch.setenv("OLKE_DELIVERY_SETTINGS", str(other))
    assert load_settings(home).keep_days == 30
    assert parse_settings({}).link_downloads == 5


def test_the_signing_secret_is_made_once_and_private(tmp_path):
    home = Home.resolve(tmp_path / "home")
    first = secret_key(home)
    assert secret_key(home) == first and len(first) >= 32
    assert (home.root / "secret.key").stat().st_mode & 0o777 == 0o600
