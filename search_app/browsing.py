"""Browsing without a query: by date of publication (year → month → day) and by newspaper or
journal and its issues, as researchers browse a newspaper archive. Descriptions only."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template
from flask_babel import format_date

from search_app.store import get_store

browsing = Blueprint("browsing", __name__)


def _month_name(year: int, month: int) -> str:
    return format_date(date(year, month, 1), "LLLL")


@browsing.get("/browse/dates")
@browsing.get("/browse/dates/<int:year>")
@browsing.get("/browse/dates/<int:year>/<int:month>")
def dates(year: int | None = None, month: int | None = None):
    if month is not None and not 1 <= month <= 12:
        abort(404)
    within = "" if year is None else f"{year:04d}" if month is None else f"{year:04d}-{month:02d}"
    with get_store().catalog() as catalog:
        counts = catalog.published_counts(within)
        documents = catalog.published_in(within) if month is not None else []
    if within and not counts:
        abort(404)
    if year is None:
        steps = [(value, value, count, {"year": int(value)}) for value, count in counts]
    elif month is None:
        steps = [(value, _month_name(year, int(value[5:7])), count, {"year": year, "month": int(value[5:7])})
                 for value, count in counts]
    else:
        steps = [(value, format_date(date.fromisoformat(value), "long"), count, None) for value, count in counts]
    by_day = {}
    for document in documents:
        by_day.setdefault((document.published or "")[:10], []).append(document)
    return render_template("browse_dates.html", year=year, month=month,
                           month_name=_month_name(year, month) if month else None, steps=steps, by_day=by_day)


@browsing.get("/browse/sources")
@browsing.get("/browse/sources/<path:source>")
def sources(source: str | None = None):
    with get_store().catalog() as catalog:
        if source is None:
            return render_template("browse_sources.html", source=None, sources=catalog.sources(), issues=[])
        issues = catalog.issues(source)
    if not issues:
        abort(404)
    return render_template("browse_sources.html", source=source, sources=[], issues=issues)
