"""What the archive asks of the layers above it that read scans (``ingest`` and ``ocr``).

The archive never imports them. Whoever opens an ``Archive`` hands it a ``Reader``: the ``olke``
command does, and the staff app is given one in its configuration (``OLKE_READER``);
``ingest.reader.ScanReader`` is the one there is. An archive opened without one reads and writes
the catalog as ever, and says so when asked to read a scan.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from archive.errors import UsageError

if TYPE_CHECKING:
    from archive.catalog import Catalog
    from archive.home import Home
    from archive.library import Archive
    from archive.lines import Line
    from archive.metadata import Description
    from archive.pages import PageResult

WAYS = ("deskew", "clean", "osd")   # the other ways a page can be read again


@dataclass(frozen=True)
class PageSource:
    """Where a page's original is: the scan, its type, the page's index in it, the document's language."""
    path: Path
    kind: str
    index: int
    language: str


class Reader(Protocol):
    def archive_scan(self, archive: Archive, files: list[Path], description: Description, user: str) -> int:
        """OCR the scan of one document and archive it as `olke ingest` does, through the archive's
        writes (which keep its index in step); its document's id (the existing one's, if this very scan
        is archived already)."""

    def locate_page(self, catalog: Catalog, document_id: int, number: int) -> PageSource:
        """The original scan that holds the page."""

    def read_page(self, home: Home, source: PageSource, number: int, ways: set[str]) -> PageResult:
        """Read the page again with the ``WAYS`` asked for; the archive stays as it is, and the
        catalog is not needed (nor held) meanwhile."""

    def replace_page_text(self, pdf: Path, number: int, lines: list[Line], output: Path) -> None:
        """Write ``pdf`` to ``output`` with page ``number``'s invisible text made of ``lines``."""


class NoReader:
    """The reader of an archive opened without one: every scan to read is refused, with the way out."""

    def _refuse(self, *args, **kwargs):
        raise UsageError("this archive was opened without a scan reader (OCR), so it cannot read or rewrite "
                         "scans; do it with the olke command or the staff app (olke serve-staff)")

    archive_scan = locate_page = read_page = replace_page_text = _refuse
