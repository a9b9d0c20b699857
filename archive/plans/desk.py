"""The plans of one catalog and what was done against them (``Archive.plans``), as `olke plan`,
`olke requests report` and the staff app's plan and figures pages reach them.

It binds the catalog and hands each call to ``plan``, ``report`` or ``deliveries``; the SQL stays there.
"""
from __future__ import annotations

from datetime import date

from archive.plans import deliveries
from archive.plans.plan import Plan, get_plan, list_plans, save_plan
from archive.plans.report import Report, build_report


class PlanDesk:
    def __init__(self, catalog):
        self._catalog = catalog

    def load(self, plan: Plan, user: str | None = None) -> Plan | None:
        """Store the year's plan in place of the one loaded before, which is returned."""
        return save_plan(self._catalog.conn, plan, user)

    def get(self, year: int) -> Plan:
        return get_plan(self._catalog.conn, year)

    def loaded(self) -> list[dict]:
        """The plans loaded: year, file, when and by whom, how many times."""
        return list_plans(self._catalog.conn)

    def report(self, year: int, quarter: int | None = None, today: date | None = None) -> Report:
        """Plan against actual for the year, or one quarter."""
        return build_report(self._catalog.conn, year, quarter, today)

    def delivery_figures(self, year: int) -> deliveries.YearFigures:
        """The delivery requests' figures per quarter, against the plan's electronic deliveries."""
        return deliveries.year_figures(self._catalog.conn, year)

    def delivery_report(self, year: int, fmt: str) -> str:
        """The delivery figures as a table, CSV or JSON (`olke requests report`)."""
        return deliveries.render(self._catalog.conn, year, fmt)
