"""Plan against actual: what the catalog says was digitised, per kind and quarter, beside the plan.

A document counts in the quarter of its ``digitised_on``, once, with its current page count and
the size of its current PDF; deleted documents do not count; it counts as Kazakh when its primary
language is ``kaz``. ``build_report`` returns plain data; ``Report.as_dict(lang)`` is what the web
page renders, and ``archive.plans.formats`` turns it into a table, CSV, JSON, XLSX or PDF.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from calendar import monthrange
from datetime import date

from archive import i18n, libraries
from archive.clock import local_time
from archive.db import Connection
from archive.errors import NotFound
from archive.libraries import Library
from archive.plans.deliveries import delivered_by_quarter
from archive.plans.plan import (COLUMNS, DELIVERY, DELIVERY_MEASURE, LIBRARY_KINDS, MEASURES, QUARTERS, ROMAN, TOTAL,
                                YEAR, Inconsistency, Plan, get_plan, is_total, system_plan)
from archive.vocabulary import INTERFACE_LANGUAGES

BYTES_PER_MB = 1_000_000


# --- actuals -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tally:
    documents: int = 0
    pages: int = 0
    bytes: int = 0

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.documents + other.documents, self.pages + other.pages, self.bytes + other.bytes)

    @property
    def mb(self) -> float:
        return self.bytes / BYTES_PER_MB


@dataclass
class Actuals:
    year: int
    groups: dict[tuple[str, int, bool], Tally]   # (kind, quarter, kazakh) → tally; the groups do not overlap
    deliveries: dict[int, int]

    def tally(self, row: str, quarter: int, kazakh: bool = False) -> Tally:
        total = Tally()
        for (kind, q, is_kazakh), tally in self.groups.items():
            if row in (TOTAL, kind) and quarter in (YEAR, q) and (is_kazakh or not kazakh):
                total += tally
        return total

    def value(self, row: str, measure: str, quarter: int, kazakh: bool = False) -> int:
        if row == DELIVERY:
            return 0 if kazakh else sum(n for q, n in self.deliveries.items() if quarter in (YEAR, q))
        return getattr(self.tally(row, quarter, kazakh), measure)

    def kinds(self) -> set[str]:
        return {kind for kind, _, _ in self.groups}


def actuals(conn: Connection, year: int, library: str | None = None) -> Actuals:
    """What was digitised in the year: by one library, or (None) by the whole system."""
    where, args = "", {"year": f"{year:04d}"}
    if library is not None:
        where, args = " AND d.library = :library", {**args, "library": library}
    rows = conn.execute(
        "SELECT d.kind, CAST(substr(d.digitised_on, 6, 2) AS INTEGER) AS month, d.language = 'kaz' AS kazakh,"
        " COUNT(*) AS documents, SUM(d.page_count) AS pages, COALESCE(SUM(pdf.size), 0) AS bytes"
        " FROM documents d LEFT JOIN (SELECT document_id, SUM(size_bytes) AS size FROM files"
        "   WHERE role = 'pdf' GROUP BY document_id) pdf ON pdf.document_id = d.id"
        " WHERE d.status = 'active' AND substr(d.digitised_on, 1, 4) = :year" + where +
        " GROUP BY d.kind, month, kazakh", args)
    groups: dict[tuple[str, int, bool], Tally] = {}
    for row in rows:
        key = (row["kind"], (row["month"] + 2) // 3, bool(row["kazakh"]))
        groups[key] = groups.get(key, Tally()) + Tally(row["documents"], row["pages"], row["bytes"])
    return Actuals(year, groups, deliveries_by_quarter(conn, year, library))


def deliveries_by_quarter(conn: Connection, year: int, library: str | None = None) -> dict[int, int]:
    """Electronic deliveries made per quarter (of one library, or of all)."""
    counts = dict.fromkeys(QUARTERS, 0)
    counts.update({int(q): int(n) for q, n in delivered_by_quarter(conn, year, library).items()})
    return counts


# --- the report --------------------------------------------------------------------------------

@dataclass
class Cell:
    quarter: int
    kazakh: bool
    plan: int
    actual: int
    stated: int | None = None                         # the plan's own figure for a computed total
    elsewhere: dict[str, int] = field(default_factory=dict)   # the same total stated elsewhere in the plan

    @property
    def differs(self) -> bool:
        return self.stated is not None and self.stated != self.plan

    @property
    def percent(self) -> int | None:
        """Percent done, rounded half up; None when nothing was planned."""
        return None if self.plan == 0 else (200 * self.actual + self.plan) // (2 * self.plan)

    @property
    def to_go(self) -> int:
        return max(self.plan - self.actual, 0)

    def as_dict(self) -> dict:
        return {"quarter": self.quarter, "kazakh": self.kazakh, "plan": self.plan, "stated": self.stated,
                "differs": self.differs, "stated_elsewhere": self.elsewhere, "actual": self.actual,
                "percent": self.percent, "to_go": self.to_go}


@dataclass
class Row:
    row: str
    measure: str
    cells: list[Cell]

    def cell(self, quarter: int, kazakh: bool = False) -> Cell | None:
        return next((c for c in self.cells if (c.quarter, c.kazakh) == (quarter, kazakh)), None)


@dataclass
class ToGo:
    row: str
    measure: str
    kazakh: bool
    count: int


@dataclass
class LibraryRow:
    """One library's line in the whole system's report: its plan and what it did in the report's period."""
    library: Library
    has_plan: bool
    documents: Cell
    documents_kaz: Cell
    pages: Cell
    pages_kaz: Cell
    deliveries: Cell
    mb: float

    def as_dict(self, lang: str) -> dict:
        return {"library": self.library.code, "name": self.library.name(lang), "has_plan": self.has_plan,
                "mb": round(self.mb, 2), **{k: getattr(self, k).as_dict() for k in LIBRARY_ROW_CELLS}}


LIBRARY_ROW_CELLS = ("documents", "documents_kaz", "pages", "pages_kaz", "deliveries")


@dataclass
class Report:
    plan: Plan
    actuals: Actuals
    quarter: int | None                  # None: the whole year
    rows: list[Row]
    deliveries: Row
    to_go_period: int                    # the quarter the "to go" list is about (0 = the year)
    to_go: list[ToGo]
    made_on: date
    library: Library | None = None       # the library reported on; None: the whole system
    libraries: list[LibraryRow] = field(default_factory=list)   # each library's line (several libraries only)

    @property
    def period_over(self) -> bool:
        """Whether the period of the "to go" list ended before the report was made: what is left
        of its plan was not met, rather than still to do."""
        last_month = 12 if self.to_go_period == YEAR else 3 * self.to_go_period
        return self.made_on > date(self.year, last_month, monthrange(self.year, last_month)[1])

    @property
    def year(self) -> int:
        return self.plan.year

    @property
    def period(self) -> int:
        return self.quarter or YEAR

    @property
    def columns(self) -> list[tuple[int, bool]]:
        return report_columns(self.quarter)

    @property
    def summary_rows(self) -> list[str]:
        return [row.row for row in self.rows if row.measure == "documents"]

    def summary(self, row: str) -> tuple:
        """(all, of which Kazakh) tallies of a kind, or of all documents, in the report's period."""
        return self.actuals.tally(row, self.period), self.actuals.tally(row, self.period, True)

    def inconsistencies(self) -> list[Inconsistency]:
        return self.plan.inconsistencies()

    def as_dict(self, lang: str = "kk") -> dict:
        """Everything the report says, in plain data with labels and sentences in ``lang``."""
        def row_dict(row: Row) -> dict:
            return {"row": row.row, "measure": row.measure, "label": label(lang, row_label_key(row)),
                    "cells": [c.as_dict() for c in row.cells]}

        summary = []
        for row in self.summary_rows:
            every, kazakh = self.summary(row)
            summary.append({"row": row, "label": label(lang, row), "documents": every.documents,
                            "mb": round(every.mb, 2), "documents_kaz": kazakh.documents, "mb_kaz": round(kazakh.mb, 2),
                            "pages": every.pages, "pages_kaz": kazakh.pages,
                            "text": summary_sentence(lang, row, every, kazakh)})
        delivered = self.deliveries.cell(self.period)
        return {
            "year": self.year, "quarter": self.quarter, "lang": lang, "title": title(lang, self),
            "made_on": self.made_on.isoformat(),
            "plan": {"title": self.plan.title, "library": self.plan.library, "source_name": self.plan.source_name,
                     "loaded_at": self.plan.loaded_at, "loaded_by": self.plan.loaded_by,
                     "text": sentence(lang, "plan_source", source=self.plan.source_name,
                                      at=local_time(self.plan.loaded_at) if self.plan.loaded_at else "",
                                      by=self.plan.loaded_by)},
            "columns": [{"quarter": q, "kazakh": k, "label": column_label(lang, self.year, q, k)}
                        for q, k in self.columns],
            "rows": [row_dict(row) for row in self.rows],
            "electronic_delivery": row_dict(self.deliveries),
            "summary": {"period": self.period, "heading": sentence(lang, "summary_heading",
                                                                   period=period_name(lang, self.period, self.year)),
                        "rows": summary,
                        "electronic_delivery": {"plan": delivered.plan, "actual": delivered.actual,
                                                "text": delivery_sentence(lang, delivered)}},
            "to_go": {"period": self.to_go_period,
                      "over": self.period_over,
                      "heading": sentence(lang, "short_heading" if self.period_over else "to_go_heading",
                                          period=period_name(lang, self.to_go_period, self.year)),
                      "items": [{"row": t.row, "measure": t.measure, "kazakh": t.kazakh, "count": t.count,
                                 "text": to_go_sentence(lang, t, self.period_over)} for t in self.to_go],
                      "none_text": label(lang, "nothing_to_go")},
            "inconsistencies": [vars(i) | {"text": inconsistency_sentence(lang, i)} for i in self.inconsistencies()],
        } | self._libraries_dict(lang)

    def _libraries_dict(self, lang: str) -> dict:
        """Only where libraries matter: the library reported on, or each library's line of the system."""
        data: dict = {}
        if self.library is not None:
            data["library"] = {"code": self.library.code, "name": self.library.name(lang)}
        if self.libraries:
            data["libraries"] = {"heading": sentence(lang, "libraries_heading",
                                                     period=period_name(lang, self.period, self.year)),
                                 "columns": list(label(lang, "libraries_columns")),
                                 "rows": [row.as_dict(lang) for row in self.libraries]}
        return data


def build_report(conn: Connection, year: int, quarter: int | None = None,
                 today: date | None = None, library: str | None = None) -> Report:
    """The year's report (or one quarter's) of one library, or (None) of the whole system: the libraries'
    plans summed, with each library's line when there are several; ``today`` decides which quarter
    "still to go" is about."""
    if library is None:
        plan, done = system_plan(conn, year), actuals(conn, year)
    else:
        plan, done = get_plan(conn, year, library), actuals(conn, year, library)
    today = today or date.today()
    columns = report_columns(quarter)
    kinds = list(LIBRARY_KINDS) + (["other"] if plan.has_kind("other") or "other" in done.kinds() else [])
    rows = [make_row(plan, done, row, measure, columns) for row in (*kinds, TOTAL) for measure in MEASURES]
    deliveries = make_row(plan, done, DELIVERY, DELIVERY_MEASURE, [c for c in columns if not c[1]])
    period = quarter or ((today.month + 2) // 3 if today.year == year else YEAR)
    to_go = []
    for row, measure in [(k, m) for k in kinds for m in MEASURES] + [(DELIVERY, DELIVERY_MEASURE)]:
        for kazakh in (False,) if row == DELIVERY else (False, True):
            left = plan.planned(row, measure, period, kazakh) - done.value(row, measure, period, kazakh)
            if left > 0:
                to_go.append(ToGo(row, measure, kazakh, left))
    report = Report(plan, done, quarter, rows, deliveries, period, to_go, today)
    registered = libraries.all_libraries(conn)
    if library is not None and len(registered) > 1:
        report.library = libraries.get(conn, library)
    elif library is None and len(registered) > 1:
        report.libraries = [library_row(conn, lib, year, report.period) for lib in registered]
    return report


def library_row(conn: Connection, library: Library, year: int, period: int) -> LibraryRow:
    try:
        plan, has_plan = get_plan(conn, year, library.code), True
    except NotFound:
        plan, has_plan = Plan(year, {}), False
    done = actuals(conn, year, library.code)

    def cell(row: str, measure: str, kazakh: bool = False) -> Cell:
        return Cell(period, kazakh, plan.planned(row, measure, period, kazakh), done.value(row, measure, period, kazakh))

    return LibraryRow(library, has_plan, cell(TOTAL, "documents"), cell(TOTAL, "documents", True),
                      cell(TOTAL, "pages"), cell(TOTAL, "pages", True), cell(DELIVERY, DELIVERY_MEASURE),
                      done.tally(TOTAL, period).mb)


def report_columns(quarter: int | None) -> list[tuple[int, bool]]:
    return list(COLUMNS) if quarter is None else [(quarter, False), (quarter, True)]


def make_row(plan: Plan, done: Actuals, row: str, measure: str, columns) -> Row:
    cells = []
    for quarter, kazakh in columns:
        cell = Cell(quarter, kazakh, plan.planned(row, measure, quarter, kazakh),
                    done.value(row, measure, quarter, kazakh))
        if is_total(row, quarter):
            cell.stated = plan.stated(row, measure, quarter, kazakh)
        if row == TOTAL and quarter == YEAR:
            cell.elsewhere = {e.where: e.value for e in plan.elsewhere if (e.measure, e.kazakh) == (measure, kazakh)}
        cells.append(cell)
    return Row(row, measure, cells)


# --- words -------------------------------------------------------------------------------------

def row_label_key(row: Row) -> str:
    """The library's row label: the kind for documents, "Бет саны" for the pages under it."""
    return "pages" if row.measure == "pages" else row.row


def title(lang: str, report: Report) -> str:
    text = sentence(lang, "title", year=report.year)
    return text + sentence(lang, "title_quarter", quarter=ROMAN[report.quarter]) if report.quarter else text


def column_label(lang: str, year: int, quarter: int, kazakh: bool) -> str:
    if kazakh:
        return label(lang, "kazakh_column")
    return sentence(lang, "year_column", year=year) if quarter == YEAR else \
        sentence(lang, "quarter_column", quarter=ROMAN[quarter])


def what(lang: str, row: str, measure: str, count: int | None = None) -> str:
    key = f"{row}.{measure}"
    plural = label(lang, "what")[key]
    return label(lang, "what_one").get(key, plural) if count == 1 else plural


def to_go_sentence(lang: str, item: ToGo, over: bool = False) -> str:
    """What is left of a plan's line: still to do, or (`over`: its period has ended) not met."""
    text = sentence(lang, "short" if over else "to_go", n=item.count,
                    what=what(lang, item.row, item.measure, item.count),
                    kazakh=label(lang, "in_kazakh") if item.kazakh else "")
    return text[0].upper() + text[1:]


def inconsistency_sentence(lang: str, item: Inconsistency) -> str:
    period = period_name(lang, item.quarter)
    name = what(lang, item.row, item.measure)
    name = name[0].upper() + name[1:]
    if item.problem == "kazakh_exceeds":
        return sentence(lang, "kazakh_exceeds", what=name, period=period, stated=item.stated, computed=item.computed)
    parts = ("parts_kinds" if item.quarter else "parts_kinds_quarters") if item.row == TOTAL else "parts_quarters"
    return sentence(lang, "total_differs", what=name, period=period, stated=item.stated, computed=item.computed,
                    kazakh=label(lang, "in_kazakh") if item.kazakh else "", parts=label(lang, parts),
                    where=f" ({item.where})" if item.where else "")


def summary_sentence(lang: str, row: str, every: Tally, kazakh: Tally) -> str:
    return sentence(lang, "summary", what=label(lang, row), documents=every.documents, mb=mb_text(lang, every.mb),
                    documents_kaz=kazakh.documents, mb_kaz=mb_text(lang, kazakh.mb), pages=every.pages,
                    pages_kaz=kazakh.pages)


def delivery_sentence(lang: str, cell: Cell) -> str:
    return sentence(lang, "delivery_summary", what=label(lang, DELIVERY), plan=cell.plan, done=cell.actual)


def stated_inline(lang: str, cell: Cell) -> str:
    """A plan figure as text, with what the plan states beside it when that differs: "294 (stated 296)"."""
    notes = [sentence(lang, "stated_inline", n=cell.stated)] if cell.differs else []
    notes += [f"{where}: {value}" for where, value in cell.elsewhere.items() if value != cell.plan]
    return f"{cell.plan} ({'; '.join(notes)})" if notes else str(cell.plan)



# --- the label tables: every word a report says, in Kazakh, Russian and English --------------

LANGUAGES = INTERFACE_LANGUAGES
# Every word a report says, in English; Kazakh and Russian in archive/translations (archive.i18n).
LABELS = {
    "en": {
        "title": "Digitisation plan and actual, {year}", "title_quarter": ", quarter {quarter}",
        "corner": "Digitisation", "year_column": "{year}", "kazakh_column": "of which in Kazakh",
        "kazakh_short": "kaz", "quarter_column": "quarter {quarter}",
        "newspaper_article": "Newspaper articles", "journal_article": "Journal articles", "book": "Whole books",
        "other": "Other documents", "total": "All documents", "pages": "Pages",
        "electronic_delivery": "Electronic document delivery",
        "plan": "plan", "stated": "as stated", "actual": "done", "percent": "%",
        "stated_inline": "stated {n}", "year": "{year}", "quarter": "quarter {quarter}", "year_bare": "the year",
        "what": {"newspaper_article.documents": "newspaper articles", "newspaper_article.pages": "newspaper pages",
                 "journal_article.documents": "journal articles", "journal_article.pages": "journal pages",
                 "book.documents": "whole books", "book.pages": "book pages",
                 "other.documents": "other documents", "other.pages": "pages of other documents",
                 "total.documents": "documents in all", "total.pages": "pages in all",
                 "electronic_delivery.requests": "electronic deliveries"},
        "what_one": {"newspaper_article.documents": "newspaper article", "newspaper_article.pages": "newspaper page",
                     "journal_article.documents": "journal article", "journal_article.pages": "journal page",
                     "book.documents": "whole book", "book.pages": "book page",
                     "other.documents": "other document", "other.pages": "page of other documents",
                     "electronic_delivery.requests": "electronic delivery"},
        "in_kazakh": " in Kazakh",
        "to_go": "{n} {what}{kazakh} to go", "to_go_heading": "Still to go: {period}",
        "short": "{n} {what}{kazakh} short", "short_heading": "Not met: {period}",
        "nothing_to_go": "Nothing to go: the plan for this period is met.",
        "total_differs": "{what}{kazakh}, {period}{where}: the plan states {stated}; the sum of {parts} is "
                         "{computed}.",
        "kazakh_exceeds": "{what}, {period}: of which in Kazakh {stated} is more than the total {computed}.",
        "parts_quarters": "its quarters", "parts_kinds": "the rows above",
        "parts_kinds_quarters": "the quarters of the rows above",
        "highlight_note": "the plan states a total that differs from the sum of its parts (details at the end)",
        "inconsistencies_heading": "Where the plan does not add up (its figures are kept as stated)",
        "summary_heading": "Summary: {period}",
        "summary_columns": ("documents", "size, MB", "of which in Kazakh", "in Kazakh, MB", "pages",
                            "of which in Kazakh"),
        "summary": "{what}: {documents} ({mb} MB), of which {documents_kaz} in Kazakh ({mb_kaz} MB); "
                   "{pages} pages, of which {pages_kaz} in Kazakh.",
        "delivery_summary": "{what}: plan {plan}, done {done}.",
        "plan_source": "Plan: {source}, loaded {at} by {by}", "made_on": "Report made on {date}",
        "sheet_table": "Plan", "sheet_summary": "Summary", "decimal": ".",
        "libraries_heading": "By library: {period}",
        "libraries_columns": ("library", "documents", "of which in Kazakh", "pages", "of which in Kazakh",
                              "size, MB", "electronic deliveries"),
        "library_line": "{name}: documents {documents}, of which in Kazakh {documents_kaz}; pages {pages}, "
                        "of which in Kazakh {pages_kaz}; {mb} MB; electronic deliveries {deliveries}",
        "no_plan": "no plan loaded",
    },
}


def label(lang: str, key: str):
    """A report's word in ``lang``: a text, or a table of texts (``what``) or a row of them."""
    english = LABELS["en"][key]
    if isinstance(english, dict):
        return {k: i18n.text(lang, f"plan.{key}.{k}", v) for k, v in english.items()}
    if isinstance(english, tuple):
        return tuple(i18n.text(lang, f"plan.{key}.{i}", v) for i, v in enumerate(english))
    return i18n.text(lang, f"plan.{key}", english)


def sentence(lang: str, key: str, **values) -> str:
    return label(lang, key).format(**values)


def messages() -> list[tuple[str, str]]:
    """Every (context, English text) a report translates."""
    found = []
    for key, english in LABELS["en"].items():
        if isinstance(english, dict):
            found += [(f"plan.{key}.{k}", v) for k, v in english.items()]
        elif isinstance(english, tuple):
            found += [(f"plan.{key}.{i}", v) for i, v in enumerate(english)]
        else:
            found.append((f"plan.{key}", english))
    return found


def period_name(lang: str, quarter: int, year: int | None = None) -> str:
    """ "2026 жыл, II тоқсан", "II тоқсан", or "жыл" when no year is given."""
    if quarter == YEAR:
        return sentence(lang, "year", year=year) if year else label(lang, "year_bare")
    name = sentence(lang, "quarter", quarter=ROMAN[quarter])
    return f"{sentence(lang, 'year', year=year)}, {name}" if year else name


def mb_text(lang: str, mb: float) -> str:
    return f"{mb:.2f}".replace(".", label(lang, "decimal"))
