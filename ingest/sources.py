"""Find the documents among the paths a bibliographer points at, and their descriptions.

- a PDF, a multi-page TIFF or a single image is one document;
- a folder of page images is one document, its pages in natural order (page-2 before page-10);
  each PDF in a folder is a document of its own; sub-folders are searched too;
- a folder's ``olke.toml`` describes the documents in it;
- a manifest CSV has one row per document: ``path`` and any description fields.

Descriptions are layered: defaults < command-line options < sidecar < manifest row.
"""
from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from natsort import os_sorted

from archive.errors import InvalidMetadata, OlkeError, ScanError, UsageError, WrongFileType
from archive.metadata import Description
from ingest.scanfile import IMAGE_SUFFIXES, SCAN_SUFFIXES

SIDECAR = "olke.toml"
MANIFEST_PATH_COLUMN = "path"


@dataclass
class DocumentSource:
    label: str                    # what the bibliographer will recognise: the file or folder
    files: list[Path]
    description: Description
    skipped: list[Path] = field(default_factory=list)


def read_sidecar(folder: Path, base: Description) -> Description:
    sidecar = folder / SIDECAR
    if not sidecar.exists():
        return base
    try:
        values = tomllib.loads(sidecar.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InvalidMetadata(f"the sidecar is not valid TOML ({error}); fix it and run again", sidecar)
    try:
        return Description.from_mapping(values, base)
    except InvalidMetadata as error:
        raise InvalidMetadata(str(error), sidecar) from None


def discover(paths: list[Path], base: Description) -> tuple[list[DocumentSource], list[OlkeError]]:
    """Documents found under ``paths``; errors for paths that cannot be documents."""
    documents: list[DocumentSource] = []
    errors: list[OlkeError] = []
    for path in paths:
        try:
            if path.is_dir():
                documents.extend(_from_folder(path, base))
            elif path.exists():
                if path.suffix.lower() not in SCAN_SUFFIXES and path.suffix:
                    raise WrongFileType("not a scan Olke can read; use PNG, JPEG, TIFF or PDF", path)
                description = read_sidecar(path.parent, base).with_title_default(_title_from(path))
                documents.append(DocumentSource(str(path), [path], description))
            else:
                raise ScanError("no such file or folder; check the path", path)
        except OlkeError as error:
            errors.append(error)
    return documents, errors


def _from_folder(folder: Path, base: Description) -> list[DocumentSource]:
    entries = [e for e in os_sorted(folder.iterdir()) if not e.name.startswith((".", "_"))]
    description = read_sidecar(folder, base)
    images = [e for e in entries if e.is_file() and e.suffix.lower() in IMAGE_SUFFIXES]
    pdfs = [e for e in entries if e.is_file() and e.suffix.lower() == ".pdf"]
    others = [e for e in entries if e.is_file() and e.suffix.lower() not in SCAN_SUFFIXES and e.name != SIDECAR]
    documents = []
    if images:
        documents.append(DocumentSource(str(folder), images, description.with_title_default(_title_from(folder)),
                                        skipped=others))
    for pdf in pdfs:
        documents.append(DocumentSource(str(pdf), [pdf], description.with_title_default(_title_from(pdf))))
    for sub in (e for e in entries if e.is_dir()):
        documents.extend(_from_folder(sub, base))
    return documents


def read_manifest(manifest: Path, base: Description) -> tuple[list[DocumentSource], list[OlkeError]]:
    """One document per row; a row's ``path`` is relative to the manifest's folder."""
    try:
        with open(manifest, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise UsageError(f"cannot read the manifest ({error}); save it as UTF-8 CSV", manifest)
    if not rows or MANIFEST_PATH_COLUMN not in rows[0]:
        raise UsageError(f"the manifest needs a '{MANIFEST_PATH_COLUMN}' column and one row per document",
                         manifest)
    documents, errors = [], []
    for line, row in enumerate(rows, start=2):
        where = f"{manifest}:{line}"
        try:
            target = (manifest.parent / row.pop(MANIFEST_PATH_COLUMN).strip()).resolve()
            values = {k.strip(): v for k, v in row.items() if k and k.strip()}
            found, problems = discover([target], base)
            if problems:
                raise problems[0]
            if len(found) != 1:
                raise UsageError(f"'{target.name}' holds {len(found)} documents; give one per row")
            description = Description.from_mapping(values, found[0].description)
            documents.append(DocumentSource(found[0].label, found[0].files, description, found[0].skipped))
        except OlkeError as error:
            errors.append(type(error)(str(error), error.path or where))
    return documents, errors


def _title_from(path: Path) -> str:
    return (path.stem if path.is_file() else path.name).replace("_", " ").replace("-", " ").strip()
