"""Stored files: a document's files are staged aside, then moved into the data home in one step."""
from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from archive.home import Home
from archive.pages import PageResult

MEDIA_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
               ".tif": "image/tiff", ".tiff": "image/tiff"}


@dataclass
class StagedDocument:
    """Everything one document needs, written under ``directory`` before it enters the catalog."""

    directory: Path
    pages: list[PageResult]
    ocr_engine: str | None
    page_images: list[tuple[int, Path, Path]] = field(default_factory=list)  # (number, page, thumbnail)
    notes: list[str] = field(default_factory=list)   # what was done to the file, said once at ingest

    @property
    def pdf(self) -> Path:
        return self.directory / "document.pdf"

    @property
    def originals_dir(self) -> Path:
        return self.directory / "originals"

    @property
    def pages_dir(self) -> Path:
        return self.directory / "pages"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def new_staging_dir(home: Home) -> Path:
    """A private work folder, named after this process so a later run can tell it is abandoned."""
    path = home.staging_dir / f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
    path.mkdir(parents=True)
    return path


def clear_abandoned_staging(home: Home) -> None:
    if not home.staging_dir.exists():
        return
    for entry in home.staging_dir.iterdir():
        pid = entry.name.split("-", 1)[0]
        if not (pid.isdigit() and process_alive(int(pid))):
            shutil.rmtree(entry, ignore_errors=True)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def file_rows(home: Home, final_dir: Path, staged: StagedDocument) -> list[dict]:
    """Catalog rows for every file of a staged document, as it will be once moved to ``final_dir``."""
    rows = []

    def add(role: str, path: Path, page: int | None = None) -> None:
        final = final_dir / path.relative_to(staged.directory)
        rows.append({"role": role, "page": page, "path": final.relative_to(home.root).as_posix(),
                     "media_type": MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream"),
                     "size_bytes": path.stat().st_size, "sha256": sha256_file(path)})

    add("pdf", staged.pdf)
    for original in sorted(staged.originals_dir.iterdir()) if staged.originals_dir.exists() else []:
        add("original", original)
    for number, page_image, thumbnail in staged.page_images:
        add("page_image", page_image, number)
        add("thumbnail", thumbnail, number)
    return rows
