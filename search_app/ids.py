"""Numbers in addresses (document ids, page numbers) that the catalog can hold, or 404.

SQLite's integers stop at 2^63 - 1; a larger number from an address would fail in the database
(500) instead of finding nothing. Both apps route ``<int:…>`` through this converter.
"""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from archive.catalog import MAX_ID


class CatalogNumber(IntegerConverter):
    """Digits only (no sign), at most MAX_ID; anything else does not match the route, so 404."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False):
        super().__init__(map, fixed_digits, min, max, signed)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = CatalogNumber
