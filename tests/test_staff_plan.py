"""The plan report in the staff app: /plan and its downloads, on the catalog of tests/test_reports.py.

The page must show the report's own numbers: every cell is read back from the HTML and compared
with ``build_report(...).as_dict()`` and with the hand-worked figures of test_reports.py.
"""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess

import pytest
from lxml import html as lxml_html

from archive.catalog import Catalog
from archive.home import Home
from archive.plans.plan import read_plan_file, save_plan
from archive.plans.formats import render
from archive.plans.report import build_report
from archive.delivery import staff
from test_reports import (DEMO_PLAN, DOCUMENTS, EXPECTED_STATED, LINE_NAMES_KK, ROW_LABELS_KK, SUMMARY_EN,
                          SUMMARY_NUMBERS, TODAY, add, expected_cells, expected_grid, stage)
from test_requests_support import staff_app
from test_staff_web import signed_in

TO_GO_Q2_EN = ["2 newspaper articles to go", "2 newspaper articles in Kazakh to go", "7 newspaper pages to go",
               "4 newspaper pages in Kazakh to go", "1 journal article to go", "150 electronic deliveries to go"]
ROWS = [(kind, measure) for kind in ("newspaper_article", "journal_article", "book", "total")
        for measure in ("documents", "pages")]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A data home with the documents of test_reports.py (one re-OCRed, one deleted) and the 2026 plan."""
    home = Home.resolve(tmp_path_factory.mktemp("staff-plan") / "home")
    catalog = Catalog(home)
    try:
        ids = {name: add(catalog, name, *values) for name, values in DOCUMENTS.items()}
        catalog.replace_content(ids["end-q2-reocred"], stage(home, 3, 290_000, originals=False))
        catalog.delete(ids["deleted"])
        save_plan(catalog.conn, read_plan_file(DEMO_PLAN), user="tester")
    finally:
        catalog.close()
    return home.root


@pytest.fixture
def app(template, tmp_path, monkeypatch):
    import shutil

    home = tmp_path / "home"
    shutil.copytree(template, home)
    monkeypatch.setattr("search_app.staff.plan.today", lambda: TODAY)
    app = staff_app(home)
    with app.extensions["olke"].catalog() as catalog:
        staff.add(catalog.conn, "librarian", "correct horse 1", "Бірінші Кітапханашы")
    yield app
    app.extensions["olke"].close()


@pytest.fixture
def client(app):
    return signed_in(app, lang=None)     # the interface's default language (Kazakh); pages ask for lang=


def report_of(app, quarter=None):
    with app.extensions["olke"].catalog() as catalog:
        return build_report(catalog.conn, 2026, quarter, today=TODAY)


def page(client, query: str, status: int = 200):
    response = client.get(f"/plan?{query}")
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response, lxml_html.fromstring(response.get_data(as_text=True))


def squash(element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


def table_cells(tree) -> list[tuple[str, list]]:
    """(row label, [(actual, plan, percent, notes, progress value, progress max, state) or None]) per row."""
    rows = []
    for tr in tree.xpath("//table[contains(@class,'plan')]/tbody/tr"):
        cells = []
        for td in tr.xpath("td"):
            if "na" in td.get("class").split():
                cells.append(None)
                continue
            actual, plan = td.xpath(".//span[@class='fig']/span[1]")[0].text_content().split(" / ")
            percent = td.xpath(".//span[@class='pct']")[0].text_content()
            bar = td.xpath("progress")
            cells.append((int(actual), int(plan), None if percent == "—" else int(percent.rstrip("%")),
                          [n.text_content() for n in td.xpath("span[@class='note']")],
                          (int(bar[0].get("value")), int(bar[0].get("max"))) if bar else None,
                          td.get("class").split()[1]))
        rows.append((squash(tr.xpath("th")[0]), cells))
    return rows


# --- signing in --------------------------------------------------------------------------------

def test_every_plan_route_needs_a_signed_in_user(app):
    anonymous = app.test_client()
    for path in ("/plan", "/plan?year=2026&quarter=2&lang=ru", "/plan/download.csv?year=2026",
                 "/plan/download.xlsx", "/plan/download.pdf?year=2026", "/plan/download.json"):
        response = anonymous.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next=/plan"), path


def test_the_staff_menu_links_to_the_plan(client):
    queue = client.get("/?lang=en").get_data(as_text=True)
    assert '<a href="/plan">Digitisation plan</a>' in queue


# --- the page shows the report's numbers ---------------------------------------------------------

def test_every_cell_on_the_page_is_the_reports(app, client):
    _, tree = page(client, "year=2026&lang=en")
    data = report_of(app).as_dict("en")
    rows = table_cells(tree)
    expected_rows = data["rows"] + [data["electronic_delivery"]]
    assert [label for label, _ in rows] == [
        "Newspaper articles", "Newspaper articles: Pages", "Journal articles", "Journal articles: Pages",
        "Whole books", "Whole books: Pages", "All documents", "All documents: Pages", "Electronic document delivery"]
    for (label, cells), row in zip(rows, expected_rows):
        if row["row"] == "electronic_delivery":   # no Kazakh columns: those cells are empty
            assert cells[1::2] == [None] * 5
            cells = cells[0::2]
        assert len(cells) == len(row["cells"])
        for got, cell in zip(cells, row["cells"]):
            actual, plan, percent, notes, bar, state = got
            assert (actual, plan, percent) == (cell["actual"], cell["plan"], cell["percent"]), (label, cell)
            if cell["percent"] is None:
                assert bar is None
            else:
                assert bar == (min(cell["actual"], cell["plan"]), cell["plan"])
            assert bool(notes) == (cell["differs"] or any(v != cell["plan"]
                                                          for v in cell["stated_elsewhere"].values()))
    # and the same figures as worked out by hand in test_reports.py
    for (row, measure), (_, cells) in zip(ROWS, rows):
        for line, index in (("actual", 0), ("plan", 1), ("percent", 2)):
            assert [c[index] for c in cells] == expected_cells()[(row, measure, line)], (row, measure, line)


def test_stated_totals_that_differ_are_shown_beside_the_computed_ones(client):
    _, tree = page(client, "year=2026&lang=en")
    rows = dict(table_cells(tree))
    newspaper_pages = rows["Newspaper articles: Pages"]
    assert newspaper_pages[0][1] == 28 and newspaper_pages[0][3] == ["stated 30"]
    assert [c[3] for c in newspaper_pages[1:]] == [[]] * 9
    total_pages = rows["All documents: Pages"]
    assert total_pages[0][1] == 294 and total_pages[0][3] == ["stated 296", "жиынтық кесте: 289"]
    assert total_pages[8][1] == 263 and total_pages[8][3] == ["stated 265"]
    stated_columns = {(k, m): [i for i, c in enumerate(rows_cells) if c and c[3] and c[3][0].startswith("stated")]
                      for (k, m), (_, rows_cells) in zip(ROWS, table_cells(tree))}
    for (kind, measure), columns in stated_columns.items():
        assert columns == [i for i, v in enumerate(EXPECTED_STATED.get((kind, measure), [])) if v != "."]
    assert "stated" in tree.xpath("//table[contains(@class,'plan')]//td[.//span[@class='note']]")[0].get("class")


def test_progress_bars_say_what_they_measure_and_how_the_period_stands(client):
    _, tree = page(client, "year=2026&lang=en")
    bars = tree.xpath("//table[contains(@class,'plan')]//progress")
    assert bars and all(b.get("aria-label") for b in bars)
    assert "newspaper pages in Kazakh, quarter II: 1 / 5 (20%)" in [b.get("aria-label") for b in bars]
    rows = dict(table_cells(tree))
    # on 20 May 2026: quarter I is over, II is this quarter, III and IV are to come
    newspaper = rows["Newspaper articles"]
    assert [c[5] for c in newspaper] == ["open", "open", "behind", "behind", "open", "open", "open", "open",
                                         "open", "open"]
    assert rows["Journal articles: Pages"][4][5] == "met"          # 3 of 3 in quarter II
    assert rows["Whole books"][2][5] == "none"                     # nothing planned
    assert [th.text_content().strip() for th in tree.xpath("//th[contains(@class,'current')]")][0].startswith(
        "quarter II")


def test_still_to_go_this_quarter_comes_first_and_in_the_reports_words(client):
    response, tree = page(client, "year=2026&lang=en")
    section = tree.xpath("//section[@class='to-go']")[0]
    assert squash(section.xpath("h2")[0]) == "Still to go: 2026, quarter II"
    assert [squash(li) for li in section.xpath(".//li")] == TO_GO_Q2_EN
    text = response.get_data(as_text=True)
    assert text.index("4 newspaper pages in Kazakh to go") < text.index('<table class="plan">')
    _, kk = page(client, "year=2026&lang=kk")
    assert "Газет беттері (қазақ тілінде): тағы 4" in [squash(li) for li in kk.xpath("//section[@class='to-go']//li")]


def test_summary_with_megabytes_and_the_flags(app, client):
    _, tree = page(client, "year=2026&lang=en")
    summary = tree.xpath("//table[@class='summary']/tbody/tr")
    got = {squash(tr.xpath("th")[0]): [float(squash(td)) for td in tr.xpath("td")] for tr in summary}
    names = {"Newspaper articles": "newspaper_article", "Journal articles": "journal_article",
             "Whole books": "book", "All documents": "total"}
    assert {names[k]: v for k, v in got.items()} == SUMMARY_NUMBERS
    assert [squash(li) for li in tree.xpath("//ul[@class='sentences']/li")] == SUMMARY_EN
    flags = [squash(li) for li in tree.xpath("//section[@class='flags']//li")]
    assert flags == [i["text"] for i in report_of(app).as_dict("en")["inconsistencies"]] and len(flags) == 4
    assert "Pages in all, quarter IV: the plan states 265; the sum of the rows above is 263." in flags
    _, kk = page(client, "year=2026&lang=kk")
    first = kk.xpath("//table[@class='summary']/tbody/tr")[0]
    assert [squash(td) for td in first.xpath("td")] == ["5", "0,93", "4", "0,60", "12", "9"]


def test_a_chart_per_quarter_plan_against_done(client):
    response, tree = page(client, "year=2026&lang=en")
    charts = tree.xpath("//figure[contains(@class,'chart')]")
    assert [squash(c.xpath("figcaption")[0]) for c in charts] == ["quarter I", "quarter II this quarter",
                                                                  "quarter III", "quarter IV"]
    second = charts[1].xpath("svg")[0]
    assert second.get("role") == "img" and second.get("aria-labelledby") == "chart-q2-title chart-q2-desc"
    assert squash(second.xpath("title")[0]) == "quarter II: plan / done"
    assert squash(second.xpath("desc")[0]) == "quarter II: All documents: done 2, plan 5; Pages: done 4, plan 11"
    texts = [squash(t) for t in second.xpath(".//text")]
    assert texts[:2] == ["All documents: done 2, plan 5 (40%)", "Newspaper articles"]
    assert "Pages: done 4, plan 11 (36%)" in texts
    bars = {squash(g.xpath("title")[0]): g for g in second.xpath(".//g")}
    plan, done = bars["quarter II, newspaper pages: plan 8"], bars["quarter II, newspaper pages: done 1"]
    assert squash(plan.xpath("text")[0]) == "8" and squash(done.xpath("text")[0]) == "1"
    width = lambda g: float(g.xpath("rect")[0].get("width"))
    assert width(plan) > width(done) > 0
    assert width(bars["quarter II, journal pages: plan 3"]) == width(bars["quarter II, journal pages: done 3"])
    assert width(bars["quarter II, whole books: plan 0"]) == 0
    assert bars["quarter II, journal pages: done 3"].get("class") == "bar actual met"
    assert bars["quarter II, newspaper pages: done 1"].get("class") == "bar actual open"
    first = {squash(g.xpath("title")[0]): g.get("class") for g in charts[0].xpath(".//g")}
    assert first["quarter I, newspaper pages: done 5"] == "bar actual behind"    # quarter I is over
    html = response.get_data(as_text=True)
    assert " style=" not in html and "<style" not in html and "<script" not in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]


def test_one_quarter(app, client):
    for quarter in ("II", "2", "ii"):
        _, tree = page(client, f"year=2026&quarter={quarter}&lang=en")
        assert squash(tree.xpath("//h1")[0]) == "Digitisation plan and actual, 2026, quarter II"
        rows = table_cells(tree)
        data = report_of(app, 2).as_dict("en")
        assert [[c[:3] for c in cells if c] for _, cells in rows] == \
            [[(c["actual"], c["plan"], c["percent"]) for c in r["cells"]] for r in data["rows"]
             + [data["electronic_delivery"]]]
        assert len(tree.xpath("//figure[contains(@class,'chart')]")) == 1
        assert tree.xpath("//select[@name='quarter']/option[@selected]")[0].get("value") == "2"
        assert squash(tree.xpath("//thead//th[contains(@class,'current')]")[0]) == "quarter II this quarter"
    _, fourth = page(client, "year=2026&quarter=4&lang=en")
    assert squash(fourth.xpath("//section[@class='to-go']/h2")[0]) == "Still to go: 2026, quarter IV"
    assert not fourth.xpath("//*[@class='tag']")            # on 20 May, quarter IV is not this quarter


def test_labels_in_kazakh_and_russian(client):
    _, kk = page(client, "year=2026&lang=kk")
    labels = [squash(th) for th in kk.xpath("//table[contains(@class,'plan')]/tbody/tr/th")]
    assert [re.sub(r"^.*: ", "", label) for label in labels] == ROW_LABELS_KK + ["Электрондық құжат жеткізу"]
    assert squash(kk.xpath("//h1")[0]) == "2026 жылғы цифрлау жоспарының орындалуы"
    assert kk.xpath("//div[@lang='kk']//table[contains(@class,'plan')]")
    caption = squash(kk.xpath("//table[contains(@class,'plan')]/caption")[0])
    assert caption == f"{LINE_NAMES_KK['actual']} / {LINE_NAMES_KK['plan']}, %"
    _, ru = page(client, "year=2026&lang=ru")
    assert squash(ru.xpath("//h1")[0]) == "Выполнение плана оцифровки на 2026 год"
    assert squash(ru.xpath("//section[@class='to-go']/h2")[0]) == "Осталось выполнить: 2026 год, II квартал"
    assert "Страницы газет на казахском: ещё 4" in [squash(li) for li in ru.xpath("//section[@class='to-go']//li")]


def test_the_picker_is_a_labelled_get_form_and_the_year_defaults_to_this_year(client):
    _, tree = page(client, "")
    assert squash(tree.xpath("//h1")[0]) == "2026 жылғы цифрлау жоспарының орындалуы"   # 2026, in Kazakh
    form = tree.xpath("//form[@class='filters']")[0]
    assert form.get("method") == "get" and form.get("action") == "/plan"
    for name in ("year", "quarter", "lang"):
        field = form.xpath(f".//*[@name='{name}']")[0]
        assert form.xpath(f".//label[@for='{field.get('id')}']"), name
    assert form.xpath(".//input[@name='year']")[0].get("value") == "2026"
    assert [o.get("value") for o in form.xpath(".//select[@name='lang']/option")] == ["kk", "ru", "en"]


# --- downloads ---------------------------------------------------------------------------------

def download(client, fmt: str, query: str = "year=2026&lang=kk"):
    response = client.get(f"/plan/download.{fmt}?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def test_the_page_links_every_download(client):
    _, tree = page(client, "year=2026&quarter=2&lang=ru")
    links = {a.text_content(): a.get("href") for a in tree.xpath("//nav[@class='downloads']//a")}
    assert links == {"CSV": "/plan/download.csv?year=2026&quarter=2&lang=ru",
                     "JSON": "/plan/download.json?year=2026&quarter=2&lang=ru",
                     "Excel (XLSX)": "/plan/download.xlsx?year=2026&quarter=2&lang=ru",
                     "PDF": "/plan/download.pdf?year=2026&quarter=2&lang=ru"}
    _, year = page(client, "year=2026&lang=en")
    assert year.xpath("//nav[@class='downloads']//a")[0].get("href") == "/plan/download.csv?year=2026&lang=en"


@pytest.mark.parametrize("fmt, content_type, name", [
    ("csv", "text/csv; charset=utf-8", "plan-report-2026-kk.csv"),
    ("json", "application/json; charset=utf-8", "plan-report-2026-kk.json"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "plan-report-2026-kk.xlsx"),
    ("pdf", "application/pdf", "plan-report-2026-kk.pdf"),
])
def test_downloads_are_attachments_with_the_commands_file_names(client, fmt, content_type, name):
    response = download(client, fmt)
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response.headers["Cache-Control"] == "no-store"
    quarter = download(client, fmt, "year=2026&quarter=III&lang=en")
    assert quarter.headers["Content-Disposition"] == f'attachment; filename="{name.replace("-kk", "-q3-en")}"'


def test_csv_and_json_downloads_are_the_reports(app, client):
    report = report_of(app)
    text = download(client, "csv").data.decode("utf-8")
    assert text.startswith("\ufeff") and text[1:] == render(report, "csv", "kk")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][2:5] == ["Цифрлау", "", "2026 жыл"]
    data = json.loads(download(client, "json", "year=2026&lang=en").data)
    assert data == report.as_dict("en")


def test_xlsx_download_opens_with_the_same_numbers(app, client):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(download(client, "xlsx").data))
    assert book.sheetnames == ["Жоспар", "Қорытынды"]
    values = [list(r) for r in book["Жоспар"].iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(values) if r[0] == "Цифрлау")
    table = values[header + 1: header + 1 + len(expected_grid())]
    names = {v: k for k, v in LINE_NAMES_KK.items()}
    assert [(names[r[1]], r[2:12]) for r in table] == [(line, v) for _, _, line, v in expected_grid()]
    summary = {r[0]: list(r[1:7]) for r in book["Қорытынды"].iter_rows(values_only=True)
               if r[0] in ("Газет мақалалары", "Журнал мақалалары", "Кітап толығымен", "Құжат барлығы")}
    assert list(summary.values()) == list(SUMMARY_NUMBERS.values())


def test_pdf_download_reads_back(client, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(download(client, "pdf", "year=2026&quarter=2&lang=kk").data)
    assert path.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = re.sub(r"\s+", " ", text)
    assert "2026 жылғы цифрлау жоспарының орындалуы, II тоқсан" in flat
    assert "Газет беттері (қазақ тілінде): тағы 4" in flat
    rows = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]
    # quarter II, newspaper articles: plan 3 / 3 in Kazakh, done 1 / 1, 33% / 33%
    assert any(line.endswith("жоспар 3 3") for line in rows)
    assert any(line.endswith("орындалды 1 1") for line in rows)
    assert any(line.endswith("% 33% 33%") for line in rows)


# --- no plan, bad parameters ---------------------------------------------------------------------

def test_a_year_without_a_plan_says_how_to_load_one(client):
    response, tree = page(client, "year=2027&lang=en", status=404)
    assert squash(tree.xpath("//div[@class='no-plan']/h2")[0]) == \
        "No plan for 2027 is loaded; load one with: olke plan load FILE"
    assert tree.xpath("//form[@class='filters']//input[@name='year']")[0].get("value") == "2027"
    assert [a.get("href") for a in tree.xpath("//p[@class='muted']/a")] == ["/plan?year=2026&lang=en"]
    assert not tree.xpath("//nav[@class='downloads']")
    missing = client.get("/plan/download.xlsx?year=2027")
    assert missing.status_code == 404
    assert "no plan for 2027 in the archive; load one with: olke plan load FILE" in missing.get_data(as_text=True)


@pytest.mark.parametrize("query, message", [
    ("year=abc", "“abc” is not a year the plan can have; give a year from 2000 to 2100, e.g. year=2026."),
    ("year=1999", "“1999” is not a year the plan can have"),
    ("year=２０２６", "“２０２６” is not a year the plan can have"),
    ("year=" + "9" * 5000, "“99999999999999999999” is not a year the plan can have"),
    ("year=2026&quarter=5", "“5” is not a quarter; give 1-4 or I-IV, or leave it out for the whole year."),
    ("year=2026&quarter=V", "“V” is not a quarter"),
    ("year=2026&lang=de", "“de” is not a report language; use one of: kk, ru, en."),
])
def test_bad_parameters_are_a_400_that_says_why(client, query, message):
    client.set_cookie("olke_staff_lang", "en")                   # the messages in English
    response, tree = page(client, query, status=400)
    assert message in squash(tree.xpath("//p[@role='alert']")[0])
    assert tree.xpath("//form[@class='filters']")                  # the picker, to try again
    assert client.get(f"/plan/download.pdf?{query}").status_code == 400


def test_an_unknown_download_format_is_a_400(client):
    client.set_cookie("olke_staff_lang", "en")
    response = client.get("/plan/download.docx?year=2026")
    assert response.status_code == 400
    assert "“docx” is not a download format; use one of: csv, json, xlsx, pdf." in response.get_data(as_text=True)
    assert client.get("/plan/download.table?year=2026").status_code == 400
