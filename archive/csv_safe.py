"""CSV that a spreadsheet opens as text: no cell of Olke's exports can run as a formula.

OWASP's rule for CSV injection: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading single quote, so Excel, LibreOffice and Google Sheets show it as
text. Cells that came from outside (requesters' names, titles) are also all quoted, so a list
separator inside one (a semicolon, as Kazakh and Russian Excel use) cannot start a new cell.
"""
from __future__ import annotations

import csv
from typing import Any, Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutral(value: Any) -> Any:
    """The cell as text a spreadsheet will not evaluate; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose every string cell goes through ``neutral``."""

    def __init__(self, out, quote_all: bool = False, **options):
        self._writer = csv.writer(out, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutral(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
