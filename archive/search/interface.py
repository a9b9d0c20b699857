"""What the archive needs from a search engine: to search, and to keep its pages in step with the
catalog. Whoosh answers it (``archive.search.index.WhooshIndex``); a server engine could too. What a
search asks and answers is ``archive.search.model``; keeping the index in step is ``sync``.
"""
from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Iterable

from archive import rubrics
from archive.search.model import SearchRequest, SearchResults


@dataclass
class IndexCheck:
    missing: list[str]       # page keys in the catalog, not in the index
    extra: list[str]         # page keys in the index, not in the catalog
    stale: list[int]         # documents whose indexed metadata differs from the catalog
    outdated: bool = False   # written by an older Olke, in a layout this one reads more slowly

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale or self.outdated)


class SearchIndex(ABC):
    """An index of the catalog's pages, one index document a page (its text, and its document's
    description); requests and results are the engine-neutral ``archive.search.model``."""

    @abstractmethod
    def search(self, request: SearchRequest) -> SearchResults:
        """Documents that match, with their best pages and snippets, and the facet counts."""

    @abstractmethod
    def highlight_terms(self, text: str, languages=None) -> dict[str, list[str]]:
        """The index terms a query stands for (stems, fuzzy variants, quoted phrases), to mark on
        pages of `languages` (any, if None): read from the query and the lexicon, not by a search."""

    @abstractmethod
    def replace_documents(self, documents: Iterable[tuple[object, list[dict]]]) -> int: ...

    @abstractmethod
    def delete_documents(self, document_ids: Iterable[int]) -> None: ...

    @abstractmethod
    def keys(self) -> dict[str, tuple]: ...

    @abstractmethod
    def page_counts(self) -> dict[int, int]:
        """Pages indexed per document: cheap enough to compare with the catalog at every start."""

    @abstractmethod
    def rebuild(self, documents: Iterable[tuple[object, list[dict]]], before_swap=None) -> int:
        """Index these documents afresh, aside, and swap them in at once for the index as it was."""

    @abstractmethod
    def optimize(self) -> None: ...

    @abstractmethod
    def clear(self) -> None: ...

    def outdated(self) -> bool:
        """Whether the index was written in an older layout than this version writes."""
        return False


def metadata_signature(document) -> tuple:
    """What an index keeps of a document's description, in the order of ``SearchIndex.keys``' values
    after the document's id: compared with the catalog's to find stale pages."""
    return (document.title, document.kind, document.language, document.source or "", document.published or "",
            document.access, rubrics.facet_value(document.rubrics))


def bulk_processes() -> int:
    """How many processes a bulk load (a rebuild) analyses and writes with: one a core, up to 4,
    forked from this one; but only this one while it runs other threads too (a web server's, a
    test runner's): a fork copies the locks other threads hold at that moment, and a child that
    needs one of them waits forever, and its parent with it."""
    if threading.active_count() > 1:
        return 1
    return max(1, min(4, os.cpu_count() or 1))
