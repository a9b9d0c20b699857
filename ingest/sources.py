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
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from natsort import os_sorted

from archive.errors import (FolderUnreadable, InvalidMetadata, MissingManifestPath, OlkeError, ScanError,
                           ScanUnreadable, UndecodableFileName, UsageError, WrongFileType, shown)
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
    except OSError as error:
        raise ScanUnreadable(f"cannot read the sidecar ({error.strerror}); give Olke read access to it", sidecar)
    try:
        return Description.from_mapping(values, base)
    except InvalidMetadata as error:
        raise InvalidMetadata(str(error), sidecar) from None


def discover(paths: list[Path], base: Description,
             notes: list[str] | None = None) -> tuple[list[DocumentSource], list[OlkeError]]:
    """Documents found under ``paths``; errors for paths that cannot be documents.

    Every folder is searched once, however many links lead to it (so a link loop ends); a folder
    that cannot be listed is an error of its own and its neighbours still go in. ``notes`` gets a
    line for each folder skipped as already searched.
    """
    walk = _Walk(base, notes if notes is not None else [])
    for path in paths:
        try:
            _check_name(path)
            if path.is_dir():
                walk.folder(path)
            elif path.exists():
                if not path.is_file():
                    raise WrongFileType("not a regular file (a device, pipe or socket); give a scan file", path)
                if path.suffix.lower() not in SCAN_SUFFIXES and path.suffix:
                    raise WrongFileType("not a scan Olke can read; use PNG, JPEG, TIFF or PDF", path)
                description = read_sidecar(path.parent, base).with_title_default(_title_from(path))
                walk.documents.append(DocumentSource(shown(path), [path], description))
            elif path.is_symlink():
                raise ScanError("a link that leads nowhere, or back to itself; point it at a scan or a folder",
                                path)
            else:
                raise ScanError("no such file or folder; check the path", path)
        except OlkeError as error:
            walk.errors.append(error)
        except OSError as error:
            walk.errors.append(ScanUnreadable(f"cannot read it ({error.strerror}); check that it exists and "
                                              "that Olke may read it", path))
    return walk.documents, walk.errors


@dataclass
class _Walk:
    base: Description
    notes: list[str]
    documents: list[DocumentSource] = field(default_factory=list)
    errors: list[OlkeError] = field(default_factory=list)
    searched: set[Path] = field(default_factory=set)   # folders by their real path

    def folder(self, folder: Path) -> None:
        real = folder.resolve()
        if real in self.searched:
            self.notes.append(f"skipped {shown(folder)}: the same folder as {shown(real)}, searched already "
                              "(a link leads back to it)")
            return
        self.searched.add(real)
        try:
            entries = [e for e in os_sorted(folder.iterdir()) if not e.name.startswith((".", "_"))]
            kinds = {e: _kind(e) for e in entries}
        except OSError as error:
            raise FolderUnreadable(f"cannot list the folder ({error.strerror}); give Olke read access to it "
                                   "(chmod a+rX) or move it out of the way, then run again", folder) from None
        description = read_sidecar(folder, self.base)
        files = [e for e in entries if kinds[e] == "file"]
        images = [e for e in files if e.suffix.lower() in IMAGE_SUFFIXES]
        pdfs = [e for e in files if e.suffix.lower() == ".pdf"]
        others = [e for e in files if e.suffix.lower() not in SCAN_SUFFIXES and e.name != SIDECAR]
        bad_names = [e for e in images if not _decodable(e)]
        if bad_names:
            self.errors.append(UndecodableFileName(
                f"{_UNDECODABLE}; the folder {shown(folder.name)} is one document and is not archived until then",
                bad_names[0]))
        elif images:
            self.documents.append(DocumentSource(shown(folder), images,
                                                 description.with_title_default(_title_from(folder)),
                                                 skipped=others))
        for pdf in pdfs:
            if _decodable(pdf):
                self.documents.append(DocumentSource(shown(pdf), [pdf],
                                                     description.with_title_default(_title_from(pdf))))
            else:
                self.errors.append(UndecodableFileName(_UNDECODABLE, pdf))
        for sub in (e for e in entries if kinds[e] == "folder"):
            try:
                _check_name(sub)
                self.folder(sub)
            except OlkeError as error:
                self.errors.append(error)


_UNDECODABLE = ("the name is not UTF-8 (shown escaped); rename it, e.g. with convmv -f cp1251 -t utf8, "
                "and run again")


def _decodable(path: Path) -> bool:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_name(path: Path) -> None:
    if not _decodable(path):
        raise UndecodableFileName(_UNDECODABLE, path)


def _kind(entry: Path) -> str:
    """'file', 'folder' or '' (anything else, a dangling link among them); following links."""
    mode = entry.stat().st_mode if entry.exists() else 0
    return "file" if stat.S_ISREG(mode) else "folder" if stat.S_ISDIR(mode) else ""


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
            written = (row.pop(MANIFEST_PATH_COLUMN) or "").strip()
            if not written:
                raise MissingManifestPath(f"the row has no '{MANIFEST_PATH_COLUMN}'; write the scan's file or "
                                          "folder there (relative to the manifest), or delete the row")
            target = (manifest.parent / written).resolve()
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
    name = path.stem if path.is_file() else path.name
    name = "".join(c if c.isprintable() else " " for c in name)   # a newline in a name is no part of a title
    return " ".join(name.replace("_", " ").replace("-", " ").split())
