"""`olke requests …` and `olke staff …`: exit codes and exact messages."""
from __future__ import annotations

import copy
import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from cli import delivery as cli_requests
from cli import web as cli_web
from archive.catalog import Catalog
from archive.home import Home
from archive.delivery import consent, workflow
from archive.delivery.settings import DeliverySettings
from archive.delivery.intake import RequestInput
from cli import main
from test_requests_support import build_archive, copy_home, pdf_page_texts, smtp_server

pytestmark = pytest.mark.databases      # on SQLite and again with the catalog on PostgreSQL

# The commands on a copy of `olke`, so registering them here changes nothing for other tests.
olke = copy.copy(main)
olke.commands = dict(main.commands)
for command in (cli_requests.requests, cli_requests.staff, cli_web.serve_staff):
    olke.commands.setdefault(command.name, command)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("delivery-cli"))


@pytest.fixture
def home(template, tmp_path):
    root, ids = template
    return copy_home(root, tmp_path / "home"), ids


def run(home, *args, input=None):
    return CliRunner().invoke(olke, ["--home", str(home), *args], input=input)


def make_request(home, document_id, **fields):
    catalog = Catalog(Home.resolve(home))
    try:
        values = dict(name="Сынақ Оқырман", email="reader@example.kz", category="student", language="en",
                      document_id=str(document_id or ""), consent=True, consent_version=consent.CURRENT,
                      rules_acknowledged=True)
        values.update(fields)
        return workflow.submit(catalog.conn, RequestInput(**values), DeliverySettings(), catalog.get).request
    finally:
        catalog.close()


def test_staff_users_are_managed_from_the_command_line(home):
    home, _ = home
    result = run(home, "staff", "add", "librarian", "--full-name", "Бірінші Кітапханашы",
                 input="long password 1\nlong password 1\n")
    assert result.exit_code == 0, result.output
    assert "Staff user 'librarian' added." in result.output
    result = run(home, "staff", "add", "librarian", input="long password 1\nlong password 1\n")
    assert result.exit_code == 2
    assert "olke: error: staff user 'librarian' already exists; change the password with: olke staff passwd librarian" \
        in result.output
    result = run(home, "staff", "add", "cataloguer", input="short\nshort\n")
    assert result.exit_code == 2 and "the password is too short; use at least 10 characters" in result.output
    result = run(home, "staff", "add", "Bad Name")
    assert result.exit_code == 2 and "staff name 'Bad Name' is not valid" in result.output
    result = run(home, "staff", "passwd", "nobody")
    assert result.exit_code == 3 and result.output == "olke: error: no staff user 'nobody'; see `olke staff list`\n"
    assert run(home, "staff", "passwd", "librarian", input="another pass 2\nanother pass 2\n").exit_code == 0
    assert run(home, "staff", "disable", "librarian").output == "Staff user 'librarian' disabled.\n"
    listed = run(home, "staff", "list").output
    assert listed.startswith("librarian") and "disabled" in listed and "Бірінші Кітапханашы" in listed
    assert run(home, "staff", "enable", "librarian").exit_code == 0
    from archive.delivery import staff

    catalog = Catalog(Home.resolve(home))
    try:
        assert staff.verify(catalog.conn, "librarian", "another pass 2")["name"] == "librarian"
    finally:
        catalog.close()


def test_list_show_fulfil_and_the_archive(home):
    home, ids = home
    request = make_request(home, ids["book"], pages="2", needed_by=(date.today() + timedelta(days=5)).isoformat())
    make_request(home, None, cite_title="Абай туралы", email="b@example.kz")
    listed = run(home, "requests", "list")
    assert listed.exit_code == 0 and request.code in listed.output and "Абай туралы" in listed.output
    shown = run(home, "requests", "show", request.code.lower())
    assert f"{request.code} (№ {request.id}): new" in shown.output and "letter: received NOT SENT" in shown.output
    missing = run(home, "requests", "show", "26-0000-0000")
    assert missing.exit_code == 3
    assert missing.output == ("olke: error: no delivery request 26-0000-0000; check the code "
                              "(see `olke requests list`)\n")
    done = run(home, "requests", "fulfil", request.code)
    assert done.exit_code == 0, done.output
    assert f"Delivered {request.code}: 2 pages; link http://127.0.0.1:8000/request/download/" in done.output
    assert "olke: warning: no mail server is set" in done.output
    again = run(home, "requests", "fulfil", request.code, "--pages", "99")
    assert again.exit_code == 4 and "go beyond the document's 10 pages; write them like 1-3,5" in again.output
    data = json.loads(run(home, "requests", "show", request.code, "--json").output)
    assert data["request"]["status"] == "delivered" and data["history"][-1]["action"] == "delivered"
    assert run(home, "requests", "list", "--status", "delivered", "--json").output.count('"code"') == 1
    archive = run(home, "requests", "archive", "--search", "дала")
    assert request.code in archive.output and "Дала мен өзен" in archive.output
    exported = run(home, "requests", "archive", "--format", "csv", "--output", str(home / "out.csv"))
    assert exported.output == f"Written to {home / 'out.csv'}\n"
    assert (home / "out.csv").read_text(encoding="utf-8").count(request.code) == 1
    stamped = next((home / "delivery" / "copies").glob("*.pdf"))
    assert "Request № 1" in pdf_page_texts(stamped)[0]


def test_fulfil_a_citation_from_a_fresh_scan(home, make_png):
    home, _ = home
    request = make_request(home, None, cite_title="Жаңа табылған мақала", cite_source="Өлке")
    result = run(home, "requests", "fulfil", request.code, "--scan", str(make_png("new.png")), "--kind",
                 "newspaper_article", "--language", "kaz")
    assert result.exit_code == 0, result.output
    assert "Archived the scan as document 4." in result.output and f"Delivered {request.code}" in result.output
    shown = run(home, "show", "4")
    assert "Жаңа табылған мақала" in shown.output and "on_request" in shown.output


def test_expire_purge_export_and_send_mail(home):
    home, ids = home
    late = make_request(home, ids["article"], needed_by=date.today().isoformat())
    dry = run(home, "requests", "expire", "--dry-run")
    assert dry.output == ""  or late.code not in dry.output      # due only from tomorrow
    catalog = Catalog(Home.resolve(home))
    catalog.conn.execute("UPDATE delivery_requests SET needed_by = ? WHERE id = ?",
                         ((date.today() - timedelta(days=1)).isoformat(), late.id))
    catalog.close()
    result = run(home, "requests", "expire")
    assert result.exit_code == 0
    assert f"expired: {late.code}" in result.output and "1 request expired; 0 used-up copies deleted." in result.output
    exported = run(home, "requests", "export-person", "Reader@example.kz")
    data = json.loads(exported.output)
    assert data["requests"][0]["code"] == late.code and data["requests"][0]["status"] == "expired"
    nothing = run(home, "requests", "export-person", "nobody@example.kz")
    assert nothing.exit_code == 0 and "olke: nothing is held about nobody@example.kz" in nothing.output
    assert run(home, "requests", "purge", "--dry-run").output == "0 requests would be anonymised.\n"
    erased = run(home, "requests", "purge", "--email", "reader@example.kz")
    assert erased.output == f"blanked: {late.code}\n1 request was anonymised.\n"
    make_request(home, ids["old"], email="c@example.kz")
    failing = run(home, "requests", "send-mail")
    assert failing.exit_code == 11
    assert failing.output == ("0 letters sent.\nolke: error: 1 letter was not sent: no mail server is set; set "
                              "[mail] host in delivery.toml, then run `olke requests send-mail`\n")
    with smtp_server() as (mailbox, mail):
        (home / "delivery.toml").write_text(f'[mail]\nhost = "{mail["host"]}"\nport = {mail["port"]}\n',
                                            encoding="utf-8")
        sent = run(home, "requests", "send-mail")
        assert sent.exit_code == 0 and sent.output == "1 letter sent.\n"      # the anonymised ones are gone
        assert mailbox.wait(1)[0]["To"] == "c@example.kz"


def test_report_and_settings(home):
    home, ids = home
    make_request(home, ids["article"])
    table = run(home, "requests", "report", "--year", str(date.today().year))
    assert table.exit_code == 0 and "(no plan loaded: olke plan load FILE)" in table.output
    assert "median working days" in table.output
    as_json = json.loads(run(home, "requests", "report", "--format", "json").output)
    assert as_json["year_total"]["received"] == 1
    csv = run(home, "requests", "report", "--format", "csv").output.splitlines()
    assert csv[0].startswith("period,received,delivered,plan") and csv[-1].startswith("year,1,0,")
    (home / "delivery.toml").write_text('[mail]\npassword = "hunter2"\nhost = "smtp.example.kz"\n', encoding="utf-8")
    shown = run(home, "requests", "settings").output
    assert "mail.host = 'smtp.example.kz'" in shown and "hunter2" not in shown and "********" in shown
    (home / "delivery.toml").write_text("link_days = 0\n", encoding="utf-8")
    bad = run(home, "requests", "settings")
    assert bad.exit_code == 2 and bad.output == f"olke: error: {home / 'delivery.toml'}: link_days must be 1 or more\n"


def test_every_command_has_an_example():
    for group in (cli_requests.requests, cli_requests.staff):
        for command in group.commands.values():
            assert "Example" in (command.help or ""), command.name
    assert "Example" in cli_web.serve_staff.help
