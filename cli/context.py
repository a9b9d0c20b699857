"""What every `olke` command needs from the command line's context: the data home's archive."""
from __future__ import annotations

import json

import click


def open_archive(ctx: click.Context):
    """The archive of the chosen data home, opened once per command, with the reader of scans that
    ingest and OCR lend it."""
    from archive.library import Archive
    from ingest.reader import ScanReader

    root = ctx.find_root()
    if "archive" not in root.obj:
        root.obj["archive"] = Archive(root.obj["home"], ScanReader())
    return root.obj["archive"]


def open_catalog(ctx: click.Context):
    return open_archive(ctx).catalog


def emit_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
