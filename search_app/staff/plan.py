"""The plan report for staff: plan against actual with progress bars, a chart per quarter, downloads.

``/plan?year=Y&quarter=Q&lang=kk|ru|en`` shows what ``olke plan report`` prints, from the same
``Report``: the library's table (every cell done / plan, percent and a progress bar; the plan's
own figure beside a computed total where they differ), what is still to go this quarter, an SVG
bar chart per quarter, the summary with MB and where the plan does not add up.
``/plan/download.FORMAT`` gives the report as CSV, JSON, XLSX or PDF, as the command writes it.
No JavaScript, no inline styles (the CSP forbids them): bar widths are SVG attributes.
"""
from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, Response, render_template, request, url_for
from babel.dates import format_date
from flask_babel import gettext as _

from archive.errors import NotFound, UsageError
from archive.plans.plan import DELIVERY, PLAN_YEARS, QUARTERS, ROMAN, TOTAL, YEAR
from archive.plans.formats import render
from archive.plans.report import LANGUAGES, Report, label, mb_text, sentence, what
from search_app.i18n import interface_language
from search_app.staff.words import when_in
from search_app.store import get_store

plan = Blueprint("plan", __name__)

DOWNLOADS = {   # format → (Content-Type, what the link says)
    "csv": ("text/csv; charset=utf-8", "CSV"),
    "json": ("application/json; charset=utf-8", "JSON"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (XLSX)"),
    "pdf": ("application/pdf", "PDF"),
}
QUARTER_NAMES = {**{str(q): q for q in QUARTERS}, **{name: q for q, name in ROMAN.items()}}
WORDS = {   # the page's own words around the report's; the report's labels come from archive.plans.report
    "kk": {"all": "барлығы", "charts": "Тоқсандар бойынша жоспар мен орындалуы", "this_quarter": "осы тоқсан",
           "met": "жоспар орындалды", "behind": "мерзімі өтті, жоспар орындалмады", "open": "орындалуда"},
    "ru": {"all": "всего", "charts": "План и выполнение по кварталам", "this_quarter": "текущий квартал",
           "met": "план выполнен", "behind": "срок прошёл, план не выполнен", "open": "в работе"},
    "en": {"all": "all", "charts": "Plan and done by quarter", "this_quarter": "this quarter",
           "met": "plan met", "behind": "period over, plan not met", "open": "in progress"},
}
CHART_WIDTH, LABEL_WIDTH, NUMBER_ROOM = 560, 160, 46
BAR, BAR_GAP, ROW_PITCH, HEADING_PITCH = 10, 1, 28, 24


class BadPlanParameter(UsageError):
    """A parameter of /plan the page cannot use (400); the message is in the interface language."""

    translated = True


def today() -> date:
    """The day that decides which quarter is "this quarter" (tests replace it)."""
    return date.today()


# --- parameters --------------------------------------------------------------------------------

def parameters() -> tuple[int, int | None, str]:
    """(year, quarter or None for the whole year, report language) from the query string."""
    raw_year = (request.args.get("year") or "").strip()
    if not raw_year:
        year = today().year
    elif re.fullmatch(r"[0-9]{4}", raw_year) and int(raw_year) in PLAN_YEARS:
        year = int(raw_year)
    else:
        raise BadPlanParameter(_("“%(value)s” is not a year the plan can have; give a year from %(first)s to "
                                 "%(last)s, e.g. year=2026.", value=raw_year[:20], first=PLAN_YEARS.start,
                                 last=PLAN_YEARS.stop - 1))
    raw_quarter = (request.args.get("quarter") or "").strip()
    if raw_quarter in ("", "0"):
        quarter = None
    elif raw_quarter.upper() in QUARTER_NAMES:
        quarter = QUARTER_NAMES[raw_quarter.upper()]
    else:
        raise BadPlanParameter(_("“%(value)s” is not a quarter; give 1-4 or I-IV, or leave it out for the "
                                 "whole year.", value=raw_quarter[:20]))
    raw_lang = (request.args.get("lang") or "").strip()
    if raw_lang and raw_lang not in LANGUAGES:
        raise BadPlanParameter(_("“%(value)s” is not a report language; use one of: %(choices)s.",
                                 value=raw_lang[:20], choices=", ".join(LANGUAGES)))
    fallback = interface_language()
    return year, quarter, raw_lang or (fallback if fallback in LANGUAGES else LANGUAGES[0])


def _report(year: int, quarter: int | None) -> Report:
    with get_store().locked() as archive:
        return archive.plans.report(year, quarter, today=today())


def _loaded_years() -> list[int]:
    with get_store().locked() as archive:
        return [p["year"] for p in archive.plans.loaded()]


def download_name(year: int, quarter: int | None, lang: str, fmt: str) -> str:
    """The same name ``olke plan report`` gives a file: plan-report-YEAR[-qN]-LANG.FORMAT."""
    return f"plan-report-{year}{f'-q{quarter}' if quarter else ''}-{lang}.{fmt}"


# --- the page ----------------------------------------------------------------------------------

@plan.get("/plan")
def page():
    picked = {"year": today().year, "quarter": None, "lang": None}
    try:
        year, quarter, lang = parameters()
    except BadPlanParameter as error:
        picked["lang"] = interface_language() if interface_language() in LANGUAGES else LANGUAGES[0]
        return _page(picked, problem=error.message, status=400)
    picked.update(year=year, quarter=quarter, lang=lang)
    try:
        report = _report(year, quarter)
    except NotFound:
        return _page(picked, missing=year, status=404)
    return _page(picked, shown=page_view(report, lang))


def _page(picked: dict, shown: dict | None = None, problem: str | None = None, missing: int | None = None,
          status: int = 200):
    query = {"year": picked["year"], "quarter": picked["quarter"], "lang": picked["lang"]}
    downloads = [(fmt, name, url_for("plan.download", fmt=fmt, **query)) for fmt, (_, name) in DOWNLOADS.items()]
    return render_template("staff/plan.html", picked=picked, view=shown, problem=problem, missing=missing,
                           loaded=_loaded_years(), downloads=downloads, languages=LANGUAGES,
                           roman=ROMAN), status


def page_view(report: Report, lang: str) -> dict:
    """What the page shows, from ``report.as_dict(lang)``: the numbers are the report's own."""
    data = report.as_dict(lang)
    if data["plan"].get("loaded_at"):   # the plan's load time and the report's day in the library's zone, in words
        data["plan"]["text"] = sentence(lang, "plan_source", source=data["plan"]["source_name"],
                                        at=when_in(data["plan"]["loaded_at"], lang), by=data["plan"]["loaded_by"])
    columns = data["columns"]
    periods = [c for c in columns if not c["kazakh"]]

    def cell_view(row: dict, cell: dict) -> dict:
        period = sentence(lang, "year", year=report.year) if cell["quarter"] == YEAR else \
            sentence(lang, "quarter", quarter=ROMAN[cell["quarter"]])
        notes = [sentence(lang, "stated_inline", n=cell["stated"])] if cell["differs"] else []
        notes += [f"{where}: {value}" for where, value in cell["stated_elsewhere"].items() if value != cell["plan"]]
        state = progress_state(report, cell["quarter"], cell["plan"], cell["actual"])
        name = what(lang, row["row"], row["measure"])
        kazakh = label(lang, "in_kazakh") if cell["kazakh"] else ""
        return cell | {"notes": notes, "state": state,
                       "bar_label": f"{name}{kazakh}, {period}: {cell['actual']} / {cell['plan']}"
                                    + (f" ({cell['percent']}%)" if cell["percent"] is not None else "")}

    rows = []
    for row in data["rows"] + [data["electronic_delivery"]]:
        by_column = {(c["quarter"], c["kazakh"]): c for c in row["cells"]}
        rows.append(row | {"kind_row": row["measure"] != "pages",
                           "total": row["row"] == TOTAL, "delivery": row["row"] == DELIVERY,
                           "cells": [cell_view(row, by_column[(c["quarter"], c["kazakh"])])
                                     if (c["quarter"], c["kazakh"]) in by_column else None for c in columns]})
    for row in data["summary"]["rows"]:
        row.update(mb_text=mb_text(lang, row["mb"]), mb_kaz_text=mb_text(lang, row["mb_kaz"]))
    chart_quarters = [report.quarter] if report.quarter else list(QUARTERS)
    return {
        "data": data, "lang": lang, "rows": rows, "periods": periods, "columns": columns,
        "words": {w: label(lang, w) for w in ("plan", "actual", "percent", "kazakh_column", "corner",
                                                "highlight_note", "inconsistencies_heading", "summary_columns",
                                                "electronic_delivery")}
                 | WORDS[lang] | {"made_on": sentence(lang, "made_on",
                                                   date=format_date(report.made_on, "long", locale=lang))},
        "charts": [chart(report, lang, q) for q in chart_quarters],
        "current": current_quarter(report),
        "any_stated": any(c and c["differs"] for r in rows for c in r["cells"]),
    }


def current_quarter(report: Report) -> int | None:
    """The quarter the report's day falls in, when the report is of that day's year."""
    now = report.made_on
    return (now.month + 2) // 3 if report.year == now.year else None


def progress_state(report: Report, quarter: int, planned: int, done: int) -> str:
    """met | behind (the period is over and the plan not met) | open | none (nothing planned)."""
    if not planned:
        return "none"
    if done >= planned:
        return "met"
    now = report.made_on
    over = report.year < now.year or (report.year == now.year and quarter != YEAR and quarter < (now.month + 2) // 3)
    return "behind" if over else "open"


def chart(report: Report, lang: str, quarter: int) -> dict:
    """An SVG bar chart of one quarter: per kind, plan and done, for documents and then pages.

    Each measure has its own scale (the largest plan or done figure of the quarter), so a
    quarter's documents and pages both read plan against done at a glance."""
    width = CHART_WIDTH - LABEL_WIDTH - NUMBER_ROOM
    quarter_name = sentence(lang, "quarter_column", quarter=ROMAN[quarter])
    kinds = [r for r in report.rows if r.row != TOTAL]
    names = {row: label(lang, row) for row in {r.row for r in kinds}}
    sections, y = [], 0
    for measure in ("documents", "pages"):
        rows = [r for r in kinds if r.measure == measure]
        total = next(r for r in report.rows if (r.row, r.measure) == (TOTAL, measure)).cell(quarter)
        top = max([1] + [max(r.cell(quarter).plan, r.cell(quarter).actual) for r in rows])
        heading = label(lang, "total") if measure == "documents" else label(lang, "pages")
        percent = f" ({total.percent}%)" if total.percent is not None else ""
        section = {"heading": f"{heading}: {label(lang, 'actual')} {total.actual}, {label(lang, 'plan')} "
                              f"{total.plan}{percent}", "y": y + 14, "bars": []}
        y += HEADING_PITCH
        for row in rows:
            cell = row.cell(quarter)
            kind_name = names[row.row]
            bars = []
            for index, (line, value) in enumerate((("plan", cell.plan), ("actual", cell.actual))):
                length = 0 if value == 0 else max(2, round(width * min(value, top) / top))
                bars.append({"line": line, "x": LABEL_WIDTH, "y": y + index * (BAR + BAR_GAP), "width": length,
                             "height": BAR, "value": value, "text_x": LABEL_WIDTH + length + 4,
                             "text_y": y + index * (BAR + BAR_GAP) + BAR - 1,
                             "title": f"{quarter_name}, {what(lang, row.row, measure)}: {label(lang, line)} {value}"})
            section["bars"].append({"name": kind_name, "label_y": y + BAR + 5, "bars": bars,
                                    "state": progress_state(report, quarter, cell.plan, cell.actual)})
            y += ROW_PITCH
        sections.append(section)
        y += 6
    documents, pages = (next(r for r in report.rows if (r.row, r.measure) == (TOTAL, m)).cell(quarter)
                        for m in ("documents", "pages"))
    summary = "; ".join(f"{name}: {label(lang, 'actual')} {cell.actual}, {label(lang, 'plan')} {cell.plan}"
                        for name, cell in ((label(lang, "total"), documents), (label(lang, "pages"), pages)))
    summary = f"{quarter_name}: {summary}"
    return {"quarter": quarter, "name": quarter_name, "id": f"chart-q{quarter}", "width": CHART_WIDTH,
            "height": y, "sections": sections, "summary": summary}


# --- downloads ---------------------------------------------------------------------------------

@plan.get("/plan/download.<fmt>")
def download(fmt: str):
    if fmt not in DOWNLOADS:
        raise BadPlanParameter(_("“%(value)s” is not a download format; use one of: %(choices)s.",
                                 value=fmt[:20], choices=", ".join(DOWNLOADS)))
    year, quarter, lang = parameters()
    content = render(_report(year, quarter), fmt, lang)
    if fmt == "csv":
        content = "\ufeff" + content          # a byte-order mark, so Excel reads the CSV as UTF-8
    body = content.encode("utf-8") if isinstance(content, str) else content
    name = download_name(year, quarter, lang, fmt)
    return Response(body, content_type=DOWNLOADS[fmt][0],
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
