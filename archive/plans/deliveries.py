"""Delivery figures per quarter: received, delivered, refused (by reason), cancelled, expired, median
turnaround in working days (Mon–Fri), against the plan's electronic deliveries.

A request counts in the quarter of the server's local date of the event: received by its arrival,
delivered by its (first) delivery, refused by its refusal. Anonymised requests count like any other.
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import median

from archive.csv_safe import SafeWriter
from archive.db import Connection
from archive.errors import NotFound
from archive.plans.plan import DELIVERY, DELIVERY_MEASURE, get_plan, system_plan
from archive.delivery.model import local_date
from archive.vocabulary import LABELS, REFUSAL_REASONS

QUARTERS = (1, 2, 3, 4)
YEAR = 0
SENT_OUTSIDE = "sent_outside"      # archive.delivery.workflow.SENT_OUTSIDE


@dataclass
class Period:
    quarter: int                                  # 1-4; 0 = the whole year
    received: int = 0
    delivered: int = 0
    refused: int = 0
    cancelled: int = 0
    expired: int = 0
    sent_outside: int = 0                         # sent to a library outside the system (not refusals)
    refused_by_reason: dict[str, int] = field(default_factory=dict)
    turnarounds: list[int] = field(default_factory=list)
    plan: int | None = None

    @property
    def median_working_days(self) -> float | None:
        return float(median(self.turnarounds)) if self.turnarounds else None

    @property
    def percent_of_plan(self) -> float | None:
        return 100.0 * self.delivered / self.plan if self.plan else None

    def as_dict(self) -> dict:
        return {"quarter": self.quarter, "received": self.received, "delivered": self.delivered,
                "plan": self.plan, "percent_of_plan": self.percent_of_plan, "refused": self.refused,
                "refused_by_reason": self.refused_by_reason, "cancelled": self.cancelled, "expired": self.expired,
                "sent_outside": self.sent_outside, "median_working_days": self.median_working_days}


@dataclass
class YearFigures:
    year: int
    periods: dict[int, Period]
    plan_loaded: bool
    plan_stated_year: int | None = None           # the year figure as the plan states it

    def as_dict(self) -> dict:
        return {"year": self.year, "plan_loaded": self.plan_loaded, "plan_stated_year": self.plan_stated_year,
                "quarters": [self.periods[q].as_dict() for q in QUARTERS], "year_total": self.periods[YEAR].as_dict()}


def working_days(start: date, end: date) -> int:
    """Mon–Fri days after ``start`` up to and including ``end``: the same day is 0, Friday to Monday is 1."""
    if end <= start:
        return 0
    full_weeks, rest = divmod((end - start).days, 7)
    weekdays = full_weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=full_weeks * 7 + offset)).weekday() < 5:
            weekdays += 1
    return weekdays


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def _rows(conn: Connection, column: str, year: int, library: str | None = None):
    # a day either side: stored times are UTC, the quarter is decided by the local date
    low, high = f"{year - 1}-12-31", f"{year + 1}-01-02"
    sql = f"SELECT * FROM delivery_requests WHERE {column} >= :low AND {column} < :high"
    args = {"low": low, "high": high}
    if library is not None:
        sql, args = sql + " AND library = :library", {**args, "library": library}
    return conn.execute(sql, args)


def delivered_by_quarter(conn: Connection, year: int, library: str | None = None) -> dict[int, int]:
    """{quarter: delivered requests whose delivery date falls in it}, of one library or (None) of all;
    used by the plan report."""
    counts = dict.fromkeys(QUARTERS, 0)
    for row in _rows(conn, "delivered_at", year, library):
        day = local_date(row["delivered_at"])
        if day.year == year:
            counts[quarter_of(day)] += 1
    return counts


def year_figures(conn: Connection, year: int, library: str | None = None) -> YearFigures:
    """The year's figures of one library's requests, or (None) of the whole system's."""
    periods = {q: Period(q) for q in (YEAR, *QUARTERS)}
    for row in _rows(conn, "created_at", year, library):
        day = local_date(row["created_at"])
        if day.year == year:
            for q in (YEAR, quarter_of(day)):
                periods[q].received += 1
    for row in _rows(conn, "delivered_at", year, library):
        day = local_date(row["delivered_at"])
        if day.year == year:
            turnaround = working_days(local_date(row["created_at"]), day)
            for q in (YEAR, quarter_of(day)):
                periods[q].delivered += 1
                periods[q].turnarounds.append(turnaround)
    for row in _rows(conn, "closed_at", year, library):
        day = local_date(row["closed_at"])
        if day.year != year or row["status"] not in ("refused", "cancelled", "expired"):
            continue
        for q in (YEAR, quarter_of(day)):
            period = periods[q]
            if row["status"] == "refused" and row["refusal_reason"] == SENT_OUTSIDE:
                period.sent_outside += 1
                continue
            setattr(period, row["status"], getattr(period, row["status"]) + 1)
            if row["status"] == "refused":
                reason = row["refusal_reason"] if row["refusal_reason"] in REFUSAL_REASONS else "other"
                period.refused_by_reason[reason] = period.refused_by_reason.get(reason, 0) + 1
    figures = YearFigures(year, periods, plan_loaded=False)
    try:
        plan = system_plan(conn, year) if library is None else get_plan(conn, year, library)
    except NotFound:
        return figures
    figures.plan_loaded = True
    figures.plan_stated_year = plan.stated(DELIVERY, DELIVERY_MEASURE, YEAR)
    for q in (YEAR, *QUARTERS):
        periods[q].plan = plan.planned(DELIVERY, DELIVERY_MEASURE, q)
    return figures


COLUMNS = ("period", "received", "delivered", "plan", "percent_of_plan", "refused", "cancelled", "expired",
           "median_working_days", *(f"refused_{reason}" for reason in REFUSAL_REASONS))
PERIOD_NAMES = {1: "I", 2: "II", 3: "III", 4: "IV", YEAR: "year"}


def table_rows(figures: YearFigures) -> list[list]:
    """The report as rows under ``COLUMNS``: quarters I–IV, then the year."""
    rows = []
    for q in (*QUARTERS, YEAR):
        p = figures.periods[q]
        rows.append([PERIOD_NAMES[q], p.received, p.delivered, p.plan if p.plan is not None else "",
                     "" if p.percent_of_plan is None else round(p.percent_of_plan, 1), p.refused, p.cancelled,
                     p.expired, "" if p.median_working_days is None else p.median_working_days,
                     *(p.refused_by_reason.get(reason, 0) for reason in REFUSAL_REASONS)])
    return rows


# `olke requests report`: the year's figures as a table, CSV or JSON.

TABLE_COLUMNS = ("period", "received", "delivered", "plan", "% of plan", "refused", "cancelled", "expired",
                 "median working days")


def library_figures(conn: Connection, year: int) -> dict[str, YearFigures]:
    """Each library's figures for the year (in the register's order)."""
    codes = [row[0] for row in conn.execute("SELECT code FROM libraries ORDER BY position, code")]
    return {code: year_figures(conn, year, code) for code in codes}


def render(conn: Connection, year: int, fmt: str, library: str | None = None) -> str:
    """The figures of one library, or (None) of the whole system with, when it has several libraries,
    each library's year beside the total."""
    figures = year_figures(conn, year, library)
    several = library is None and conn.execute("SELECT COUNT(*) FROM libraries").fetchone()[0] > 1
    each = library_figures(conn, year) if several else {}
    if fmt == "json":
        data = figures.as_dict()
        if library is not None:
            data["library"] = library
        if each:
            data["libraries"] = {code: f.as_dict() for code, f in each.items()}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    rows = table_rows(figures)
    if fmt == "csv":
        out = io.StringIO()
        writer = SafeWriter(out)
        writer.writerow(COLUMNS if not each else ("library", *COLUMNS))
        writer.writerows(rows if not each else [["", *row] for row in rows])
        for code, figures_of in each.items():
            writer.writerow([code, *table_rows(figures_of)[-1]])
        return out.getvalue()
    text = table(figures, rows)
    if each:
        lines = ["By library, the year:"]
        for code, f in each.items():
            year_period = f.periods[YEAR]
            plan = "-" if year_period.plan is None else year_period.plan
            lines.append(f"  {code}: received {year_period.received}, delivered {year_period.delivered} "
                         f"(plan {plan}), refused {year_period.refused}, cancelled {year_period.cancelled}, "
                         f"expired {year_period.expired}")
        text += "\n".join(lines) + "\n"
    return text


def table(figures, rows) -> str:
    shown = [list(TABLE_COLUMNS)] + [[str(cell) if cell != "" else "-" for cell in row[:len(TABLE_COLUMNS)]]
                                     for row in rows]
    widths = [max(len(r[i]) for r in shown) for i in range(len(TABLE_COLUMNS))]
    lines = [f"Electronic document delivery, {figures.year}"
             + ("" if figures.plan_loaded else " (no plan loaded: olke plan load FILE)")]
    for number, row in enumerate(shown):
        lines.append("  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))))
        if number == 0 or number == len(QUARTERS):
            lines.append("  ".join("-" * w for w in widths))
    stated = figures.plan_stated_year
    if stated is not None and stated != figures.periods[YEAR].plan:
        lines.append(f"The plan states {stated} deliveries for the year; its quarters add up to "
                     f"{figures.periods[YEAR].plan}.")
    refused = figures.periods[YEAR].refused_by_reason
    if refused:
        lines.append("Refused, by reason: " + "; ".join(f"{LABELS[r]} {refused[r]}" for r in REFUSAL_REASONS
                                                       if r in refused))
    return "\n".join(lines) + "\n"
