"""The `olke` command: parses, calls archive/ and ingest/, and turns errors into messages.

One module per command group: ``ingest`` (ingest, reocr), ``documents`` (list, show, delete),
``search`` (search, index), ``plan``, ``delivery`` (requests, staff), ``export`` (export,
import-metadata), ``review`` (review, correct), ``web`` (serve, serve-staff, collection) and
``worker`` (OCR jobs from a queue), ``libraries`` (the libraries of the system);
``context`` is what every command takes from the command line's context.
"""
from __future__ import annotations

import traceback
from pathlib import Path

import click

from archive.clock import use_library_time
from archive.db import DatabaseError
from archive.errors import DiskFull, OlkeError, is_disk_full
from archive.home import Home
from cli.context import open_catalog


class OlkeGroup(click.Group):
    """Maps every OlkeError to one line on stderr and its exit code; tracebacks only with --verbose."""

    def invoke(self, ctx):
        try:
            try:
                return super().invoke(ctx)
            except (OSError, DatabaseError) as error:
                home = ctx.obj["home"].root if ctx.obj and ctx.obj.get("home") else Path.cwd()
                archive = (ctx.obj or {}).get("archive")
                opened_read_only = archive is not None and archive.catalog.full_disk
                if is_disk_full(error, home) or (opened_read_only and isinstance(error, DatabaseError)):
                    raise DiskFull.at(home) from error
                raise
        except OlkeError as error:
            if ctx.obj and ctx.obj.get("verbose"):
                traceback.print_exc()
            click.echo(f"olke: error: {error.message}", err=True)
            ctx.exit(error.exit_code)


@click.group(cls=OlkeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), envvar="OLKE_HOME",
              help="Data home (catalog, files, index). Default: $OLKE_HOME or ./var")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="olke")
@click.pass_context
def main(ctx, home, verbose):
    """Olke: scans of local-history newspapers, journals and books → searchable PDF/A archive.

    \b
    Example:
      olke ingest scans/ --kind newspaper_article --language kaz
    """
    ctx.ensure_object(dict)
    use_library_time()
    ctx.obj.update(home=Home.resolve(home), verbose=verbose)


@main.command("init")
@click.pass_context
def init_cmd(ctx):
    """Create the data home (every command also creates it on first use).

    \b
    Example:
      olke --home /srv/olke init
    """
    catalog = open_catalog(ctx)
    click.echo(f"Data home ready: {catalog.home.root}")



def _add_commands() -> None:
    from cli import delivery, documents, export, ingest, libraries, plan, review, search, web, worker

    for command in (ingest.ingest_cmd, ingest.reocr_cmd, documents.list_cmd, documents.show_cmd,
                    documents.delete_cmd, plan.plan, search.search, search.index, web.serve, web.serve_staff,
                    web.collection, export.export, export.import_metadata, delivery.requests, delivery.staff, delivery.mail,
                    review.review, review.correct, worker.worker, libraries.library):
        main.add_command(command)


_add_commands()
