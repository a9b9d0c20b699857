"""Which search engine answers: Whoosh (the default) or tantivy, chosen by ``OLKE_SEARCH``.

Both implement ``archive.search.interface.SearchIndex`` over the same analysis (Olke's own Kazakh
and Russian analysers), so they find the same pages; each keeps its own folder in the data home.
"""
from __future__ import annotations

import os
from pathlib import Path

from archive.errors import UsageError
from archive.search.interface import SearchIndex

BACKENDS = ("whoosh", "tantivy")
DEFAULT = "whoosh"
ENVIRONMENT = "OLKE_SEARCH"


def chosen(backend: str | None = None) -> str:
    """The engine asked for (`backend`, else ``OLKE_SEARCH``, else Whoosh)."""
    name = (backend or os.environ.get(ENVIRONMENT) or DEFAULT).strip().lower()
    if name not in BACKENDS:
        raise UsageError(f"{ENVIRONMENT}={name!r} is no search engine Olke knows; use one of: {', '.join(BACKENDS)}")
    return name


def new_index(directory: Path, backend: str | None = None) -> SearchIndex:
    """The index of the chosen engine in `directory`."""
    if chosen(backend) == "tantivy":
        from archive.search.tantivy_index import TantivyIndex

        return TantivyIndex(directory)
    from archive.search.index import WhooshIndex

    return WhooshIndex(directory)


def index_directory(index_dir: Path, backend: str | None = None) -> Path:
    """Where a data home keeps the chosen engine's index: Whoosh's in ``index/``, tantivy's beside it."""
    return index_dir if chosen(backend) == DEFAULT else index_dir.with_name(f"{index_dir.name}-{chosen(backend)}")
