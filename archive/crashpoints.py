"""A test hook: ``OLKE_TEST_CRASH_AT=<point>`` ends the process at that point at once, as `kill -9`
would, so tests can show that a crash there loses nothing. Only the crash tests set it.

Points: ``before-commit`` (a document's files moved into place, its transaction not committed),
``after-commit`` (the document committed, the index not written), ``index-write`` (the index
writer holds the pages, not committed), ``after-index`` (the index committed, its catalog mark
not yet cleared).
"""
from __future__ import annotations

import os

POINTS = ("before-commit", "after-commit", "index-write", "after-index")


def crash_point(name: str) -> None:
    if os.environ.get("OLKE_TEST_CRASH_AT") == name:
        os._exit(137)
