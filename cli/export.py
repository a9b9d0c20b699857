"""`olke export marc` (records for IRBIS64/RABIS) and `olke import-metadata` (bulk description fixes)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from archive.errors import UsageError
from archive.grammar import counted
from cli.context import open_archive

# The same as archive.marc.FORMATS / SERIALISATIONS; written out so `olke --help` does not import pymarc.
FORMATS = ("rusmarc", "marc21")
SERIALISATIONS = ("iso2709", "marcxml")
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
SUFFIXES = {"iso2709": ".iso", "marcxml": ".xml"}


@click.group("export")
def export():
    """Export the archive's descriptions for other systems.

    \b
    Example:
      olke export marc --format rusmarc --output olke.iso
    """


@export.command("marc")
@click.option("--format", "format_", type=click.Choice(FORMATS), default="rusmarc", show_default=True,
              help="RUSMARC (IRBIS64, RABIS) or MARC 21.")
@click.option("--as", "serialisation", type=click.Choice(SERIALISATIONS), default="iso2709", show_default=True,
              help="ISO 2709 exchange file or MARCXML; both UTF-8.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write; '-' for standard output. Default: olke-FORMAT.iso or .xml")
@click.option("--base-url", default=DEFAULT_BASE_URL, show_default=True,
              help="The reading room's public address, for the links to the PDFs (field 856).")
@click.option("--library", metavar="CODE",
              help="Only the documents this library holds. With several libraries every record names its holding "
                   "library (RUSMARC 899, MARC 21 852).")
@click.pass_context
def marc_cmd(ctx, format_, serialisation, output, base_url, library):
    """Write one MARC record per archived document, with a link to its PDF.

    \b
    Examples:
      olke export marc --base-url https://olke.kitaphana.kz --output olke.iso
      olke export marc --format marc21 --as marcxml --output olke.xml
      olke export marc --library ekibastuz-cbs --output ekibastuz.iso
    """
    from archive import marc

    archive = open_archive(ctx)
    code = archive.libraries.resolve(library) if library else None
    documents = list(reversed(archive.catalog.documents(library=code)))
    holders = {lib.code: lib for lib in archive.libraries.all()} if archive.libraries.several() else None
    target = output or Path(f"olke-{format_}{SUFFIXES[serialisation]}")
    if str(target) == "-":
        count = marc.write(documents, sys.stdout.buffer, format_, serialisation, base_url.rstrip("/"), holders)
        sys.stdout.flush()
        click.echo(f"Wrote {count} records.", err=True)
        return
    partial = target.with_name(f".{target.name}.partial")
    try:
        with open(partial, "wb") as out:
            count = marc.write(documents, out, format_, serialisation, base_url.rstrip("/"), holders)
        os.replace(partial, target)
    except OSError as error:
        raise UsageError(f"cannot write {target} ({error.strerror}); choose another --output") from None
    finally:
        partial.unlink(missing_ok=True)
    label = {"rusmarc": "RUSMARC", "marc21": "MARC 21"}[format_]
    click.echo(f"Wrote {count} records to {target} ({label}, {'ISO 2709' if serialisation == 'iso2709' else 'MARCXML'},"
               " UTF-8).")
    if base_url == DEFAULT_BASE_URL:      # the records' links lead to this machine only
        click.echo(f"note: the records link to {DEFAULT_BASE_URL}; give --base-url with the reading room's "
                   "public address for links that work elsewhere", err=True)


@click.command("import-metadata")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option("--match", type=click.Choice(("id", "file")),
              help="Find documents by the id column or the file column. Default: id if there is one.")
@click.pass_context
def import_metadata(ctx, file, dry_run, match):
    """Attach or correct the descriptions of archived documents from a CSV, all or nothing.

    One row per document: an id (or file) column and any description columns, named as in an
    ingest manifest. Empty cells leave a field as it is.

    \b
    Examples:
      olke import-metadata corrections.csv --dry-run
      olke import-metadata by-scan-name.csv --match file
    """
    from archive.errors import InvalidMetadata
    from archive.metadata_import import apply_import, plan_import

    archive = open_archive(ctx)
    plan = plan_import(archive.catalog, file, match)
    if dry_run or not plan.errors:
        for change in plan.changes:
            _show(change)
    for error in plan.errors:
        click.echo(error, err=True)
    if plan.errors:
        raise InvalidMetadata(f"{len(plan.errors)} of the rows in {file.name} have errors (above); nothing was "
                              "changed. Fix them and run again")
    unchanged = len(plan.changes) - len(plan.changed)
    tail = f"; {unchanged} without changes" if unchanged else ""
    if dry_run:
        click.echo(f"Would change {_documents(len(plan.changed))}{tail}. Nothing was changed (dry run).")
        return
    apply_import(archive, plan)
    click.echo(f"Changed {_documents(len(plan.changed))}{tail}.")


def _documents(count: int) -> str:
    return counted(count, "document")


def _show(change) -> None:
    differences = change.differences
    click.echo(f"document {change.document_id} (row {change.row}):" + ("" if differences else " no change"))
    for name, (old, new) in differences.items():
        click.echo(f"  {name}: {_value(old)} → {_value(new)}")


def _value(value) -> str:
    if isinstance(value, (list, tuple)):
        value = "; ".join(value)
    return value if value not in (None, "") else "(empty)"
