"""`olke requests report`: the year's delivery figures as a table, CSV or JSON."""
from __future__ import annotations

import io
import json
import sqlite3

from archive.csv_safe import SafeWriter
from archive.requests.figures import COLUMNS, QUARTERS, YEAR, table_rows, year_figures
from archive.requests.statuses import LABELS, REFUSAL_REASONS

TABLE_COLUMNS = ("period", "received", "delivered", "plan", "% of plan", "refused", "cancelled", "expired",
                 "median working days")


def render(conn: sqlite3.Connection, year: int, fmt: str) -> str:
    figures = year_figures(conn, year)
    if fmt == "json":
        return json.dumps(figures.as_dict(), ensure_ascii=False, indent=2) + "\n"
    rows = table_rows(figures)
    if fmt == "csv":
        out = io.StringIO()
        writer = SafeWriter(out)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        return out.getvalue()
    return table(figures, rows)


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
