"""Bulk corrections of descriptions from a CSV: every row is checked first, then all are applied at once.

The CSV names each document by an ``id`` column, or by a ``file`` column: an original scan's file
name (as kept under files/<id>/originals) or the path that was given to `olke ingest` (the
'ingested' event's source). The other columns are description fields, named as in an ingest
manifest; an empty cell leaves that field as it is. If any row is wrong nothing is applied.
"""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, fields
from pathlib import Path, PurePosixPath

from archive.catalog import Catalog, Document, now
from archive.errors import InvalidMetadata, UsageError
from archive.metadata import Description

MATCH_COLUMNS = ("id", "file")
_NUMBERED = re.compile(r"^\d{4}-")   # originals of a many-file document are kept as 0001-name.png


@dataclass
class Change:
    row: int
    document_id: int
    before: Description
    after: Description

    @property
    def differences(self) -> dict[str, tuple]:
        return {f.name: (getattr(self.before, f.name), getattr(self.after, f.name)) for f in fields(Description)
                if getattr(self.before, f.name) != getattr(self.after, f.name)}


@dataclass
class ImportPlan:
    source: Path
    changes: list[Change]
    errors: list[str]

    @property
    def changed(self) -> list[Change]:
        return [c for c in self.changes if c.differences]


def description_of(document: Document) -> Description:
    values = {name: getattr(document, name) for name in Description.FIELDS}
    return Description(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the non-empty rows, each with its spreadsheet row number (the header is row 1)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle, strict=True)     # a quote left open is an error, not a field to the end
            rows = [(number, row) for number, row in enumerate(reader, start=2)
                    if any((v or "").strip() for v in row.values() if isinstance(v, str))]
            header = [h.strip() for h in reader.fieldnames or [] if h and h.strip()]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise UsageError(f"cannot read {path} ({error}); save it as UTF-8 CSV") from None
    unknown = [h for h in header if h not in Description.FIELDS and h not in MATCH_COLUMNS]
    if unknown and len(header) == 1 and ";" in header[0]:
        raise UsageError(f"{path}: its columns are separated by ';' (as Excel saves CSV in Russian and Kazakh); "
                         "save it as CSV with commas (CSV UTF-8 in Excel) or in LibreOffice with ',' as the separator")
    if unknown:
        raise UsageError(f"{path}: unknown column '{unknown[0]}'; use id or file, and any of: "
                         f"{', '.join(Description.FIELDS)}")
    return header, [(n, {k.strip(): (v or "").strip() for k, v in row.items() if k and k.strip() in header})
                    for n, row in rows]


def plan_import(catalog: Catalog, path: Path, match: str | None = None) -> ImportPlan:
    header, rows = read_rows(path)
    match = match or ("id" if "id" in header else "file")
    if match not in header:
        raise UsageError(f"{path} has no '{match}' column; add one, or use --match "
                         f"{'file' if match == 'id' else 'id'}")
    finder = _by_id(catalog) if match == "id" else _by_file(catalog)
    plan, seen = ImportPlan(path, [], []), {}
    for number, row in rows:
        try:
            if not row.get(match):
                raise UsageError(f"the {match} cell is empty; name the document")
            document = finder(row[match])
            if document.id in seen:
                raise UsageError(f"document {document.id} is also in row {seen[document.id]}; "
                                 "give each document one row")
            seen[document.id] = number
            before = description_of(document)
            values = {k: v for k, v in row.items() if k not in MATCH_COLUMNS}
            after = Description.from_mapping(values, before)
            if after.language == "auto":
                raise InvalidMetadata("language 'auto' is only for `olke ingest`; use kaz or rus")
            plan.changes.append(Change(number, document.id, before, after))
        except UsageError as error:
            plan.errors.append(f"row {number}: {error}")
    return plan


def apply_import(archive, plan: ImportPlan, user: str | None = None) -> list[int]:
    """Apply every change in one catalog transaction, then update the search index."""
    if plan.errors:
        raise InvalidMetadata(f"{len(plan.errors)} rows of {plan.source} have errors; nothing was changed")
    catalog: Catalog = archive.catalog
    changed = plan.changed
    with catalog.transaction() as conn:
        for change in changed:
            current = catalog.get(change.document_id, include_deleted=True)
            if current.status != "active" or description_of(current) != change.before:
                raise UsageError(f"document {change.document_id} changed while importing; nothing was "
                                 "changed, run the import again")
            values = change.after.as_dict()
            names = sorted(change.differences)
            stored = {c: json.dumps(values[c], ensure_ascii=False) if c in ("authors", "rubrics") else values[c]
                      for c in names}
            conn.execute(f"UPDATE documents SET {', '.join(f'{c} = :{c}' for c in names)}, updated_at = :now"
                         " WHERE id = :id", {**stored, "now": now(), "id": change.document_id})
            catalog._event(change.document_id, "metadata_edited", user,
                           {"changed": names, "imported_from": plan.source.name})
    ids = [c.document_id for c in changed]
    archive.documents_changed(ids)
    return ids


def _by_id(catalog: Catalog):
    def find(value: str) -> Document:
        if not re.fullmatch(r"[0-9]{1,18}", value):
            raise UsageError(f"id '{value}' is not a document number")
        row = catalog.conn.execute("SELECT status FROM documents WHERE id = :id", {"id": int(value)}).fetchone()
        if row is None:
            raise UsageError(f"no document {value}")
        if row[0] != "active":
            raise UsageError(f"document {value} was deleted")
        return catalog.get(int(value))
    return find


def _by_file(catalog: Catalog):
    names: dict[str, set[int]] = {}

    def note(key: str, document_id: int) -> None:
        names.setdefault(key.rstrip("/"), set()).add(document_id)

    active = "JOIN documents d ON d.id = x.document_id AND d.status = 'active'"
    for document_id, path in catalog.conn.execute(
            f"SELECT x.document_id, x.path FROM files x {active} WHERE x.role = 'original'"):
        name = PurePosixPath(path).name
        note(name, document_id)
        note(_NUMBERED.sub("", name), document_id)
    for document_id, details in catalog.conn.execute(
            f"SELECT x.document_id, x.details FROM events x {active} WHERE x.action = 'ingested'"):
        label = json.loads(details).get("source")
        if label:
            note(label, document_id)
            note(Path(label).name, document_id)

    def find(value: str) -> Document:
        key = value.rstrip("/")
        found = names.get(key) or names.get(Path(key).name) or set()
        if not found:
            raise UsageError(f"no document with the file '{value}'; give an original scan's file name or the "
                             "path given to `olke ingest` (see `olke show ID`), or use an id column")
        if len(found) > 1:
            raise UsageError(f"'{value}' matches documents {', '.join(map(str, sorted(found)))}; "
                             "use an id column for these")
        return catalog.get(next(iter(found)))
    return find
