"""One error hierarchy for Olke.

Every error carries the exit code the CLI uses and the HTTP status the web app uses, and a
message that says what to do next. The CLI and Flask each map it in a single handler.
"""
from __future__ import annotations

from pathlib import Path


class OlkeError(Exception):
    exit_code = 1
    http_status = 500

    def __init__(self, message: str, path: Path | str | None = None):
        self.path = str(path) if path is not None else None
        super().__init__(message)

    @property
    def message(self) -> str:
        text = str(self)
        return f"{self.path}: {text}" if self.path else text


class UsageError(OlkeError):
    exit_code = 2
    http_status = 400


class InvalidMetadata(UsageError):
    """A metadata value is missing, unknown or malformed."""


class InvalidPlan(UsageError):
    """A plan file cannot be read; the message names the row and what to write instead."""


class NotFound(OlkeError):
    exit_code = 3
    http_status = 404


class ScanError(OlkeError):
    """Something is wrong with an input file; the rest of a batch still goes in."""

    exit_code = 4
    http_status = 422


class ScanUnreadable(ScanError):
    pass


class ScanEmpty(ScanError):
    pass


class WrongFileType(ScanError):
    pass


class DecompressionBomb(ScanError):
    pass


class ScanEncrypted(ScanError):
    pass


class DuplicateScan(ScanError):
    exit_code = 5
    http_status = 409

    def __init__(self, message: str, path=None, existing_id: int | None = None):
        super().__init__(message, path)
        self.existing_id = existing_id


class OcrFailed(OlkeError):
    exit_code = 6
    http_status = 500


class MissingDependency(OlkeError):
    """A program or Tesseract language pack is not installed."""

    exit_code = 7
    http_status = 503


class MissingLanguagePack(MissingDependency):
    pass


class ArchiveBusy(OlkeError):
    exit_code = 8
    http_status = 503


class IndexDamaged(OlkeError):
    """The search index cannot be read; the catalog can always rebuild it."""

    exit_code = 9
    http_status = 503


class Interrupted(OlkeError):
    exit_code = 130
