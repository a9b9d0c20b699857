"""Records for staff: the archive of fulfilled requests (search, CSV) and the quarterly figures."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, render_template, request

from archive.delivery import model
from archive.plans.deliveries import QUARTERS, YEAR
from archive.vocabulary import LABELS, REFUSAL_REASONS
from search_app.store import get_store

records = Blueprint("records", __name__)


def _found():
    text = (request.args.get("q") or "")[:200]
    every = request.args.get("all") == "1"
    with get_store().locked() as archive:
        return text, every, archive.delivery.search(text, () if every else ("delivered",))


@records.get("/archive")
def archive():
    text, every, found = _found()
    return render_template("staff/archive.html", found=found, q=text, every=every, labels=LABELS)


@records.get("/archive.csv")
def archive_csv():
    _, _, found = _found()
    name = f"olke-deliveries-{date.today().isoformat()}.csv"
    return Response("\ufeff" + model.as_csv(found), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@records.get("/figures")
def figures():
    year = request.args.get("year", "")
    year = int(year) if year.isascii() and year.isdigit() and 2000 <= int(year) <= 2100 else date.today().year
    with get_store().locked() as archive:
        shown = archive.plans.delivery_figures(year)
    return render_template("staff/figures.html", figures=shown, year=year, quarters=QUARTERS, whole=YEAR,
                           reasons=REFUSAL_REASONS, labels=LABELS)
