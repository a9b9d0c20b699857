"""Page ranges as people write them: "3", "1-4, 7", "12–14" (en dash); '' means every page."""
from __future__ import annotations

import re

_PART = re.compile(r"^\s*(\d{1,5})\s*(?:[-–—]\s*(\d{1,5}))?\s*$")
MAX_TEXT = 100


class PageRangeError(ValueError):
    """``code`` is bad_pages (cannot be read) or pages_outside (beyond the document)."""

    def __init__(self, code: str, last: int | None = None):
        self.code, self.last = code, last
        super().__init__(code)


def parse(text: str | None, page_count: int | None = None) -> list[int]:
    """The page numbers, sorted and unique; every page for ''. Raises PageRangeError."""
    text = (text or "").strip()
    if not text:
        if page_count is None:
            return []
        return list(range(1, page_count + 1))
    if len(text) > MAX_TEXT:
        raise PageRangeError("bad_pages")
    numbers: set[int] = set()
    for part in re.split(r"[,;]", text):
        if not part.strip():
            continue
        match = _PART.match(part)
        if not match:
            raise PageRangeError("bad_pages")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if first < 1 or last < first:
            raise PageRangeError("bad_pages")
        if page_count is not None and last > page_count:
            raise PageRangeError("pages_outside", page_count)
        if last - first > 10000:
            raise PageRangeError("bad_pages")
        numbers.update(range(first, last + 1))
    if not numbers:
        raise PageRangeError("bad_pages")
    return sorted(numbers)


def normalise(text: str | None, page_count: int | None = None) -> str:
    """The canonical form, "1-3,5"; '' for every page of the document."""
    numbers = parse(text, page_count)
    if not (text or "").strip() or (page_count is not None and numbers == list(range(1, page_count + 1))):
        return ""
    return compact(numbers)


def compact(numbers: list[int]) -> str:
    runs, start = [], None
    for index, number in enumerate(numbers):
        if start is None:
            start = number
        if index + 1 == len(numbers) or numbers[index + 1] != number + 1:
            runs.append(str(start) if start == number else f"{start}-{number}")
            start = None
    return ",".join(runs)
