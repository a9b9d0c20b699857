"""The app's one Archive, shared by waitress's threads.

The catalog has one SQLite connection; a lock serialises its use, so reads and the usage
counters never interleave on it. The Whoosh index needs no lock: each thread keeps its own
searcher, and moves to a rebuilt index (a new generation) at its next search. Opening the Archive
once (not per request) also runs the catalog's recovery once.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from flask import Flask, current_app

from archive.catalog import Catalog
from archive.home import Home
from archive.library import Archive
from archive.reader import Reader


class Store:
    def __init__(self, home: Home, reader: Reader | None = None):
        self.archive = Archive(home, reader)
        _ = self.archive.index        # open it now, not in the first request's thread
        self._lock = threading.RLock()

    @property
    def home(self) -> Home:
        return self.archive.home

    @contextmanager
    def locked(self) -> Iterator[Archive]:
        """The archive, for this thread alone meanwhile: its catalog and its desks."""
        with self._lock:
            yield self.archive

    @contextmanager
    def catalog(self) -> Iterator[Catalog]:
        with self.locked() as archive:
            yield archive.catalog

    def search(self, request):
        return self.archive.search(request)

    def close(self) -> None:
        with self._lock:
            self.archive.close()


def init_app(app: Flask) -> None:
    app.extensions["olke"] = Store(Home.resolve(app.config["OLKE_HOME"]), app.config.get("OLKE_READER"))


def get_store() -> Store:
    return current_app.extensions["olke"]
