"""A year's digitisation plan as the library states it: read from TOML, kept in the catalog.

The plan file mirrors the library's table: per kind and measure a row of ten figures — the year,
of which in Kazakh, then quarters I–IV each followed by its Kazakh figure. The kinds' quarter
figures are the plan. Every total (a kind's year, the all-documents rows, the year's deliveries)
is computed from them; what the library wrote for a total is kept beside it, never corrected, so
a report can show both and say where the plan does not add up.
"""
from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from archive.catalog import current_user, now
from archive.db import Connection, transaction
from archive.errors import InvalidPlan, NotFound
from archive.libraries import resolve as resolve_library
from archive.vocabulary import KINDS

MEASURES = ("documents", "pages")
TOTAL = "total"
DELIVERY = "electronic_delivery"
DELIVERY_MEASURE = "requests"
YEAR = 0                      # the "quarter" number that stands for the whole year
QUARTERS = (1, 2, 3, 4)
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
COLUMNS = tuple((quarter, kazakh) for quarter in (YEAR, *QUARTERS) for kazakh in (False, True))
LIBRARY_KINDS = tuple(kind for kind in KINDS if kind != "other")   # the rows of the library's table
PLAN_YEARS = range(2000, 2101)
TOP_KEYS = ("year", "title", "library", "digitisation", "electronic_delivery", "also_stated")
ROW_SHAPE = "ten figures: year, of which Kazakh, then I, Kazakh, II, Kazakh, III, Kazakh, IV, Kazakh"
ALSO_STATED_KEYS = {"documents": ("documents", False), "documents_kaz": ("documents", True),
                    "pages": ("pages", False), "pages_kaz": ("pages", True)}


@dataclass(frozen=True)
class StatedElsewhere:
    """A year total the plan states again somewhere else, e.g. in its summary table."""

    where: str
    measure: str
    kazakh: bool
    value: int


@dataclass(frozen=True)
class Inconsistency:
    """A place where the plan does not add up. For ``problem == "total"``, ``stated`` is the
    library's total and ``computed`` the sum of its parts; for ``"kazakh_exceeds"``, ``stated`` is
    the "of which Kazakh" figure and ``computed`` the total it exceeds."""

    row: str
    measure: str
    quarter: int
    kazakh: bool
    stated: int
    computed: int
    problem: str = "total"
    where: str = ""


@dataclass
class Plan:
    year: int
    rows: dict[tuple[str, str], dict[tuple[int, bool], int]]   # (kind or total, measure) → stated figures
    deliveries: dict[int, int] = field(default_factory=dict)    # quarter (0 = year) → stated figure
    elsewhere: list[StatedElsewhere] = field(default_factory=list)
    title: str | None = None
    library: str | None = None
    source_name: str = ""
    source_text: str = ""
    loaded_at: str | None = None
    loaded_by: str | None = None
    library_code: str | None = None     # the library whose plan it is (archive.libraries); None: the default

    def stated(self, row: str, measure: str, quarter: int, kazakh: bool = False) -> int | None:
        if row == DELIVERY:
            return None if kazakh else self.deliveries.get(quarter)
        return self.rows.get((row, measure), {}).get((quarter, kazakh))

    def planned(self, row: str, measure: str, quarter: int, kazakh: bool = False) -> int:
        """The plan's figure: a kind's quarter as stated; every total as the sum of its parts."""
        if row == TOTAL:
            return sum(self.planned(kind, measure, quarter, kazakh) for kind in KINDS)
        if quarter == YEAR:
            return sum(self.planned(row, measure, q, kazakh) for q in QUARTERS)
        return self.stated(row, measure, quarter, kazakh) or 0

    def has_kind(self, kind: str) -> bool:
        return any(any(self.rows.get((kind, m), {}).values()) for m in MEASURES)

    def inconsistencies(self) -> list[Inconsistency]:
        found = []
        cells = [(row, m) for row in (*KINDS, TOTAL) for m in MEASURES] + [(DELIVERY, DELIVERY_MEASURE)]
        for row, measure in cells:
            for quarter, kazakh in COLUMNS:
                stated = self.stated(row, measure, quarter, kazakh)
                if stated is None or not is_total(row, quarter):
                    continue
                computed = self.planned(row, measure, quarter, kazakh)
                if stated != computed:
                    found.append(Inconsistency(row, measure, quarter, kazakh, stated, computed))
            for quarter in (YEAR, *QUARTERS):
                total, kazakh = self.stated(row, measure, quarter), self.stated(row, measure, quarter, True)
                if total is not None and kazakh is not None and kazakh > total:
                    found.append(Inconsistency(row, measure, quarter, True, kazakh, total, "kazakh_exceeds"))
        for other in self.elsewhere:
            computed = self.planned(TOTAL, other.measure, YEAR, other.kazakh)
            if other.value != computed:
                found.append(Inconsistency(TOTAL, other.measure, YEAR, other.kazakh, other.value, computed,
                                           where=other.where))
        return found

    def as_dict(self) -> dict:
        return {
            "year": self.year, "title": self.title, "library": self.library, "source_name": self.source_name,
            "loaded_at": self.loaded_at, "loaded_by": self.loaded_by,
            "rows": [{"row": row, "measure": measure,
                      "stated": [self.stated(row, measure, q, k) for q, k in COLUMNS],
                      "planned": [self.planned(row, measure, q, k) for q, k in COLUMNS]}
                     for row, measure in self.rows],
            "electronic_delivery": {"stated": [self.deliveries.get(q) for q in (YEAR, *QUARTERS)],
                                    "planned": [self.planned(DELIVERY, DELIVERY_MEASURE, q)
                                                for q in (YEAR, *QUARTERS)]},
            "also_stated": [vars(e) for e in self.elsewhere],
            "inconsistencies": [vars(i) for i in self.inconsistencies()],
        }


def is_total(row: str, quarter: int) -> bool:
    """Whether the plan's figure for this cell is computed from others (a total)."""
    return row == TOTAL or quarter == YEAR


# --- reading a plan file -----------------------------------------------------------------------

def read_plan_file(path: Path, expect_year: int | None = None) -> Plan:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InvalidPlan("no such file; give the path of a plan TOML file, e.g. plans/plan-2026.toml",
                          path) from None
    except UnicodeDecodeError:
        raise InvalidPlan("the file is not UTF-8 text; save it as UTF-8", path) from None
    return parse_plan(text, str(path), expect_year)


def parse_plan(text: str, source_name: str, expect_year: int | None = None) -> Plan:
    def fail(message: str):
        raise InvalidPlan(message, source_name)

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        fail(f"not valid TOML: {error}")
    for key in data:
        if key not in TOP_KEYS:
            fail(f"unknown key '{key}'; a plan file has year, title, library, [digitisation], "
                 "[electronic_delivery] and [[also_stated]]")
    year = _year(data, fail, expect_year)
    rows = _rows(data.get("digitisation"), fail)
    plan = Plan(year, rows, _deliveries(data.get("electronic_delivery", {}), fail),
                _also_stated(data.get("also_stated", []), fail), source_name=source_name, source_text=text)
    for key in ("title", "library"):
        if not isinstance(data.get(key, ""), str):
            fail(f"{key} must be text in quotes, e.g. {key} = \"...\"")
        setattr(plan, key, data.get(key) or None)
    return plan


def _year(data: dict, fail, expect_year: int | None) -> int:
    if "year" not in data:
        fail("no year; start the file with a line such as: year = 2026")
    year = data["year"]
    if not isinstance(year, int) or isinstance(year, bool):
        fail(f"year must be a whole number such as 2026, not {year!r}")
    if year not in PLAN_YEARS:
        fail(f"year {year} is not a plan year; use a year from {PLAN_YEARS.start} to {PLAN_YEARS.stop - 1}")
    if expect_year is not None and year != expect_year:
        fail(f"the file is the plan for {year}, not {expect_year}; load the right file or change --year")
    return year


def _rows(table, fail) -> dict[tuple[str, str], dict[tuple[int, bool], int]]:
    if not isinstance(table, dict):
        fail("no [digitisation] table; add one row per kind and measure, e.g. "
             "newspaper_article.documents = [15, 10, 3, 2, 3, 3, 4, 2, 5, 3]")
    rows = {}
    for kind, measures in table.items():
        if kind not in (*KINDS, TOTAL):
            fail(f"unknown kind '{kind}' in [digitisation]; use one of: {', '.join((*KINDS, TOTAL))}")
        if not isinstance(measures, dict):
            fail(f"'{kind}' in [digitisation] needs rows {kind}.documents and {kind}.pages, "
                 f"each with {ROW_SHAPE}")
        for measure, figures in measures.items():
            if measure not in MEASURES:
                fail(f"unknown measure '{kind}.{measure}' in [digitisation]; use {kind}.documents or {kind}.pages")
            name = f"{kind}.{measure}"
            if not isinstance(figures, list) or len(figures) != len(COLUMNS):
                count = f"has {len(figures)} figures" if isinstance(figures, list) else "is not a list"
                fail(f"{name} {count}; write {ROW_SHAPE}")
            rows[(kind, measure)] = {column: _figure(name, _column_name(*column), value, fail)
                                     for column, value in zip(COLUMNS, figures)}
    return rows


def _deliveries(table, fail) -> dict[int, int]:
    shape = "requests = [year, I, II, III, IV], e.g. requests = [815, 250, 150, 180, 235]"
    if not isinstance(table, dict):
        fail(f"[electronic_delivery] must be a table with {shape}")
    for key in table:
        if key != DELIVERY_MEASURE:
            fail(f"unknown key '{key}' in [electronic_delivery]; write {shape}")
    if DELIVERY_MEASURE not in table:
        return {}
    figures = table[DELIVERY_MEASURE]
    if not isinstance(figures, list) or len(figures) != 5:
        fail(f"electronic_delivery.requests must have five figures; write {shape}")
    return {quarter: _figure("electronic_delivery.requests", _column_name(quarter, False), value, fail)
            for quarter, value in zip((YEAR, *QUARTERS), figures)}


def _also_stated(entries, fail) -> list[StatedElsewhere]:
    if not isinstance(entries, list):
        fail("also_stated must be written as [[also_stated]] tables")
    found, seen = [], set()
    for entry in entries:
        where = entry.get("where") if isinstance(entry, dict) else None
        if not isinstance(where, str) or not where.strip():
            fail('each [[also_stated]] needs where = "..." naming the part of the plan that states the figures')
        for key, value in entry.items():
            if key == "where":
                continue
            if key not in ALSO_STATED_KEYS:
                fail(f"unknown key '{key}' in [[also_stated]] '{where}'; use {', '.join(ALSO_STATED_KEYS)}")
            if (where, key) in seen:
                fail(f"[[also_stated]] '{where}' states {key} twice")
            seen.add((where, key))
            measure, kazakh = ALSO_STATED_KEYS[key]
            found.append(StatedElsewhere(where.strip(), measure, kazakh,
                                         _figure(f"also_stated '{where}'", key, value, fail)))
    return found


def _figure(row: str, column: str, value, fail) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        fail(f"{row}: {column} is {value!r}; figures are whole numbers, 0 or more")
    return value


def _column_name(quarter: int, kazakh: bool) -> str:
    name = "the year" if quarter == YEAR else f"quarter {ROMAN[quarter]}"
    return f"{name} (of which Kazakh)" if kazakh else name


# --- the plan in the catalog -------------------------------------------------------------------



def save_plan(conn: Connection, plan: Plan, user: str | None = None) -> Plan | None:
    """Store ``plan`` in place of its library's plan for the year, in one transaction; returns the plan it
    replaced."""
    plan.loaded_at, plan.loaded_by = now(), user or current_user()
    figures = [(row, measure, q, int(k), value, "") for (row, measure), cells in plan.rows.items()
               for (q, k), value in cells.items()]
    figures += [(DELIVERY, DELIVERY_MEASURE, q, 0, value, "") for q, value in plan.deliveries.items()]
    figures += [(TOTAL, e.measure, YEAR, int(e.kazakh), e.value, e.where) for e in plan.elsewhere]
    columns = ("row", "measure", "quarter", "kazakh", "value", "stated_in")
    with transaction(conn):
        library = plan.library_code = resolve_library(conn, plan.library_code)
        try:
            previous = get_plan(conn, plan.year, library)
        except NotFound:
            previous = None
        keys = {"library": library, "year": plan.year}
        conn.execute("DELETE FROM plan_figures WHERE library = :library AND year = :year", keys)
        conn.execute("DELETE FROM plans WHERE library = :library AND year = :year", keys)
        conn.execute("INSERT INTO plans (library, year, title, library_name, source_name, source_text, loaded_at,"
                     " loaded_by) VALUES (:library, :year, :title, :library_name, :source_name, :source_text,"
                     " :loaded_at, :loaded_by)",
                     {**keys, "title": plan.title, "library_name": plan.library,
                      "source_name": plan.source_name, "source_text": plan.source_text,
                      "loaded_at": plan.loaded_at, "loaded_by": plan.loaded_by})
        conn.executemany("INSERT INTO plan_figures (library, year, position, row, measure, quarter, kazakh, value,"
                         " stated_in) VALUES (:library, :year, :position, :row, :measure, :quarter, :kazakh, :value,"
                         " :stated_in)",
                         [{**keys, "position": position, **dict(zip(columns, f))}
                          for position, f in enumerate(figures, start=1)])
        conn.execute("INSERT INTO plan_loads (library, year, source_name, source_sha256, loaded_at, loaded_by)"
                     " VALUES (:library, :year, :source_name, :sha256, :loaded_at, :loaded_by)",
                     {**keys, "source_name": plan.source_name,
                      "sha256": hashlib.sha256(plan.source_text.encode()).hexdigest(),
                      "loaded_at": plan.loaded_at, "loaded_by": plan.loaded_by})
    return previous


def get_plan(conn: Connection, year: int, library: str | None = None) -> Plan:
    """A library's plan for the year (the default library's when none is named)."""
    library = resolve_library(conn, library)
    head = conn.execute("SELECT * FROM plans WHERE library = :library AND year = :year",
                        {"library": library, "year": year}).fetchone()
    if head is None:
        several = conn.execute("SELECT COUNT(*) FROM libraries").fetchone()[0] > 1
        if several:
            raise NotFound(f"no plan for {year} of library '{library}' in the archive; load one with: "
                           f"olke plan load FILE --library {library}")
        raise NotFound(f"no plan for {year} in the archive; load one with: olke plan load FILE")
    plan = Plan(year, {}, title=head["title"], library=head["library_name"], library_code=library,
                **{k: head[k] for k in ("source_name", "source_text", "loaded_at", "loaded_by")})
    for f in conn.execute("SELECT * FROM plan_figures WHERE library = :library AND year = :year ORDER BY position",
                          {"library": library, "year": year}):
        if f["stated_in"]:
            plan.elsewhere.append(StatedElsewhere(f["stated_in"], f["measure"], bool(f["kazakh"]), f["value"]))
        elif f["row"] == DELIVERY:
            plan.deliveries[f["quarter"]] = f["value"]
        else:
            plan.rows.setdefault((f["row"], f["measure"]), {})[(f["quarter"], bool(f["kazakh"]))] = f["value"]
    return plan


def plan_libraries(conn: Connection, year: int) -> list[str]:
    """The libraries with a plan for the year, in the register's order."""
    rows = conn.execute("SELECT p.library FROM plans p JOIN libraries l ON l.code = p.library WHERE p.year = :year"
                        " ORDER BY l.position, l.code", {"year": year})
    return [row[0] for row in rows]


def system_plan(conn: Connection, year: int) -> Plan:
    """The plan of the whole system for the year: the one library's plan as it is, or the sum of the
    libraries' plans (each stated figure the sum of those stated; the totals computed as ever)."""
    libraries = plan_libraries(conn, year)
    if len(libraries) <= 1:
        return get_plan(conn, year, libraries[0] if libraries else None)
    plans = [get_plan(conn, year, code) for code in libraries]
    total = Plan(year, {}, source_name=", ".join(p.source_name for p in plans))
    stating: dict[tuple, int] = {}      # how many plans state each total
    for plan in plans:
        for (row_name, measure), cells in plan.rows.items():
            row = total.rows.setdefault((row_name, measure), {})
            for (quarter, kazakh), value in cells.items():
                row[(quarter, kazakh)] = row.get((quarter, kazakh), 0) + value
                if is_total(row_name, quarter):
                    key = (row_name, measure, quarter, kazakh)
                    stating[key] = stating.get(key, 0) + 1
        for quarter, value in plan.deliveries.items():
            total.deliveries[quarter] = total.deliveries.get(quarter, 0) + value
    for (row_name, measure, quarter, kazakh), count in stating.items():
        if count < len(plans):     # a total some plans leave out: the sum of the others says nothing
            del total.rows[(row_name, measure)][(quarter, kazakh)]
    if YEAR in total.deliveries and sum(YEAR in p.deliveries for p in plans) < len(plans):
        del total.deliveries[YEAR]
    total.loaded_at = max(p.loaded_at for p in plans)
    total.loaded_by = ", ".join(sorted({p.loaded_by for p in plans}))
    return total


def list_plans(conn: Connection) -> list[dict]:
    rows = conn.execute(
        "SELECT p.library, p.year, p.title, p.source_name, p.loaded_at, p.loaded_by,"
        " (SELECT COUNT(*) FROM plan_loads l WHERE l.year = p.year AND l.library = p.library) AS loads"
        " FROM plans p ORDER BY p.year, p.library")
    return [dict(row) for row in rows]
