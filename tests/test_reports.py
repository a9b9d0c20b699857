"""The plan report, correct by construction: a catalog of known documents, every cell asserted.

The documents sit on quarter boundaries (31 December 2025 / 1 January, 31 March / 1 April,
30 June / 1 July, 30 September / 1 October, 31 December / 1 January 2027), in Kazakh and Russian;
one is OCRed again with fewer pages and a smaller PDF, one is deleted. Their PDFs have exact
sizes, so the megabytes are known too.
"""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import uuid
from datetime import date
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from PIL import Image

from archive.errors import OlkeError
from archive.metadata import Description
from archive.plans.plan import read_plan_file, save_plan
from archive.plans.formats import find_font, render
from archive.plans.report import build_report, deliveries_by_quarter
from archive.storage import StagedDocument, new_staging_dir
from cli import main
from ocr.engine import PageResult

pytestmark = pytest.mark.databases      # on SQLite and again with the catalog on PostgreSQL

DEMO_PLAN = Path(__file__).resolve().parent.parent / "plans" / "plan-2026.toml"
TODAY = date(2026, 5, 20)   # quarter II

# digitised_on, kind, language, pages, PDF bytes
DOCUMENTS = {
    "last-year": ("2025-12-31", "newspaper_article", "kaz", 2, 100_000),
    "first-day": ("2026-01-01", "newspaper_article", "kaz", 2, 210_000),
    "end-q1": ("2026-03-31", "newspaper_article", "rus", 3, 330_000),
    "start-q2": ("2026-04-01", "newspaper_article", "kaz", 1, 120_000),
    "end-q2-reocred": ("2026-06-30", "journal_article", "kaz", 4, 400_000),   # becomes 3 pages, 290 000 bytes
    "start-q3": ("2026-07-01", "journal_article", "rus", 2, 250_000),
    "end-q3": ("2026-09-30", "newspaper_article", "kaz", 4, 180_000),
    "start-q4": ("2026-10-01", "newspaper_article", "kaz", 2, 90_000),
    "last-day-book": ("2026-12-31", "book", "kaz", 40, 4_500_000),
    "next-year": ("2027-01-01", "newspaper_article", "kaz", 1, 50_000),
    "deleted": ("2026-02-15", "newspaper_article", "kaz", 5, 500_000),
}

# Every cell of the 2026 report for the documents above, worked out by hand.
# Columns: year, of which Kazakh, I, Kazakh, II, Kazakh, III, Kazakh, IV, Kazakh. "-": nothing planned.
EXPECTED = """
newspaper_article documents plan     15 10   3  2    3  3    4  2    5  3
newspaper_article documents actual    5  4   2  1    1  1    1  1    1  1
newspaper_article documents percent  33 40  67 50   33 33   25 50   20 33
newspaper_article pages     plan     28 20   8  5    8  5    7  5    5  5
newspaper_article pages     actual   12  9   5  2    1  1    4  4    2  2
newspaper_article pages     percent  43 45  63 40   13 20   57 80   40 40
journal_article   documents plan      5  3   1  0    2  1    1  1    1  1
journal_article   documents actual    2  1   0  0    1  1    1  0    0  0
journal_article   documents percent  40 33   0  -   50 100 100  0    0  0
journal_article   pages     plan     10 10   3  3    3  3    2  2    2  2
journal_article   pages     actual    5  3   0  0    3  3    2  0    0  0
journal_article   pages     percent  50 30   0  0  100 100 100  0    0  0
book              documents plan      1  1   0  0    0  0    0  0    1  1
book              documents actual    1  1   0  0    0  0    0  0    1  1
book              documents percent 100 100  -  -    -  -    -  -  100 100
book              pages     plan    256 256  0  0    0  0    0  0  256 256
book              pages     actual   40 40   0  0    0  0    0  0   40 40
book              pages     percent  16 16   -  -    -  -    -  -   16 16
total             documents plan     21 14   4  2    5  4    5  3    7  5
total             documents actual    8  6   2  1    2  2    2  1    2  2
total             documents percent  38 43  50 50   40 50   40 33   29 40
total             pages     plan    294 286 11  8   11  8    9  7  263 263
total             pages     actual   57 52   5  2    4  4    6  4   42 42
total             pages     percent  19 18  45 25   36 50   67 57   16 16
"""
# What the plan states where it differs from the computed total (same columns; "." = no difference).
EXPECTED_STATED = {("newspaper_article", "pages"): [30, ".", ".", ".", ".", ".", ".", ".", ".", "."],
                   ("total", "pages"): [296, ".", ".", ".", ".", ".", ".", ".", 265, "."]}
DELIVERIES = {"plan": [815, 250, 150, 180, 235], "actual": [0, 0, 0, 0, 0], "percent": [0, 0, 0, 0, 0]}
SUMMARY_EN = [
    "Newspaper articles: 5 (0.93 MB), of which 4 in Kazakh (0.60 MB); 12 pages, of which 9 in Kazakh.",
    "Journal articles: 2 (0.54 MB), of which 1 in Kazakh (0.29 MB); 5 pages, of which 3 in Kazakh.",
    "Whole books: 1 (4.50 MB), of which 1 in Kazakh (4.50 MB); 40 pages, of which 40 in Kazakh.",
    "All documents: 8 (5.97 MB), of which 6 in Kazakh (5.39 MB); 57 pages, of which 52 in Kazakh.",
    "Electronic document delivery: plan 815, done 0.",
]
SUMMARY_NUMBERS = {  # documents, MB, of which Kazakh, MB, pages, of which Kazakh
    "newspaper_article": [5, 0.93, 4, 0.60, 12, 9], "journal_article": [2, 0.54, 1, 0.29, 5, 3],
    "book": [1, 4.50, 1, 4.50, 40, 40], "total": [8, 5.97, 6, 5.39, 57, 52],
}
LINE_NAMES_KK = {"plan": "жоспар", "stated": "жоспарда жазылғаны", "actual": "орындалды", "percent": "%"}
ROW_LABELS_KK = ["Газет мақалалары", "Бет саны", "Журнал мақалалары", "Бет саны", "Кітап толығымен", "Бет саны",
                 "Құжат барлығы", "Бет саны"]


def expected_cells() -> dict[tuple[str, str, str], list]:
    cells = {}
    for line in EXPECTED.strip().splitlines():
        row, measure, kind, *values = line.split()
        cells[(row, measure, kind)] = [None if v == "-" else int(v) for v in values]
    return cells


def expected_grid() -> list[tuple[str, str, str, list]]:
    """(row, measure, line, values) in the order every format prints them; None for an empty cell."""
    lines = []
    for (row, measure, kind), values in expected_cells().items():
        lines.append((row, measure, kind, values))
        if kind == "plan" and (row, measure) in EXPECTED_STATED:
            lines.append((row, measure, "stated", [None if v == "." else v for v in EXPECTED_STATED[(row, measure)]]))
    kazakh_blank = lambda values: [x for v in values for x in (v, None)]
    return lines + [("electronic_delivery", "requests", k, kazakh_blank(v)) for k, v in DELIVERIES.items()]


# --- building the catalog ---------------------------------------------------------------------

def tiny_pdf(path: Path, pages: int, size: int) -> None:
    """A real PDF of ``pages`` blank pages, padded with a comment to exactly ``size`` bytes."""
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(420, 595))
    buffer = io.BytesIO()
    pdf.save(buffer)
    data = buffer.getvalue()
    assert len(data) + 2 <= size
    path.write_bytes(data + b"%" + b"0" * (size - len(data) - 2) + b"\n")


def stage(home, pages: int, size: int, originals: bool = True) -> StagedDocument:
    directory = new_staging_dir(home)
    tiny_pdf(directory / "document.pdf", pages, size)
    if originals:
        (directory / "originals").mkdir()
        Image.new("L", (20, 20), 255).save(directory / "originals" / "scan.png")
    return StagedDocument(directory, [PageResult(n, f"Өлке тарихы, {n}-бет") for n in range(1, pages + 1)], "fake")


def add(catalog, name: str, digitised_on: str, kind: str, language: str, pages: int, size: int) -> int:
    description = Description(kind=kind, title=name, language=language, digitised_on=digitised_on)
    return catalog.add_document(description, stage(catalog.home, pages, size), scan_sha256=uuid.uuid4().hex)


@pytest.fixture
def archive(catalog):
    ids = {name: add(catalog, name, *values) for name, values in DOCUMENTS.items()}
    catalog.replace_content(ids["end-q2-reocred"], stage(catalog.home, 3, 290_000, originals=False))
    catalog.delete(ids["deleted"])
    save_plan(catalog.conn, read_plan_file(DEMO_PLAN), user="tester")
    return catalog


@pytest.fixture
def report(archive):
    return build_report(archive.conn, 2026, today=TODAY)


@pytest.fixture
def olke(archive):
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, ["--home", str(archive.home.root), *map(str, args)])
    return run


# --- the numbers --------------------------------------------------------------------------------

def test_the_catalog_is_what_the_test_thinks(archive):
    reocred = archive.get(next(d.id for d in archive.documents() if d.title == "end-q2-reocred"))
    assert reocred.page_count == 3
    assert [e["action"] for e in archive.events(reocred.id)] == ["ingested", "reocred"]
    assert archive.files(reocred.id, "pdf")[0]["size_bytes"] == 290_000
    assert len(archive.documents()) == 10 and len(archive.documents(include_deleted=True)) == 11


def test_every_cell_of_the_report(report):
    assert [(r.row, r.measure) for r in report.rows] == [(k, m) for k in ("newspaper_article", "journal_article",
                                                                          "book", "total")
                                                         for m in ("documents", "pages")]
    for row in report.rows:
        got = {"plan": [c.plan for c in row.cells], "actual": [c.actual for c in row.cells],
               "percent": [c.percent for c in row.cells],
               "stated": [c.stated if c.differs else "." for c in row.cells]}
        for line in ("plan", "actual", "percent"):
            assert got[line] == expected_cells()[(row.row, row.measure, line)], (row.row, row.measure, line)
        assert got["stated"] == EXPECTED_STATED.get((row.row, row.measure), ["."] * 10), (row.row, row.measure)
    deliveries = report.deliveries
    for line, values in DELIVERIES.items():
        assert [getattr(c, line) for c in deliveries.cells] == values


def test_stated_figures_are_kept_beside_matching_totals(report):
    documents = next(r for r in report.rows if (r.row, r.measure) == ("total", "documents"))
    assert [c.stated for c in documents.cells] == [21, 14, 4, 2, 5, 4, 5, 3, 7, 5]
    pages = next(r for r in report.rows if (r.row, r.measure) == ("total", "pages"))
    assert pages.cell(0).elsewhere == {"жиынтық кесте": 289}
    newspaper = next(r for r in report.rows if (r.row, r.measure) == ("newspaper_article", "documents"))
    assert newspaper.cell(1).stated is None   # a quarter of a kind is the plan itself, not a total


def test_summary_with_megabytes_like_the_annual_report(report):
    data = report.as_dict("en")
    assert [r["text"] for r in data["summary"]["rows"]] + [data["summary"]["electronic_delivery"]["text"]] \
        == SUMMARY_EN
    for row in data["summary"]["rows"]:
        assert [row[k] for k in ("documents", "mb", "documents_kaz", "mb_kaz", "pages", "pages_kaz")] \
            == SUMMARY_NUMBERS[row["row"]]
    kk = report.as_dict("kk")["summary"]["rows"][0]["text"]
    assert kk == ("Газет мақалалары: 5 (0,93 МБ), оның ішінде қазақ тілінде 4 (0,60 МБ); 12 бет, "
                  "оның ішінде қазақ тілінде 9.")
    ru = report.as_dict("ru")["summary"]["rows"][3]["text"]
    assert ru == ("Всего документов: 8 (5,97 МБ), в т.ч. на казахском 6 (5,39 МБ); страниц 57, "
                  "в т.ч. на казахском 52.")


def test_what_is_still_to_go_this_quarter(report):
    to_go = report.as_dict("en")["to_go"]
    assert to_go["period"] == 2 and to_go["heading"] == "Still to go: 2026, quarter II"
    assert [t["text"] for t in to_go["items"]] == [
        "2 newspaper articles to go", "2 newspaper articles in Kazakh to go", "7 newspaper pages to go",
        "4 newspaper pages in Kazakh to go", "1 journal article to go", "150 electronic deliveries to go"]
    assert [t["text"] for t in report.as_dict("kk")["to_go"]["items"]][3] == "Газет беттері (қазақ тілінде): тағы 4"
    assert [t["text"] for t in report.as_dict("ru")["to_go"]["items"]][3] == "Страницы газет на казахском: ещё 4"


def test_to_go_is_the_year_for_a_past_year_and_the_quarter_asked_for(archive):
    assert build_report(archive.conn, 2026, today=date(2027, 2, 1)).to_go_period == 0
    fourth = build_report(archive.conn, 2026, quarter=4, today=TODAY)
    assert fourth.to_go_period == 4
    assert [(t.row, t.measure, t.kazakh, t.count) for t in fourth.to_go][:4] == [
        ("newspaper_article", "documents", False, 4), ("newspaper_article", "documents", True, 2),
        ("newspaper_article", "pages", False, 3), ("newspaper_article", "pages", True, 3)]


def test_what_is_left_of_a_past_period_is_not_met_rather_than_to_go(archive):
    first = build_report(archive.conn, 2026, quarter=1, today=TODAY)        # quarter I ended before TODAY
    assert first.period_over and not build_report(archive.conn, 2026, quarter=2, today=TODAY).period_over
    to_go = first.as_dict("en")["to_go"]
    assert to_go["over"] and to_go["heading"] == "Not met: 2026, quarter I"
    assert all(item["text"].endswith(" short") for item in to_go["items"]) and to_go["items"]
    assert first.as_dict("kk")["to_go"]["heading"].startswith("Орындалмай қалғаны: ")
    assert first.as_dict("ru")["to_go"]["items"][0]["text"].split(": ")[1].startswith("не хватило ")
    assert build_report(archive.conn, 2026, today=date(2027, 2, 1)).period_over       # the year, once it is over


def test_quarter_report_has_that_quarters_cells_only(archive):
    second = build_report(archive.conn, 2026, quarter=2, today=TODAY)
    assert second.columns == [(2, False), (2, True)]
    for row in second.rows:
        for line in ("plan", "actual", "percent"):
            assert [getattr(c, line) for c in row.cells] == expected_cells()[(row.row, row.measure, line)][4:6]
    assert [c.plan for c in second.deliveries.cells] == [150]
    data = second.as_dict("en")
    assert data["title"] == "Digitisation plan and actual, 2026, quarter II"
    assert data["summary"]["rows"][3]["text"] == ("All documents: 2 (0.41 MB), of which 2 in Kazakh (0.41 MB); "
                                                  "4 pages, of which 4 in Kazakh.")


def test_other_documents_get_their_own_row_and_count_in_the_total(archive):
    add(archive, "poster", "2026-05-05", "other", "rus", 1, 20_000)
    report = build_report(archive.conn, 2026, today=TODAY)
    assert [r.row for r in report.rows][6:] == ["other", "other", "total", "total"]
    other = report.rows[6]
    assert (other.cell(2).plan, other.cell(2).actual, other.cell(2).percent) == (0, 1, None)
    assert report.rows[8].cell(2).actual == 3 and report.rows[8].cell(0).actual == 9


def test_deliveries_are_zero_without_requests_and_counted_by_the_delivery_figures_once_they_exist(archive,
                                                                                                monkeypatch):
    assert deliveries_by_quarter(archive.conn, 2026) == {1: 0, 2: 0, 3: 0, 4: 0}
    archive.conn.execute("CREATE TABLE IF NOT EXISTS delivery_requests (id INTEGER PRIMARY KEY)")  # 0004 makes it
    monkeypatch.setattr("archive.plans.report.delivered_by_quarter",
                        lambda conn, year, library=None: {2: 7} if year == 2026 else {})
    report = build_report(archive.conn, 2026, today=TODAY)
    assert [(c.actual, c.percent) for c in report.deliveries.cells] == [(7, 1), (0, 0), (7, 5), (0, 0), (0, 0)]


# --- the formats --------------------------------------------------------------------------------

def test_table_format_has_every_number_and_shows_stated_beside_computed(report):
    text = render(report, "table", "kk")
    assert text.startswith("2026 жылғы цифрлау жоспарының орындалуы\n")
    table = text.split("\n\n")[1].splitlines()
    assert table[0].split() == ["Цифрлау", "2026", "жыл", "қаз.", "I", "тоқсан", "қаз.", "II", "тоқсан", "қаз.",
                                "III", "тоқсан", "қаз.", "IV", "тоқсан", "қаз."]
    assert [line.split("  ")[0] for line in table[1:] if not line.startswith(" ")] \
        == ROW_LABELS_KK + ["Электрондық құжат жеткізу"]
    names = {v: k for k, v in LINE_NAMES_KK.items()}
    got = []
    for line in table[1:]:
        values = re.sub(r"\([^)]*\)", "", line).split()
        start = next(i for i, v in enumerate(values) if v in names)
        got.append((names[values[start]], [None if v == "—" else int(v.rstrip("%")) for v in values[start + 1:]]))
    # deliveries have no Kazakh columns: those cells are empty; "—" is a percent where nothing was planned
    assert got == [(line, [v for v in values if v is not None] if row == "electronic_delivery" else values)
                   for row, _, line, values in expected_grid() if line != "stated"]
    assert "28 (жоспарда 30)" in text
    assert "294 (жоспарда 296; жиынтық кесте: 289)" in text
    assert "263 (жоспарда 265)" in text
    en = render(report, "table", "en")
    assert "294 (stated 296; жиынтық кесте: 289)" in en
    assert "  Pages in all, quarter IV: the plan states 265; the sum of the rows above is 263." in en.splitlines()


def test_csv_has_every_number(report):
    rows = list(csv.reader(io.StringIO(render(report, "csv", "kk"))))
    assert rows[0] == ["row", "measure", "Цифрлау", "", "2026 жыл", "оның ішінде қазақ тілінде", "I тоқсан",
                       "оның ішінде қазақ тілінде", "II тоқсан", "оның ішінде қазақ тілінде", "III тоқсан",
                       "оның ішінде қазақ тілінде", "IV тоқсан", "оның ішінде қазақ тілінде"]
    table = rows[1:1 + len(expected_grid())]
    names = {v: k for k, v in LINE_NAMES_KK.items()}
    got = [(r[0], r[1], names[r[3]], [int(v) if v else None for v in r[4:]]) for r in table]
    assert got == expected_grid()
    summary = {r[0]: [float(v) for v in r[4:]] for r in rows if r and r[0] in SUMMARY_NUMBERS and len(r) == 10}
    assert summary == SUMMARY_NUMBERS


def test_json_is_the_report_as_data(report):
    data = json.loads(render(report, "json", "ru"))
    assert data["year"] == 2026 and data["quarter"] is None and data["lang"] == "ru"
    assert [c["label"] for c in data["columns"]][:4] == ["2026 год", "в т.ч. на казахском", "I квартал",
                                                          "в т.ч. на казахском"]
    pages = next(r for r in data["rows"] if (r["row"], r["measure"]) == ("total", "pages"))
    assert pages["label"] == "Количество страниц"
    assert pages["cells"][0] == {"quarter": 0, "kazakh": False, "plan": 294, "stated": 296, "differs": True,
                                 "stated_elsewhere": {"жиынтық кесте": 289}, "actual": 57, "percent": 19,
                                 "to_go": 237}
    assert len(data["inconsistencies"]) == 4
    assert data["inconsistencies"][2]["text"] == "Всего страниц, IV квартал: в плане 265, а сумма строк выше — 263."


def test_xlsx_opens_with_the_same_numbers(report):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(render(report, "xlsx", "kk")))
    assert book.sheetnames == ["Жоспар", "Қорытынды"]
    sheet = book["Жоспар"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(values) if r[0] == "Цифрлау")
    table = values[header + 1: header + 1 + len(expected_grid())]
    names = {v: k for k, v in LINE_NAMES_KK.items()}
    assert [(names[r[1]], r[2:12]) for r in table] == [(line, v) for _, _, line, v in expected_grid()]
    assert [r[0] for r in table if r[0]] == ROW_LABELS_KK + ["Электрондық құжат жеткізу"]
    stated_row = header + 1 + next(i for i, g in enumerate(expected_grid()) if g[2] == "stated") + 1
    assert sheet.cell(stated_row, 3).fill.fgColor.rgb.endswith("FFECA0")
    summary = book["Қорытынды"]
    rows = {r[0]: list(r[1:7]) for r in summary.iter_rows(values_only=True) if r[0] in (
        "Газет мақалалары", "Журнал мақалалары", "Кітап толығымен", "Құжат барлығы")}
    assert list(rows.values()) == list(SUMMARY_NUMBERS.values())


@pytest.fixture
def pdf_text(report, tmp_path):
    find_font()   # skips nothing: the PDF needs a Kazakh font, and the test says so if missing
    path = tmp_path / "report.pdf"
    path.write_bytes(render(report, "pdf", "kk"))

    def page(number: int) -> str:
        return subprocess.run(["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(path), "-"],
                              capture_output=True, text=True, check=True).stdout
    return page


def test_pdf_reads_back_with_the_same_numbers(pdf_text):
    first = pdf_text(1)
    assert "2026 жылғы цифрлау жоспарының орындалуы" in first
    lines = []
    for line in first.splitlines():
        text = re.sub(r"\s+", " ", line).strip()
        match = re.search(r"(?:^| )(жоспарда жазылғаны|жоспар|орындалды|%)((?: (?:\d+%?|—))+)$", text)
        if match:
            lines.append((match.group(1), [None if v == "—" else int(v.rstrip("%")) for v in match.group(2).split()]))
    names = {v: k for k, v in LINE_NAMES_KK.items()}
    expected = [(line, [v for v in values if v is not None]) for _, _, line, values in expected_grid()]
    # a percent is printed "—" where nothing was planned; those come back as None here
    assert [(names[n], [v for v in values if v is not None]) for n, values in lines] == expected
    for label in [*dict.fromkeys(ROW_LABELS_KK), "Электрондық"]:
        assert label in first


def test_pdf_without_a_kazakh_font_says_which_package_to_install(report, monkeypatch, tmp_path):
    monkeypatch.setattr("archive.plans.formats.FONTS", ((str(tmp_path / "none.ttf"), str(tmp_path / "b.ttf")),))
    with pytest.raises(OlkeError) as raised:
        render(report, "pdf", "kk")
    assert raised.value.exit_code == 7
    assert str(raised.value) == ("no font with every Kazakh letter for the PDF report; install the Debian package "
                                 "fonts-paratype (or fonts-dejavu-core)")


def test_pdf_summary_page(pdf_text):
    second = pdf_text(2)
    assert "Қорытынды: 2026 жыл" in second
    rows = {}
    for line in second.splitlines():
        parts = re.split(r"\s{2,}", line.strip())
        if parts[0] in ROW_LABELS_KK[::2] and len(parts) == 7:
            rows[parts[0]] = [float(p.replace(",", ".")) for p in parts[1:]]
    assert list(rows.values()) == list(SUMMARY_NUMBERS.values())
    flat = re.sub(r"\s+", " ", second)
    assert "Газет беттері (қазақ тілінде): тағы" in flat
    assert "Бет барлығы, IV тоқсан: жоспарда 265, ал жоғарыдағы жолдардың қосындысы 263." in flat


# --- the command ---------------------------------------------------------------------------------

def test_cli_offers_every_language_and_format():
    import cli.plan
    import archive.plans.formats
    import archive.plans.report

    assert cli.plan.LANGUAGES == archive.plans.report.LANGUAGES == ("kk", "ru", "en")
    from archive import i18n
    assert all(not i18n.missing(language, archive.plans.report.messages()) for language in ("kk", "ru"))
    assert cli.plan.FORMATS == archive.plans.formats.FORMATS


def test_cli_report_table_by_default_in_kazakh(olke):
    result = olke("plan", "report", "--year", "2026")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("2026 жылғы цифрлау жоспарының орындалуы\nЦифрлау жоспары, 2026 жыл\n")
    assert "294 (жоспарда 296; жиынтық кесте: 289)" in result.stdout


@pytest.mark.parametrize("fmt", ["xlsx", "pdf", "csv", "json", "table"])
def test_cli_report_writes_each_format(olke, tmp_path, fmt):
    output = tmp_path / f"report.{fmt}"
    result = olke("plan", "report", "--year", "2026", "--quarter", "II", "--format", fmt, "--lang", "ru",
                  "--output", output)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote {output}\n"
    head = output.read_bytes()[:8]
    assert {"xlsx": head.startswith(b"PK"), "pdf": head.startswith(b"%PDF"), "csv": head.startswith(b"\xef\xbb\xbf"),
            "json": head.startswith(b"{"), "table": head.startswith("Вып".encode())}[fmt]


def test_cli_report_binary_formats_default_to_a_file_name(olke, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = olke("plan", "report", "--year", "2026", "--quarter", "4", "--format", "xlsx")
    assert (result.exit_code, result.stdout) == (0, "Wrote plan-report-2026-q4-kk.xlsx\n")
    assert (tmp_path / "plan-report-2026-q4-kk.xlsx").exists()


def test_cli_report_json_on_stdout(olke):
    result = olke("plan", "report", "--year", "2026", "--quarter", "1", "--format", "json", "--lang", "en")
    data = json.loads(result.stdout)
    assert [c["actual"] for c in data["rows"][0]["cells"]] == [2, 1]


@pytest.mark.parametrize("args, code, message", [
    (["--year", "2027"], 3, "olke: error: no plan for 2027 in the archive; load one with: olke plan load FILE\n"),
    (["--year", "2026", "--quarter", "5"], 2, "'5' is not a quarter; use 1-4 or I-IV"),
    (["--year", "2026", "--format", "docx"], 2, "Invalid value for '--format'"),
    (["--year", "2026", "--lang", "de"], 2, "Invalid value for '--lang'"),
])
def test_cli_report_errors(olke, args, code, message):
    result = olke("plan", "report", *args)
    assert result.exit_code == code
    assert message in result.stderr


def test_cli_report_unwritable_output(olke, tmp_path):
    target = tmp_path / "no-such-folder" / "r.pdf"
    result = olke("plan", "report", "--year", "2026", "--format", "pdf", "--output", target)
    assert result.exit_code == 2
    assert result.stderr == f"olke: error: {target}: cannot write the report: No such file or directory\n"
