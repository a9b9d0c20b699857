"""One error hierarchy for Olke.

Every error carries the exit code the CLI uses and the HTTP status the web app uses, and a
message that says what to do next. The CLI and Flask each map it in a single handler.
"""
from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path


def shown(path: Path | str) -> str:
    """A path as one printable line: bytes that are not UTF-8 as ``\\xff``, control characters escaped.

    File names may hold any bytes but NUL and '/'; a message naming one must neither fail to print
    nor break into lines or move the terminal's cursor.
    """
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii") for c in text)


class OlkeError(Exception):
    exit_code = 1
    http_status = 500

    def __init__(self, message: str, path: Path | str | None = None):
        self.path = shown(path) if path is not None else None
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


class MissingManifestPath(InvalidMetadata):
    """A manifest row without a path: it would otherwise mean the manifest's whole folder."""


class ImpossibleDate(InvalidMetadata):
    """A date outside what can be true: digitised before 1990 or in the future, published in the future."""


class InvalidPageRange(InvalidMetadata):
    """Pages in the source that are not page numbers or ranges."""


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


class FolderUnreadable(ScanUnreadable):
    """A folder Olke may not list; the files beside it still go in."""


class UndecodableFileName(ScanError):
    """A file name that is not UTF-8 (often a Windows or old Linux encoding): it is shown escaped."""


class ScanEmpty(ScanError):
    pass


class WrongFileType(ScanError):
    pass


class DecompressionBomb(ScanError):
    pass


class PageTooLarge(DecompressionBomb):
    """A PDF page whose bitmap at the OCR resolution would not fit Olke's memory limit per page."""


class ScanEncrypted(ScanError):
    pass


class ActiveContentLeft(ScanError):
    """A PDF whose scripts, actions or attachments could not all be removed; it is not archived."""


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


class DiskFull(OlkeError):
    """No space left where Olke writes; nothing half-written stays behind."""

    exit_code = 12
    http_status = 507

    @classmethod
    def at(cls, path: Path | str) -> "DiskFull":
        mount, free = _free_space(Path(path))
        return cls(f"the disk is full: {free / 1e6:.0f} MB free on {mount}; free space and run again")


# Electronic document delivery (archive.delivery)

class RequestNotFound(NotFound):
    """No request with this code (or not with this e-mail)."""


class InvalidRequest(UsageError):
    """A request's fields do not pass; ``problems`` maps each field to a problem code and its values."""

    http_status = 422

    def __init__(self, problems: dict[str, tuple[str, dict]]):
        self.problems = problems
        listed = "; ".join(f"{name}: {code.replace('_', ' ')}" for name, (code, _) in problems.items())
        super().__init__(f"the request is not complete: {listed}; correct these fields and send it again")


class BadTransition(UsageError):
    """A status change the request's current status does not allow."""

    http_status = 409


class StaffLoginFailed(OlkeError):
    exit_code = 2
    http_status = 401


class LinkInvalid(NotFound):
    """A download link that was never issued here (mistyped or altered)."""


class LinkExpired(OlkeError):
    """A download link past its days or its downloads; the library can send a new one."""

    exit_code = 10
    http_status = 410


class MailFailed(OlkeError):
    """The mail server did not take a letter; it stays queued for `olke requests send-mail`."""

    exit_code = 11
    http_status = 502


class FulfilmentFailed(OlkeError):
    """Pages could not be extracted or stamped."""

    exit_code = 4
    http_status = 422


ENOSPC_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
SQLITE_FULL, SQLITE_IOERR = 13, 10
LOW_SPACE = 1 << 20     # bytes: below this, a disk I/O error of SQLite is taken for a full disk


def is_disk_full(error: BaseException, path: Path | str | None = None) -> bool:
    """Whether `error` means there is no space left (an OSError, or SQLite's "database or disk is
    full", or its "disk I/O error" when the disk at `path` is indeed (nearly) full)."""
    if isinstance(error, DiskFull):
        return True
    if isinstance(error, OSError) and error.errno in ENOSPC_ERRNOS:
        return True
    error = getattr(error, "orig", None) or error      # a DBAPI error as SQLAlchemy wraps it
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return False
    if code & 0xFF == SQLITE_FULL:
        return True
    return code & 0xFF == SQLITE_IOERR and path is not None and _free_space(Path(path))[1] < LOW_SPACE


def _free_space(path: Path) -> tuple[Path, int]:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    mount = path
    while not os.path.ismount(mount) and mount != mount.parent:
        mount = mount.parent
    return mount, shutil.disk_usage(path).free
