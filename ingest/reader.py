"""The archive's reader (``archive.reader.Reader``): fresh scans archived through the ingest pipeline,
pages read again from their original scans, corrected text written into a PDF's text layer."""
from __future__ import annotations

from pathlib import Path

from archive.catalog import Catalog
from archive.home import Home
from archive.library import Archive
from archive.lines import Line
from archive.metadata import Description
from archive.pages import PageResult
from archive.reader import PageSource
from archive.errors import FulfilmentFailed
from ocr.engine import OcrEngine


class ScanReader:
    def __init__(self, engine: OcrEngine | None = None):
        self._engine = engine

    @property
    def engine(self) -> OcrEngine:
        """The engine given, else the configured one (``OLKE_OCR_ENGINE``), chosen at each use."""
        from ocr.engine import get_engine

        return self._engine or get_engine()

    def archive_scan(self, archive: Archive, files: list[Path], description: Description, user: str) -> int:
        from ingest.pipeline import IngestOptions, ingest
        from ingest.sources import discover

        sources, problems = discover(files, description)
        if problems:
            raise problems[0]
        if len(sources) != 1:
            raise FulfilmentFailed("give the scan of one document: one PDF, one image, or a folder of page images")
        (outcome,) = ingest(sources, archive, self.engine, IngestOptions(workers=1, user=user, skip_duplicates=True))
        if outcome.error is not None:
            raise outcome.error
        return outcome.document_id

    def locate_page(self, catalog: Catalog, document_id: int, number: int) -> PageSource:
        from ingest import reread

        return reread.locate(catalog, document_id, number)

    def read_page(self, home: Home, source: PageSource, number: int, ways: set[str]) -> PageResult:
        from ingest import reread

        return reread.read(home, self.engine, source, number, ways)

    def replace_page_text(self, pdf: Path, number: int, lines: list[Line], output: Path) -> None:
        from ocr.relayer import replace_page_text

        replace_page_text(pdf, number, lines, output)
