"""The digitisation plan: the TOML layout, what is kept as stated, what is flagged, loading and reloading."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.plans.plan import (COLUMNS, DELIVERY, Inconsistency, InvalidPlan, get_plan, list_plans, parse_plan,
                                read_plan_file, save_plan)

pytestmark = pytest.mark.databases      # on SQLite and again with the catalog on PostgreSQL

DEMO_PLAN = Path(__file__).resolve().parent.parent / "plans" / "plan-2026.toml"
SMALL_PLAN = """\
year = 2025
[digitisation]
newspaper_article.documents = [4, 2, 1, 1, 1, 0, 1, 1, 1, 0]
newspaper_article.pages     = [8, 4, 2, 1, 2, 1, 2, 1, 2, 1]
"""


@pytest.fixture
def write(tmp_path):
    def write(text: str, name: str = "plan.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return write


def test_demo_plan_is_kept_exactly_as_the_library_stated_it():
    plan = read_plan_file(DEMO_PLAN)
    assert plan.year == 2026
    table = {  # the table in DESIGN.md, row by row
        ("newspaper_article", "documents"): [15, 10, 3, 2, 3, 3, 4, 2, 5, 3],
        ("newspaper_article", "pages"): [30, 20, 8, 5, 8, 5, 7, 5, 5, 5],
        ("journal_article", "documents"): [5, 3, 1, 0, 2, 1, 1, 1, 1, 1],
        ("journal_article", "pages"): [10, 10, 3, 3, 3, 3, 2, 2, 2, 2],
        ("book", "documents"): [1, 1, 0, 0, 0, 0, 0, 0, 1, 1],
        ("book", "pages"): [256, 256, 0, 0, 0, 0, 0, 0, 256, 256],
        ("total", "documents"): [21, 14, 4, 2, 5, 4, 5, 3, 7, 5],
        ("total", "pages"): [296, 286, 11, 8, 11, 8, 9, 7, 265, 263],
    }
    for (row, measure), figures in table.items():
        assert [plan.stated(row, measure, q, k) for q, k in COLUMNS] == figures, (row, measure)
    assert [plan.stated(DELIVERY, "requests", q) for q in range(5)] == [815, 250, 150, 180, 235]
    assert [(e.where, e.measure, e.kazakh, e.value) for e in plan.elsewhere] == [("жиынтық кесте", "pages", False,
                                                                                   289)]


def test_totals_are_computed_from_the_quarters_of_the_kinds():
    plan = read_plan_file(DEMO_PLAN)
    assert plan.planned("newspaper_article", "pages", 0) == 28
    assert plan.planned("newspaper_article", "pages", 0, kazakh=True) == 20
    assert [plan.planned("total", "pages", q) for q in range(5)] == [294, 11, 11, 9, 263]
    assert [plan.planned("total", "pages", q, True) for q in range(5)] == [286, 8, 8, 7, 263]
    assert [plan.planned("total", "documents", q) for q in range(5)] == [21, 4, 5, 5, 7]
    assert [plan.planned("total", "documents", q, True) for q in range(5)] == [14, 2, 4, 3, 5]
    assert plan.planned(DELIVERY, "requests", 0) == 815


def test_every_place_where_the_demo_plan_does_not_add_up_is_flagged():
    assert read_plan_file(DEMO_PLAN).inconsistencies() == [
        Inconsistency("newspaper_article", "pages", 0, False, stated=30, computed=28),
        Inconsistency("total", "pages", 0, False, stated=296, computed=294),
        Inconsistency("total", "pages", 4, False, stated=265, computed=263),
        Inconsistency("total", "pages", 0, False, stated=289, computed=294, where="жиынтық кесте"),
    ]


def test_kazakh_figure_above_its_total_is_flagged_not_refused():
    plan = parse_plan(SMALL_PLAN.replace("[4, 2, 1, 1,", "[4, 2, 1, 3,"), "p.toml")
    assert Inconsistency("newspaper_article", "documents", 1, True, stated=3, computed=1,
                         problem="kazakh_exceeds") in plan.inconsistencies()


def test_plan_round_trips_through_the_catalog(catalog):
    plan = read_plan_file(DEMO_PLAN)
    assert save_plan(catalog.conn, plan, user="bibliographer") is None
    stored = get_plan(catalog.conn, 2026)
    assert stored.rows == plan.rows and stored.deliveries == plan.deliveries and stored.elsewhere == plan.elsewhere
    assert stored.source_text == DEMO_PLAN.read_text(encoding="utf-8")
    assert stored.loaded_by == "bibliographer" and stored.loaded_at == plan.loaded_at
    assert stored.inconsistencies() == plan.inconsistencies()


def test_reload_replaces_the_years_plan_and_records_each_load(catalog, write):
    first = read_plan_file(write(SMALL_PLAN))
    save_plan(catalog.conn, first)
    edited = read_plan_file(write(SMALL_PLAN.replace("[8, 4, 2,", "[9, 4, 3,"), "edited.toml"))
    previous = save_plan(catalog.conn, edited)
    assert previous.loaded_at == first.loaded_at and previous.stated("newspaper_article", "pages", 1) == 2
    assert get_plan(catalog.conn, 2025).stated("newspaper_article", "pages", 1) == 3
    assert catalog.conn.execute("SELECT COUNT(*) FROM plans").fetchone()[0] == 1
    loads = catalog.conn.execute("SELECT source_name FROM plan_loads ORDER BY id").fetchall()
    assert [Path(r[0]).name for r in loads] == ["plan.toml", "edited.toml"]
    assert list_plans(catalog.conn)[0]["loads"] == 2


def test_a_failed_reload_leaves_the_old_plan(catalog, write):
    save_plan(catalog.conn, read_plan_file(write(SMALL_PLAN)))
    broken = read_plan_file(write(SMALL_PLAN))
    broken.rows[("newspaper_article", "pages")][(1, False)] = -1   # the database refuses it mid-way
    with pytest.raises(Exception):
        save_plan(catalog.conn, broken)
    assert get_plan(catalog.conn, 2025).stated("newspaper_article", "pages", 1) == 2
    assert catalog.conn.execute("SELECT COUNT(*) FROM plan_loads").fetchone()[0] == 1


@pytest.mark.parametrize("text, message", [
    (SMALL_PLAN.replace("newspaper_article.pages", "newspaper.pages"),
     "unknown kind 'newspaper' in [digitisation]; use one of: newspaper_article, journal_article, book, other, total"),
    (SMALL_PLAN.replace("newspaper_article.pages", "newspaper_article.words"),
     "unknown measure 'newspaper_article.words' in [digitisation]; use newspaper_article.documents or "
     "newspaper_article.pages"),
    (SMALL_PLAN.replace("[8, 4, 2, 1, 2, 1,", "[8, 4, 2, 1, 2, -1,"),
     "newspaper_article.pages: quarter II (of which Kazakh) is -1; figures are whole numbers, 0 or more"),
    (SMALL_PLAN.replace("[4, 2,", "[-4, 2,"),
     "newspaper_article.documents: the year is -4; figures are whole numbers, 0 or more"),
    (SMALL_PLAN.replace("[4, 2,", "[4.5, 2,"),
     "newspaper_article.documents: the year is 4.5; figures are whole numbers, 0 or more"),
    (SMALL_PLAN.replace("[4, 2,", "[\"4\", 2,"),
     "newspaper_article.documents: the year is '4'; figures are whole numbers, 0 or more"),
    (SMALL_PLAN.replace("[8, 4, 2, 1,", "[8, 4, 2,"),
     "newspaper_article.pages has 9 figures; write ten figures: year, of which Kazakh, then I, Kazakh, II, "
     "Kazakh, III, Kazakh, IV, Kazakh"),
    (SMALL_PLAN.replace("pages     = [", "pages     = = ["),
     "not valid TOML: Invalid value (at line 4, column 31)"),
    (SMALL_PLAN.replace("year = 2025\n", ""), "no year; start the file with a line such as: year = 2026"),
    (SMALL_PLAN.replace("year = 2025", "year = \"2025\""),
     "year must be a whole number such as 2026, not '2025'"),
    (SMALL_PLAN.replace("year = 2025", "year = 20250"),
     "year 20250 is not a plan year; use a year from 2000 to 2100"),
    (SMALL_PLAN.replace("year = 2025", "year = 2025\nlibrarian = \"A.\""),
     "unknown key 'librarian'; a plan file has year, title, library, [digitisation], [electronic_delivery] and "
     "[[also_stated]]"),
    ("year = 2025\n", "no [digitisation] table; add one row per kind and measure, e.g. "
                      "newspaper_article.documents = [15, 10, 3, 2, 3, 3, 4, 2, 5, 3]"),
    (SMALL_PLAN + "[electronic_delivery]\nrequests = [815, 250, 150]\n",
     "electronic_delivery.requests must have five figures; write requests = [year, I, II, III, IV], "
     "e.g. requests = [815, 250, 150, 180, 235]"),
    (SMALL_PLAN + "[[also_stated]]\npages = 289\n",
     "each [[also_stated]] needs where = \"...\" naming the part of the plan that states the figures"),
])
def test_plan_file_errors_are_one_exact_line(olke, write, text, message):
    path = write(text)
    result = olke("plan", "load", path)
    assert result.exit_code == 2
    assert result.stderr == f"olke: error: {path}: {message}\n"
    assert result.stdout == ""


def test_plan_file_for_another_year_is_refused(olke):
    result = olke("plan", "load", DEMO_PLAN, "--year", "2025")
    assert result.exit_code == 2
    assert result.stderr == (f"olke: error: {DEMO_PLAN}: the file is the plan for 2026, not 2025; "
                             "load the right file or change --year\n")


def test_plan_file_not_utf8_or_missing(olke, write, tmp_path):
    latin = tmp_path / "latin.toml"
    latin.write_bytes("year = 2025\ntitle = \"Жоспар\"\n".encode("cp1251"))
    result = olke("plan", "load", latin)
    assert (result.exit_code, result.stderr) == (2, f"olke: error: {latin}: the file is not UTF-8 text; "
                                                    "save it as UTF-8\n")
    result = olke("plan", "load", tmp_path / "nothing.toml")
    assert result.exit_code == 2
    assert result.stderr == (f"olke: error: {tmp_path / 'nothing.toml'}: no such file; give the path of a plan "
                             "TOML file, e.g. plans/plan-2026.toml\n")


def test_cli_load_tells_what_does_not_add_up_then_reload_says_it_replaced(olke):
    result = olke("plan", "load", DEMO_PLAN)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Loaded the 2026 plan from {DEMO_PLAN}.\n"
        "The plan does not add up in 4 places; its figures are kept as stated and reports show both:\n"
        "  - Newspaper pages, the year: the plan states 30; the sum of its quarters is 28.\n"
        "  - Pages in all, the year: the plan states 296; the sum of the quarters of the rows above is 294.\n"
        "  - Pages in all, quarter IV: the plan states 265; the sum of the rows above is 263.\n"
        "  - Pages in all, the year (жиынтық кесте): the plan states 289; the sum of the quarters of the rows "
        "above is 294.\n")
    again = olke("plan", "load", DEMO_PLAN)
    assert again.exit_code == 0
    assert again.stdout.startswith(f"Loaded the 2026 plan from {DEMO_PLAN}, replacing the one loaded 20")
    assert olke("plan", "list").stdout.startswith(f"2026  {DEMO_PLAN}  loaded 20")
    assert "(2 loads)" in olke("plan", "list").stdout


def test_cli_show_in_the_librarys_layout(olke):
    olke("plan", "load", DEMO_PLAN)
    result = olke("plan", "show", "--year", "2026")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[2].split() == ["Цифрлау", "2026", "жыл", "қаз.", "I", "тоқсан", "қаз.", "II", "тоқсан", "қаз.",
                                "III", "тоқсан", "қаз.", "IV", "тоқсан", "қаз."]
    assert lines[3].split() == ["Газет", "мақалалары", "15", "10", "3", "2", "3", "3", "4", "2", "5", "3"]
    assert lines[4].split() == ["Бет", "саны", "28", "(жоспарда", "30)", "20", "8", "5", "8", "5", "7", "5", "5",
                                "5"]
    assert lines[10].split() == ["Бет", "саны", "294", "(жоспарда", "296)", "286", "11", "8", "11", "8", "9", "7",
                                 "263", "(жоспарда", "265)", "263"]
    assert lines[11].split() == ["Электрондық", "құжат", "жеткізу", "815", "250", "150", "180", "235"]
    assert "жиынтық кесте: бет барлығы = 289" in result.stdout
    assert "  Газет беттері, жыл: жоспарда 30, ал тоқсандардың қосындысы 28." in lines


def test_cli_show_toml_gives_back_the_file_to_edit_and_json_the_figures(olke):
    olke("plan", "load", DEMO_PLAN)
    assert olke("plan", "show", "--year", "2026", "--toml").stdout == DEMO_PLAN.read_text(encoding="utf-8")
    data = json.loads(olke("plan", "show", "--year", "2026", "--json").stdout)
    pages = next(r for r in data["rows"] if (r["row"], r["measure"]) == ("total", "pages"))
    assert pages["stated"] == [296, 286, 11, 8, 11, 8, 9, 7, 265, 263]
    assert pages["planned"] == [294, 286, 11, 8, 11, 8, 9, 7, 263, 263]
    assert len(data["inconsistencies"]) == 4


def test_cli_show_without_a_plan(olke):
    result = olke("plan", "show", "--year", "2031")
    assert result.exit_code == 3
    assert result.stderr == "olke: error: no plan for 2031 in the archive; load one with: olke plan load FILE\n"
    assert olke("plan", "list").stdout == "No plans loaded. Load one with: olke plan load FILE\n"


@pytest.mark.parametrize("command", [[], ["load"], ["show"], ["list"], ["report"]])
def test_every_plan_command_has_an_example(olke, command):
    result = olke("plan", *command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout


def test_invalid_plan_is_a_usage_error():
    assert InvalidPlan("x").exit_code == 2
