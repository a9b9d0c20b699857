"""Several libraries, one archive: the register, holdings, plans and reports, and delivery across the
system (queues, staff rights, passing on, sending outside) — and one library, where nothing changes."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from archive.delivery import consent
from archive.delivery.intake import RequestInput
from archive.delivery.settings import DeliverySettings
from archive.errors import NotFound, RequestNotFound, UsageError
from conftest import text_pdf

pytestmark = pytest.mark.databases      # on SQLite and again with the catalog on PostgreSQL

PLAN = Path(__file__).resolve().parent.parent / "plans" / "plan-2026.toml"
LIBRARIES = {
    "pavlodar-obl": dict(name_kk="Павлодар облыстық кітапханасы", name_ru="Павлодарская областная библиотека",
                         town="Павлодар", email="edd@pavlodar-obl.example.kz"),
    "ekibastuz-cbs": dict(name_kk="Екібастұз қалалық орталықтандырылған кітапхана жүйесі",
                          name_ru="Экибастузская городская ЦБС", town="Екібастұз"),
    "aksu-cbs": dict(name_kk="Ақсу қалалық кітапханасы", name_ru="Аксуская городская библиотека", town="Ақсу"),
}
KAZAKH_PAGE = "Қаладағы кітапхана тарихы туралы мақала."


def add_document(archive, tmp_path, name: str, library: str | None, pages=(KAZAKH_PAGE,), **fields):
    """A born-digital document of ``library`` archived as ingest archives it (the fake OCR engine)."""
    from archive.metadata import Description
    from ingest.pipeline import IngestOptions, ingest
    from ingest.sources import discover
    from tests.support.fake_ocr import FakeEngine

    pdf = text_pdf(tmp_path / f"{name}.pdf", list(pages))
    values = dict(kind="newspaper_article", title=name, language="kaz", digitised_on="2026-02-10",
                  access="on_request")
    values.update(fields)
    if library:
        values["library"] = library
    sources, errors = discover([pdf], Description.from_mapping(values))
    assert not errors
    (outcome,) = ingest(sources, archive, FakeEngine(list(pages)), IngestOptions(workers=1))
    assert outcome.ok, outcome.error
    return outcome.document_id


def request_for(archive, document_id=None, **fields):
    values = dict(name="Оқырман", email="reader@example.kz", category="researcher", language="kk",
                  document_id=str(document_id or ""), consent=True, consent_version=consent.CURRENT,
                  rules_acknowledged=True)
    values.update(fields)
    return archive.delivery.submit(RequestInput(**values), DeliverySettings()).request


# --- one library: nothing changes -----------------------------------------------------------------

def test_a_new_catalog_has_one_library_and_shows_none(archive, tmp_path):
    (only,) = archive.libraries.all()
    assert (only.code, only.is_default) == ("main", 1) and not archive.libraries.several()
    document_id = add_document(archive, tmp_path, "Кітапхана тарихы", None)
    assert archive.catalog.get(document_id).library == "main"
    request = request_for(archive, document_id)
    assert request.library == "main"
    archive.staff.add("librarian", "correct horse 1")
    assert archive.staff.library_of("librarian") is None         # sees every request, as before
    assert archive.delivery.scoped(None).queue() == archive.delivery.queue()
    archive.plans.load(_plan())
    data = archive.plans.report(2026).as_dict("kk")
    assert "libraries" not in data and "library" not in data


def test_an_old_catalog_moves_to_the_default_library_silently(tmp_path, monkeypatch):
    """A catalog made before libraries existed: its documents, plans, requests and staff stay as they were."""
    from archive import db
    from archive.home import Home

    everything = db.available_migrations()
    monkeypatch.setattr(db, "available_migrations",
                        lambda dialect="sqlite": [m for m in everything if m[0] < "0009"])
    home = Home.resolve(tmp_path / "home")
    home.ensure()
    conn = db.connect(home.catalog_path)
    conn.execute("INSERT INTO plans (year, title, library, source_name, source_text, loaded_at, loaded_by)"
                 " VALUES (2026, 'Жоспар', 'Қалалық балалар кітапханасы', 'plan.toml', '', '2026-01-05', 'olke')")
    conn.executemany("INSERT INTO plan_figures (year, row, measure, quarter, kazakh, value, position)"
                     " VALUES (2026, :row, :measure, :quarter, 0, :value, :position)",
                     [{"row": "electronic_delivery", "measure": "requests", "quarter": 2, "value": 150, "position": 1},
                      {"row": "newspaper_article", "measure": "documents", "quarter": 1, "value": 3, "position": 2}])
    conn.execute("INSERT INTO staff_users (name, password_hash, created_at, password_set_at)"
                 " VALUES ('librarian', 'x', '2026-01-05', '2026-01-05')")
    conn.close()
    monkeypatch.setattr(db, "available_migrations", lambda dialect="sqlite": everything)
    from archive.library import Archive

    archive = Archive(home)
    try:
        plan = archive.plans.get(2026)
        assert (plan.library, plan.library_code, plan.title) == ("Қалалық балалар кітапханасы", "main", "Жоспар")
        assert plan.planned("newspaper_article", "documents", 1) == 3 and plan.deliveries == {2: 150}
        kept = archive.catalog.conn.execute("SELECT row FROM plan_figures ORDER BY position").fetchall()
        assert [row[0] for row in kept] == ["electronic_delivery", "newspaper_article"]     # 0008's order stays
        assert archive.staff.library_of("librarian") is None
        assert [lib.code for lib in archive.libraries.all()] == ["main"]
    finally:
        archive.close()


# --- the register ----------------------------------------------------------------------------------

def test_library_commands_add_list_edit(olke):
    result = olke("library", "add", "pavlodar-obl", "--name-kk", "Павлодар облыстық кітапханасы", "--town", "Павлодар",
                  "--email", "EDD@pavlodar-obl.example.kz")
    assert result.exit_code == 0, result.output
    assert "olke ingest FOLDER --library pavlodar-obl" in result.output
    assert "Library 'main' has no name yet" in result.output          # readers would see its code
    assert olke("library", "edit", "main", "--name-kk", "Екібастұз қалалық кітапханасы").exit_code == 0
    assert "no name yet" not in olke("library", "add", "aksu", "--name-kk", "Ақсу қалалық ОКЖ").output
    listed = olke("library", "list").output
    assert "Екібастұз қалалық кітапханасы (default)" in listed and "Павлодар облыстық кітапханасы, Павлодар" in listed
    data = json.loads(olke("library", "list", "--json").output)
    assert [d["code"] for d in data] == ["main", "pavlodar-obl", "aksu"] and data[1]["email"] == "edd@pavlodar-obl.example.kz"
    again = olke("library", "add", "pavlodar-obl")
    assert again.exit_code == 2 and "already exists" in again.output
    wrong = olke("library", "add", "Павлодар")
    assert wrong.exit_code == 2 and "is not valid" in wrong.output
    assert olke("library", "edit", "nowhere", "--town", "X").exit_code == 3


# --- three libraries -------------------------------------------------------------------------------

@pytest.fixture
def system(archive, tmp_path):
    for code, values in LIBRARIES.items():
        archive.libraries.add(code, **values)
    archive.libraries.edit("pavlodar-obl", make_default=True)
    ids = {
        "pavlodar": add_document(archive, tmp_path, "Ертіс өңірі", "pavlodar-obl"),
        "ekibastuz": add_document(archive, tmp_path, "Екібастұз көмірі", "ekibastuz-cbs",
                                  pages=(KAZAKH_PAGE, "Өлкетану бөлімі оқырмандарға ашық.")),
        "aksu": add_document(archive, tmp_path, "Ақсу тарихы", "aksu-cbs", language="rus",
                             pages=("Городская библиотека хранит старые газеты.",)),
    }
    archive.staff.add("pavlodar.edd", "correct horse 1", library="pavlodar-obl")
    archive.staff.add("ekibastuz.edd", "correct horse 2", library="ekibastuz-cbs")
    archive.staff.add("admin", "correct horse 3")
    return archive, ids


def _plan():
    from archive.plans.plan import read_plan_file

    return read_plan_file(PLAN)


def test_holdings_per_library(system):
    archive, ids = system
    assert archive.libraries.several()
    assert {code: held for code, held in archive.libraries.holdings().items()} == {
        "pavlodar-obl": (1, 1), "ekibastuz-cbs": (1, 2), "aksu-cbs": (1, 1)}
    assert [d.id for d in archive.catalog.documents(library="ekibastuz-cbs")] == [ids["ekibastuz"]]
    assert archive.libraries.recent("aksu-cbs") == [ids["aksu"]]
    assert archive.libraries.resolve(None) == "pavlodar-obl"          # the default library now
    with pytest.raises(UsageError, match="unknown library 'nowhere'"):
        archive.libraries.resolve("nowhere")


def test_ingest_library_option_manifest_column_and_sidecar(olke, tmp_path):
    for code in ("pavlodar-obl", "ekibastuz-cbs"):
        assert olke("library", "add", code).exit_code == 0
    by_option = text_pdf(tmp_path / "option.pdf", ["Бірінші құжат."])
    result = olke("ingest", by_option, "--library", "ekibastuz-cbs", "--language", "kaz", "--workers", "1", "--json")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "sidecar"
    folder.mkdir()
    text_pdf(folder / "page.pdf", ["Екінші құжат."])
    (folder / "olke.toml").write_text('library = "pavlodar-obl"\nlanguage = "kaz"\n', encoding="utf-8")
    assert olke("ingest", folder, "--workers", "1").exit_code == 0
    text_pdf(tmp_path / "row.pdf", ["Үшінші құжат."])
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("path,title,language,library\nrow.pdf,Үшінші,kaz,ekibastuz-cbs\n", encoding="utf-8")
    assert olke("ingest", "--manifest", manifest, "--workers", "1").exit_code == 0
    shown = json.loads(olke("list", "--json").output)
    assert sorted(d["library"] for d in shown) == ["ekibastuz-cbs", "ekibastuz-cbs", "pavlodar-obl"]
    unknown = olke("ingest", text_pdf(tmp_path / "lost.pdf", ["Төртінші."]), "--library", "nowhere",
                   "--workers", "1")
    assert unknown.exit_code != 0 and "unknown library 'nowhere'" in unknown.output
    assert len(json.loads(olke("list", "--json").output)) == 3


def test_plans_per_library_and_the_system_report_sums_them(system):
    archive, ids = system
    for code in ("pavlodar-obl", "ekibastuz-cbs"):
        plan = _plan()
        plan.library_code = code
        archive.plans.load(plan)
    with pytest.raises(NotFound, match="--library aksu-cbs"):
        archive.plans.get(2026, "aksu-cbs")
    one = archive.plans.report(2026, library="ekibastuz-cbs")
    assert one.plan.planned("total", "documents", 0) == 21
    assert one.actuals.value("total", "pages", 0) == 2 and one.actuals.value("total", "documents", 0) == 1
    assert one.as_dict("kk")["library"]["name"] == LIBRARIES["ekibastuz-cbs"]["name_kk"]
    whole = archive.plans.report(2026)
    assert whole.plan.planned("total", "documents", 0) == 42                # two plans of 21
    assert whole.plan.planned("electronic_delivery", "requests", 0) == 2 * 815
    assert whole.actuals.value("total", "documents", 0) == 3 and whole.actuals.value("total", "documents", 0, True) == 2
    rows = {row["library"]: row for row in whole.as_dict("kk")["libraries"]["rows"]}
    assert list(rows) == ["main", "pavlodar-obl", "ekibastuz-cbs", "aksu-cbs"]
    assert rows["ekibastuz-cbs"]["pages"]["actual"] == 2 and rows["ekibastuz-cbs"]["documents"]["plan"] == 21
    assert rows["aksu-cbs"]["has_plan"] is False and rows["aksu-cbs"]["documents_kaz"]["actual"] == 0
    assert sum(r["documents"]["actual"] for r in rows.values()) == 3
    assert sum(r["documents"]["plan"] for r in rows.values()) == 42
    from archive.plans.formats import render

    table = render(whole, "table", "kk")
    assert "Кітапханалар бойынша: 2026 жыл" in table
    assert "Екібастұз қалалық орталықтандырылған кітапхана жүйесі: құжаттар 1 / 21" in table
    csv_text = render(whole, "csv", "ru")
    assert "ekibastuz-cbs,,Экибастузская городская ЦБС" in csv_text


def test_plan_commands_per_library(olke):
    assert olke("library", "add", "pavlodar-obl").exit_code == 0
    loaded = olke("plan", "load", PLAN, "--library", "pavlodar-obl")
    assert loaded.exit_code == 0 and "Loaded the 2026 plan of library 'pavlodar-obl'" in loaded.output
    assert olke("plan", "show", "--year", "2026", "--library", "pavlodar-obl", "--json").exit_code == 0
    missing = olke("plan", "show", "--year", "2026")
    assert missing.exit_code == 3 and "olke plan load FILE --library main" in missing.output
    assert "pavlodar-obl" in olke("plan", "list").output
    report = olke("plan", "report", "--year", "2026", "--library", "pavlodar-obl", "--format", "json")
    assert json.loads(report.output)["library"]["code"] == "pavlodar-obl"
    whole = json.loads(olke("plan", "report", "--year", "2026", "--format", "json").output)
    assert [r["library"] for r in whole["libraries"]["rows"]] == ["main", "pavlodar-obl"]


# --- delivery across the system ---------------------------------------------------------------------

def test_a_request_goes_to_the_library_holding_the_document(system):
    archive, ids = system
    assert request_for(archive, ids["ekibastuz"]).library == "ekibastuz-cbs"
    assert request_for(archive, ids["aksu"], email="other@example.kz").library == "aksu-cbs"
    free = request_for(archive, cite_title="Ертіс газеті, 1935", email="third@example.kz")
    assert free.library == "pavlodar-obl"           # a citation: the default library, which may pass it on


def test_queues_and_rights_of_each_library(system):
    archive, ids = system
    theirs = request_for(archive, ids["ekibastuz"])
    ours = request_for(archive, ids["pavlodar"], email="other@example.kz")
    pavlodar = archive.delivery.scoped("pavlodar-obl")
    assert [r.code for r in pavlodar.queue()] == [ours.code]
    assert {r.code for r in archive.delivery.queue()} == {theirs.code, ours.code}     # the administrator's
    with pytest.raises(RequestNotFound):
        pavlodar.get(theirs.code)
    for action in (lambda: pavlodar.claim(theirs.code, "pavlodar.edd"),
                   lambda: pavlodar.add_note(theirs.code, "pavlodar.edd", "Біздікі емес"),
                   lambda: pavlodar.refuse(theirs.code, "pavlodar.edd", "other", "Жоқ", DeliverySettings()),
                   lambda: pavlodar.pass_on(theirs.code, "pavlodar.edd", "pavlodar-obl", None, DeliverySettings())):
        with pytest.raises(RequestNotFound):
            action()
    assert archive.delivery.get(theirs.code).status == "new" and not archive.delivery.notes(theirs.id)
    with pytest.raises(UsageError, match="works at library 'ekibastuz-cbs'"):
        pavlodar.assign(ours.code, "ekibastuz.edd", "pavlodar.edd")


def _last_letter(archive, request_id: int) -> dict:
    row = archive.catalog.conn.execute("SELECT * FROM delivery_mail WHERE request_id = ? ORDER BY id DESC LIMIT 1",
                                       (request_id,)).fetchone()
    return dict(row)


def test_pass_on_and_send_outside_tell_the_requester(system):
    archive, ids = system
    request = request_for(archive, ids["pavlodar"])
    pavlodar = archive.delivery.scoped("pavlodar-obl")
    pavlodar.claim(request.code, "pavlodar.edd")
    pavlodar.pass_on(request.code, "pavlodar.edd", "aksu-cbs", "Түпнұсқа Ақсуда", DeliverySettings())
    moved = archive.delivery.get(request.code)
    assert (moved.library, moved.status, moved.assigned_to) == ("aksu-cbs", "new", None)
    assert archive.delivery.scoped("aksu-cbs").queue()[0].code == request.code
    letter = _last_letter(archive, moved.id)
    assert letter["letter"] == "passed_on"
    assert "Ақсу қалалық кітапханасы" in letter["body"] and "Түпнұсқа Ақсуда" in letter["body"]
    assert letter["body"].splitlines()[-2] == "Ақсу қалалық кітапханасы"       # signed by the library handling it
    aksu = archive.delivery.scoped("aksu-cbs")
    aksu.send_outside(request.code, "admin", "Қазақстан Республикасының Ұлттық кітапханасы", None, DeliverySettings())
    closed = archive.delivery.get(request.code)
    assert (closed.status, closed.sent_outside_to) == ("refused", "Қазақстан Республикасының Ұлттық кітапханасы")
    last = _last_letter(archive, closed.id)
    assert last["letter"] == "sent_outside" and "Ұлттық кітапханасы" in last["body"]
    figures = archive.plans.delivery_figures(closed.created_at[:4] and int(closed.created_at[:4]), "aksu-cbs")
    year = figures.periods[0]
    assert (year.sent_outside, year.refused, year.received) == (1, 0, 1)
    assert [e["action"] for e in archive.delivery.history(closed.id)][-2:] == ["passed_on", "sent_outside"]


def test_delivery_figures_per_library_and_in_total(system):
    archive, ids = system
    for n, key in enumerate(("pavlodar", "ekibastuz", "ekibastuz")):
        request_for(archive, ids[key], email=f"reader{n}@example.kz")
    year = int(archive.delivery.queue()[0].created_at[:4])
    each = archive.plans.library_delivery_figures(year)
    assert {code: f.periods[0].received for code, f in each.items()} == {
        "main": 0, "pavlodar-obl": 1, "ekibastuz-cbs": 2, "aksu-cbs": 0}
    assert archive.plans.delivery_figures(year).periods[0].received == 3
    text = archive.plans.delivery_report(year, "table")
    assert "By library, the year:" in text and "ekibastuz-cbs: received 2" in text
    data = json.loads(archive.plans.delivery_report(year, "json"))
    assert data["year_total"]["received"] == 3 and data["libraries"]["ekibastuz-cbs"]["year_total"]["received"] == 2


# --- the staff app: a staff user of one library cannot see or act on another's requests ----------------

def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _signed_in(app, name, password):
    client = app.test_client()
    client.set_cookie("olke_staff_lang", "en")
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": _token(page), "name": name, "password": password})
    assert response.status_code == 303
    return client


def test_staff_web_app_shows_each_library_its_own_queue(system):
    from test_requests_support import staff_app

    archive, ids = system
    theirs = request_for(archive, ids["ekibastuz"])
    ours = request_for(archive, ids["pavlodar"], email="other@example.kz")
    archive.close()
    app = staff_app(archive.home.root)
    try:
        client = _signed_in(app, "pavlodar.edd", "correct horse 1")
        queue = client.get("/").get_data(as_text=True)
        assert ours.code in queue and theirs.code not in queue
        assert client.get(f"/requests/{theirs.code}").status_code == 404
        page = client.get(f"/requests/{ours.code}").get_data(as_text=True)
        assert "Pass on to another library" in page and LIBRARIES["aksu-cbs"]["name_ru"] not in page
        client.post(f"/requests/{theirs.code}/claim", data={"csrf_token": _token(page)})
        client.post(f"/requests/{theirs.code}/refuse", data={"csrf_token": _token(page), "reason": "other",
                                                             "text": "Жоқ"})
        with app.extensions["olke"].locked() as shared:
            untouched = shared.delivery.get(theirs.code)
        assert (untouched.status, untouched.assigned_to) == ("new", None)
        found = client.get(f"/archive?q={theirs.code}&all=1").get_data(as_text=True)
        assert theirs.code not in found.split("<tbody>")[1]
        moved = client.post(f"/requests/{ours.code}/pass-on", data={"csrf_token": _token(page),
                                                                   "library": "ekibastuz-cbs", "text": ""})
        assert moved.status_code == 303
        assert client.get(f"/requests/{ours.code}").status_code == 404      # it is Ekibastuz's now
        other = _signed_in(app, "ekibastuz.edd", "correct horse 2")
        mine = other.get("/").get_data(as_text=True)
        assert ours.code in mine and theirs.code in mine
        admin = _signed_in(app, "admin", "correct horse 3")
        assert admin.get(f"/requests/{theirs.code}").status_code == 200
    finally:
        app.extensions["olke"].close()


def test_staff_review_shows_each_library_its_own_pages(system):
    """The OCR review queue and pages: a library's staff check only what their library holds."""
    from test_requests_support import staff_app

    archive, ids = system
    archive.catalog.conn.execute("UPDATE pages SET verdict = 'doubtful', verdict_reasons = :reasons",
                                 {"reasons": '["low_confidence"]'})
    archive.close()
    app = staff_app(archive.home.root)
    try:
        client = _signed_in(app, "pavlodar.edd", "correct horse 1")
        queue = client.get("/review").get_data(as_text=True)
        assert f'href="/review/{ids["pavlodar"]}/1"' in queue and f'/review/{ids["ekibastuz"]}/' not in queue
        assert client.get(f"/review/{ids['pavlodar']}/1").status_code == 200
        page = client.get(f"/review/{ids['pavlodar']}/1").get_data(as_text=True)
        for path in (f"/review/{ids['ekibastuz']}/1", f"/review/{ids['ekibastuz']}/1/image",
                     f"/documents/{ids['ekibastuz']}"):
            assert client.get(path).status_code == 404, path
        refused = client.post(f"/review/{ids['ekibastuz']}/1/accept", data={"csrf_token": _token(page)})
        assert refused.status_code == 303
        with app.extensions["olke"].locked() as shared:
            assert shared.catalog.pages(ids["ekibastuz"])[0]["verdict"] == "doubtful"    # untouched
        admin = _signed_in(app, "admin", "correct horse 3")
        everything = admin.get("/review").get_data(as_text=True)
        assert all(f'href="/review/{ids[key]}/1"' in everything for key in ("pavlodar", "ekibastuz", "aksu"))
    finally:
        app.extensions["olke"].close()


def test_usage_figures_per_library(system):
    archive, ids = system
    for key, kind in (("pavlodar", "view"), ("ekibastuz", "view"), ("ekibastuz", "download"),
                      ("ekibastuz", "view")):
        archive.usage.record(ids[key], kind, "2026-03-02")
    whole = archive.usage.figures("2026-03-01", "2026-03-31")
    assert (whole.views, whole.downloads) == (3, 1)
    assert whole.by_library == {"pavlodar-obl": {"view": 1, "download": 0},
                                "ekibastuz-cbs": {"view": 2, "download": 1}}
    theirs = archive.usage.figures("2026-03-01", "2026-03-31", library="ekibastuz-cbs")
    assert (theirs.views, theirs.downloads, list(theirs.by_document)) == (2, 1, [ids["ekibastuz"]])
    assert theirs.as_dict()["library"] == "ekibastuz-cbs"
    with pytest.raises(UsageError):
        archive.usage.figures("2026-03-01", "2026-03-31", library="nowhere")


# --- the reading room ----------------------------------------------------------------------------------

def test_reading_room_names_libraries_only_when_there_are_several(archive, tmp_path):
    from test_requests_support import public_app

    document_id = add_document(archive, tmp_path, "Кітапхана тарихы", None, access="open")
    archive.close()
    app = public_app(archive.home.root)
    try:
        client = app.test_client()
        results = client.get("/search?q=кітапхана&lang=kk").get_data(as_text=True)
        assert 'id="facet-library"' not in results and "/libraries/" not in client.get("/").get_data(as_text=True)
        assert "Кітапхана</dt>" not in client.get(f"/documents/{document_id}?lang=kk").get_data(as_text=True)
        assert client.get("/libraries/main").status_code == 404
    finally:
        app.extensions["olke"].close()


def test_reading_room_library_facet_filter_and_pages(search_backend, system):
    """On either search engine (the library is a field of both indexes)."""
    from test_requests_support import public_app

    archive, ids = system
    archive.close()
    app = public_app(archive.home.root)
    try:
        client = app.test_client()
        assert "/libraries/aksu-cbs" in client.get("/?lang=kk").get_data(as_text=True)
        results = client.get("/search?q=кітапхана&lang=kk").get_data(as_text=True)
        assert 'id="facet-library"' in results
        assert LIBRARIES["ekibastuz-cbs"]["name_kk"] in results and LIBRARIES["pavlodar-obl"]["name_kk"] in results
        only = client.get("/search?q=кітапхана&library=ekibastuz-cbs&lang=kk").get_data(as_text=True)
        assert f"/documents/{ids['ekibastuz']}" in only and f"/documents/{ids['pavlodar']}" not in only
        page = client.get(f"/documents/{ids['aksu']}?lang=ru").get_data(as_text=True)
        assert "/libraries/aksu-cbs" in page and LIBRARIES["aksu-cbs"]["name_ru"] in page
        own = client.get("/libraries/ekibastuz-cbs?lang=kk").get_data(as_text=True)
        assert LIBRARIES["ekibastuz-cbs"]["name_kk"] in own and "Екібастұз көмірі" in own
        assert "Ертіс өңірі" not in own
        assert client.get("/libraries/nowhere").status_code == 404
    finally:
        app.extensions["olke"].close()


# --- interop ---------------------------------------------------------------------------------------

def test_marc_names_the_holding_library_and_exports_per_library(system):
    from archive import marc

    archive, ids = system
    holders = {lib.code: lib for lib in archive.libraries.all()}
    book = archive.catalog.get(ids["ekibastuz"])
    rus = marc.record(book, "rusmarc", "https://olke.example.kz", holders)
    assert rus["899"]["a"] == LIBRARIES["ekibastuz-cbs"]["name_kk"] and rus["899"]["b"] == "ekibastuz-cbs"
    m21 = marc.record(book, "marc21", "https://olke.example.kz", holders)
    assert m21["852"]["a"] == LIBRARIES["ekibastuz-cbs"]["name_kk"] and m21["852"]["b"] == "ekibastuz-cbs"
    assert not marc.record(book, "marc21", "https://olke.example.kz").get_fields("852")   # one library: as before


def test_marc_export_command_per_library(olke, tmp_path):
    from pymarc import MARCReader

    assert olke("library", "add", "aksu-cbs", "--name-kk", LIBRARIES["aksu-cbs"]["name_kk"]).exit_code == 0
    for name, library in (("a", "aksu-cbs"), ("b", "main")):
        pdf = text_pdf(tmp_path / f"{name}.pdf", [f"Құжат {name}."])
        assert olke("ingest", pdf, "--library", library, "--language", "kaz", "--workers", "1").exit_code == 0
    out = tmp_path / "aksu.iso"
    result = olke("export", "marc", "--library", "aksu-cbs", "--output", out)
    assert result.exit_code == 0, result.output
    records = list(MARCReader(out.read_bytes(), to_unicode=True, force_utf8=True))
    assert len(records) == 1 and records[0]["899"]["b"] == "aksu-cbs"


def test_oai_sets_per_library(system):
    from archive.oai import Repository, respond

    archive, ids = system
    repository = Repository("https://olke.example.kz/oai", "https://olke.example.kz")
    sets = respond(archive.catalog, {"verb": "ListSets"}, repository)
    text = sets if isinstance(sets, str) else sets.decode() if isinstance(sets, bytes) else str(sets)
    assert "library:ekibastuz-cbs" in text and LIBRARIES["ekibastuz-cbs"]["name_kk"] in text
    listed = respond(archive.catalog, {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc",
                                       "set": "library:aksu-cbs"}, repository)
    text = listed if isinstance(listed, str) else listed.decode()
    assert f"oai:olke:{ids['aksu']}<" in text and f"oai:olke:{ids['ekibastuz']}<" not in text
