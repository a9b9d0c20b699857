"""A timeline of the results: documents found per year of publication, as bars that filter.

Drawn on the server as SVG (no JavaScript needed); each bar is a link to the results of that
year. Years without documents keep their place, so gaps show. A span of more than MAX_BARS
years is drawn by decade.
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_BARS = 80
WIDTH, HEIGHT = 600, 80         # the drawing's own units; it scales to the column


@dataclass(frozen=True)
class Bar:
    label: str                  # 1998, or 1990–1999
    start: int
    end: int
    count: int
    x: float
    y: float
    width: float
    height: float


def bars(year_counts: list[tuple[str, int]]) -> list[Bar]:
    """Bars for the year facet's (year, documents) pairs; none when fewer than two years have any."""
    counts: dict[int, int] = {}
    for year, count in year_counts:
        if str(year).isdigit() and count:
            counts[int(year)] = counts.get(int(year), 0) + count
    if len(counts) < 2:
        return []
    first, last = min(counts), max(counts)
    step = 1 if last - first + 1 <= MAX_BARS else 10
    if step == 10:
        first, last = first - first % 10, last - last % 10
    slots = list(range(first, last + 1, step))
    totals = [sum(counts.get(year, 0) for year in range(start, start + step)) for start in slots]
    top = max(totals)
    width = WIDTH / len(slots)
    found = []
    for index, (start, total) in enumerate(zip(slots, totals)):
        height = 0.0 if not total else max(2.0, HEIGHT * total / top)
        label = str(start) if step == 1 else f"{start}–{start + 9}"
        found.append(Bar(label, start, start + step - 1, total, round(index * width, 2), round(HEIGHT - height, 2),
                         round(max(width - 1, 0.5), 2), round(height, 2)))
    return found
