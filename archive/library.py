"""The archive as the CLI, the web apps and the tests use it: the one way into the data.

Its writes of documents keep the catalog, the files and the search index in step; the rest of
what the catalog holds is reached through its desks, each bound to the catalog: ``delivery``
(delivery requests), ``plans`` (plans and reports), ``collections``, ``staff`` (the staff app's
users), ``libraries`` (the libraries of the system) and ``usage`` (views and downloads). The SQL
stays in the catalog layer below them.
Its ``reader`` (``archive.reader``) is what the layers above lend it to read scans: OCR, ingest.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from archive.catalog import Catalog
from archive.home import Home
from archive.metadata import Description
from archive.reader import NoReader, Reader

if TYPE_CHECKING:
    from archive.collections import Collections
    from archive.delivery.desk import DeliveryDesk
    from archive.delivery.staff import StaffUsers
    from archive.libraries import Libraries
    from archive.plans.desk import PlanDesk
    from archive.storage import StagedDocument
    from archive.usage import Usage


class Archive:
    def __init__(self, home: Home, reader: Reader | None = None):
        self.home = home
        self.catalog = Catalog(home)
        self.reader: Reader = reader or NoReader()
        self._batch: list[int] | None = None      # the documents written in the batch under way

    @cached_property
    def index(self):
        from archive.search.sync import open_index

        return open_index(self.catalog)

    # --- the desks: what the catalog holds besides documents ---------------------------------------

    @cached_property
    def delivery(self) -> DeliveryDesk:
        from archive.delivery.desk import DeliveryDesk

        return DeliveryDesk(self.catalog)

    @cached_property
    def plans(self) -> PlanDesk:
        from archive.plans.desk import PlanDesk

        return PlanDesk(self.catalog)

    @cached_property
    def collections(self) -> Collections:
        from archive.collections import Collections

        return Collections(self.catalog)

    @cached_property
    def staff(self) -> StaffUsers:
        from archive.delivery.staff import StaffUsers

        return StaffUsers(self.catalog)

    @cached_property
    def libraries(self) -> Libraries:
        from archive.libraries import Libraries

        return Libraries(self.catalog)

    @cached_property
    def usage(self) -> Usage:
        from archive.usage import Usage

        return Usage(self.catalog)

    def close(self) -> None:
        self.catalog.close()

    def documents_changed(self, document_ids: Iterable[int]) -> int:
        """Bring the index up to date for these documents (added, re-OCRed, edited or deleted)."""
        from archive.search.sync import index_documents

        ids = list(document_ids)
        if not ids:
            return 0
        return index_documents(self.catalog, self.index, ids)

    def catch_up(self, document_ids: Iterable[int] = ()) -> list[int]:
        """Index these documents and whatever else the catalog holds that the index lacks (cheap
        when nothing does); returns the documents indexed."""
        from archive.search.sync import catch_up

        return catch_up(self.catalog, self.index, document_ids)

    def rebuild_index(self, progress=None) -> int:
        """Index every document afresh, aside, then swap the new index in (searches go on meanwhile);
        ``progress(n)`` is told of each document done. Returns the pages indexed."""
        from archive.search.sync import rebuild

        return rebuild(self.catalog, self.index, progress)

    def pages_lacking(self) -> int:
        """How many of the catalog's pages the search index lacks (e.g. one written by the other
        engine), judged cheaply by page counts; ``check_index`` says which."""
        from archive.search.sync import pages_lacking

        return pages_lacking(self.catalog, self.index)

    def check_index(self):
        """Where the index and the catalog differ (``archive.search.interface.IndexCheck``)."""
        from archive.search.sync import check

        return check(self.catalog, self.index)

    # --- writing documents: the catalog and its files first, then the index ---------------------

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Index the documents written inside together, when the batch ends however it ends (one index
        commit for a whole ingest), with whatever else the catalog holds that the index lacks (a run
        cut off between a catalog commit and the index keeps its mark; see ``catch_up``). A batch
        inside a batch is part of it."""
        if self._batch is not None:
            yield
            return
        self._batch = []
        try:
            yield
        finally:
            written, self._batch = self._batch, None
            self.catch_up(written)

    def _written(self, document_id: int) -> None:
        if self._batch is not None:
            self._batch.append(document_id)
        else:
            self.documents_changed([document_id])

    def add_document(self, description: Description, staged: StagedDocument, scan_sha256: str,
                     user: str | None = None, details: dict | None = None) -> int:
        """Archive a document OCRed and staged by ingest: its row, pages and files in one transaction,
        then its pages in the index; returns its id."""
        document_id = self.catalog.add_document(description, staged, scan_sha256, user, details)
        self._written(document_id)
        return document_id

    def replace_content(self, document_id: int, staged: StagedDocument, user: str | None = None,
                        details: dict | None = None) -> None:
        """Swap in a document's re-OCRed PDF, pages and images, then its pages in the index."""
        self.catalog.replace_content(document_id, staged, user, details)
        self._written(document_id)

    def add_scan(self, files: list[Path], description: Description, user: str) -> int:
        """Archive a fresh scan of one document (OCR, catalog, index) as `olke ingest` does, through the
        reader; returns the document's id (the existing one's, if this very scan is archived already)."""
        return self.reader.archive_scan(self, files, description, user)

    def delete(self, document_id: int, user: str | None = None) -> None:
        self.catalog.delete(document_id, user)
        self.documents_changed([document_id])

    def describe(self, document_id: int, description: Description, user: str | None = None) -> None:
        self.catalog.update_description(document_id, description, user)
        self.documents_changed([document_id])

    def correct_page(self, document_id: int, number: int, lines: list[str], user: str | None = None,
                     extra: list[str] = ()) -> dict:
        """A person's text for the page (its lines, and ``extra`` lines the reading missed);
        the catalog keeps the machine reading."""
        from archive import corrections

        done = corrections.correct(self.catalog, self.reader.replace_page_text, document_id, number, lines, user, extra)
        self.documents_changed([document_id])
        return done

    def accept_page(self, document_id: int, number: int, user: str | None = None) -> dict:
        """A person found the page's reading good as it is (its text, so the index, stay)."""
        from archive import corrections

        return corrections.accept(self.catalog, document_id, number, user)

    def keep_reading(self, document_id: int, number: int, reading, user: str | None = None,
                     details: dict | None = None) -> dict:
        """Make a re-reading of the page (``archive.pages.PageResult``) its text."""
        from archive import corrections

        done = corrections.keep_reading(self.catalog, self.reader.replace_page_text, document_id, number, reading,
                                        user, details)
        self.documents_changed([document_id])
        return done

    def search(self, request):
        return self.index.search(request)
