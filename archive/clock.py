"""The library's day and hour: a document digitised, a request received or a plan loaded counts in
the day (and quarter) the library lived it, in its time zone (``OLKE_TIMEZONE``, Asia/Almaty by
default), whatever zone the server's clock keeps. `use_library_time` makes that zone the process's
local time, so that ``date.today()`` and ``astimezone()`` everywhere give the library's day, and
the web apps show times in the same zone."""
from __future__ import annotations

import os
import time
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from archive.errors import UsageError

DEFAULT_ZONE = "Asia/Almaty"


def library_zone() -> str:
    """The library's time zone, as the operator set it (``OLKE_TIMEZONE``)."""
    return os.environ.get("OLKE_TIMEZONE", "").strip() or DEFAULT_ZONE


def use_library_time(zone: str | None = None) -> str:
    """Make `zone` (the library's, by default) the process's local time zone; its name."""
    zone = zone or library_zone()
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown time zone {zone!r} (OLKE_TIMEZONE): give one such as Asia/Almaty or Asia/Aqtobe")
    if os.environ.get("TZ") != zone:
        os.environ["TZ"] = zone
        time.tzset()
    return zone


def local_time(stamp: str) -> str:
    """A stored UTC time (ISO 8601) as the library's local date and minute: 2026-12-05 03:50."""
    return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")


def local_stamp(stamp: str) -> str:
    """A stored UTC time (ISO 8601) in the library's zone, still ISO 8601 with its offset
    (2026-12-05T03:50:19+05:00): a spreadsheet shows the library's day, a program the same moment."""
    return datetime.fromisoformat(stamp).astimezone().isoformat(timespec="seconds")
