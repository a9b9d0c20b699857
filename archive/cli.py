"""The `olke` command: parses, calls archive/ and ingest/, and turns errors into messages."""
from __future__ import annotations

import json
import signal
import sqlite3
import threading
import traceback
from pathlib import Path

import click

from archive.cli_context import emit_json, open_archive, open_catalog
from archive.corrections import history, needs_look_message, reason_words
from archive.errors import DiskFull, OlkeError, is_disk_full, shown
from archive.home import Home
from archive.metadata import ACCESS, KINDS, LANGUAGES, Description

EXAMPLES = {}


class OlkeGroup(click.Group):
    """Maps every OlkeError to one line on stderr and its exit code; tracebacks only with --verbose."""

    def invoke(self, ctx):
        try:
            try:
                return super().invoke(ctx)
            except (OSError, sqlite3.Error) as error:
                home = ctx.obj["home"].root if ctx.obj and ctx.obj.get("home") else Path.cwd()
                archive = (ctx.obj or {}).get("archive")
                opened_read_only = archive is not None and archive.catalog.conn.full_disk
                if is_disk_full(error, home) or (opened_read_only and isinstance(error, sqlite3.Error)):
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


def description_options(func):
    options = [
        click.option("--kind", type=click.Choice(KINDS), help="newspaper_article, journal_article, book, other"),
        click.option("--title"), click.option("--authors", help="Names separated by ';'"),
        click.option("--source", help="Newspaper or journal title"), click.option("--issue"),
        click.option("--published", help="YYYY, YYYY-MM or YYYY-MM-DD"),
        click.option("--source-pages", help="Pages in the source, e.g. 3 or 12-14"),
        click.option("--language", type=click.Choice(LANGUAGES), help="kaz, rus or auto (detect)"),
        click.option("--rubrics", help="Rubrics separated by ';'"), click.option("--udc"), click.option("--notes"),
        click.option("--access", type=click.Choice(ACCESS)),
        click.option("--digitised-on", help="YYYY-MM-DD; default today"), click.option("--digitised-by"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def ocr_step_options(command):
    """Options that force a step of OCR on or off; by default each page's checks decide."""
    for option in reversed([
        click.option("--deskew/--no-deskew", default=None,
                     help="Straighten every page / none (default: the pages that are skewed)."),
        click.option("--no-rotate", is_flag=True, help="Do not turn sideways pages upright."),
        click.option("--osd", is_flag=True,
                     help="Check every page's orientation before OCR, upside-down too (about 0.6 s a page)."),
        click.option("--clean/--no-clean", default=None,
                     help="Read a cleaned copy of every page / none (default: pages with dark borders, "
                          "faint ink or uneven light)."),
        click.option("--reread/--no-reread", default=True,
                     help="Read a page again another way when its first reading is poor (default: on)."),
    ]):
        command = option(command)
    return command


@main.command("ingest")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@description_options
@click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV with a 'path' column and one row per document")
@click.option("--force-ocr", is_flag=True, help="OCR PDFs that already carry text, replacing it.")
@click.option("--skip-duplicates", is_flag=True, help="Note scans already archived instead of failing.")
@ocr_step_options
@click.option("--workers", type=click.IntRange(1, 64), help="Parallel workers; default: all cores.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.pass_context
def ingest_cmd(ctx, paths, manifest, force_ocr, skip_duplicates, deskew, no_rotate, osd, clean, reread, workers,
               as_json, **fields):
    """Archive scans: OCR them into searchable PDF/A and record them in the catalog.

    PATHS are image files (PNG, JPEG, TIFF), PDFs, or folders; a folder of page images is one
    document. Default: scans/.

    \b
    Examples:
      olke ingest scans/raion-gazeti-1998/ --kind newspaper_article --source "Өлке" --language kaz
      olke ingest --manifest batch.csv
    """
    from ingest.pipeline import IngestOptions, ingest
    from ingest.progress import BarReporter

    interrupt_on_sigterm()
    from ingest.sources import discover, read_manifest
    from ocr import get_engine

    base = Description.from_mapping({k: v for k, v in fields.items() if v is not None})
    sources, errors, notes = [], [], []
    if manifest:
        sources, errors = read_manifest(manifest, base)
    if paths or not manifest:
        found, problems = discover(list(paths) or [Path("scans")], base, notes)
        sources += found
        errors += problems
    archive = open_archive(ctx)
    options = IngestOptions(force_ocr=force_ocr, skip_duplicates=skip_duplicates, deskew=deskew,
                            rotate_pages=not no_rotate, always_osd=osd, clean=clean, reread=reread,
                            **({"workers": workers} if workers else {}))
    reporter = BarReporter(quiet=as_json, verbose=ctx.obj["verbose"])
    for note in notes:
        reporter.note(note)
    for source in sources:
        for skipped in source.skipped:
            reporter.note(f"skipped {shown(skipped)}: not a scan (PNG, JPEG, TIFF or PDF)")
    from ingest.pipeline import Outcome

    outcomes = [Outcome(e.path or "?", "failed", error=e) for e in errors]
    for outcome in outcomes:
        reporter.outcome(outcome)
    archived: list[int] = []
    try:
        outcomes += ingest(sources, archive.catalog, get_engine(), options, reporter, archived=archived.append)
    finally:
        # also what an earlier run committed to the catalog but did not get into the index
        archive.catch_up(archived)
    if as_json:
        emit_json([o.as_dict() for o in outcomes])
    else:
        reporter.summary(outcomes)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        ctx.exit(failed[0].error.exit_code)


@main.command("reocr")
@click.argument("document_id", type=int)
@ocr_step_options
@click.pass_context
def reocr_cmd(ctx, document_id, deskew, no_rotate, osd, clean, reread):
    """OCR a document again from its archived original scans.

    \b
    Example:
      olke reocr 12 --clean
    """
    from ingest.pipeline import IngestOptions, reocr
    from ingest.progress import BarReporter
    from ocr import get_engine

    interrupt_on_sigterm()
    archive = open_archive(ctx)
    outcome = reocr(document_id, archive.catalog, get_engine(), IngestOptions(deskew=deskew, clean=clean, rotate_pages=not no_rotate,
                                                                     always_osd=osd, reread=reread),
                    BarReporter())
    archive.catch_up([document_id])
    click.echo(f"Document {document_id} OCRed again: {outcome.pages} pages.")
    if outcome.look:
        click.echo(needs_look_message([(document_id, *page) for page in outcome.look]))
    for note in outcome.notes:
        click.echo(f"note: document {document_id}: {note}")


def interrupt_on_sigterm() -> None:
    """SIGTERM (a service manager stopping Olke, `kill`) ends a long command as Ctrl-C does:
    its workers and the OCR programs stop, and the archive stays consistent."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


@main.command("list")
@click.option("--kind", type=click.Choice(KINDS))
@click.option("--language", type=click.Choice(("kaz", "rus")))
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def list_cmd(ctx, kind, language, limit, as_json):
    """List archived documents, newest first.

    \b
    Example:
      olke list --kind book --language kaz
    """
    documents = open_catalog(ctx).documents(kind=kind, language=language, limit=limit)
    if as_json:
        emit_json([d.as_dict() for d in documents])
        return
    if not documents:
        click.echo("The archive is empty. Add scans with: olke ingest PATH")
        return
    for d in documents:
        click.echo(f"{d.id:>5}  {d.digitised_on}  {d.kind:<17} {d.language}  {d.page_count:>4} p.  {d.title}")


@main.command("show")
@click.argument("document_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def show_cmd(ctx, document_id, as_json):
    """Show a document: description, pages (with OCR verdicts), files and history.

    \b
    Example:
      olke show 12 --json
    """
    catalog = open_catalog(ctx)
    document = catalog.get(document_id)
    pages = catalog.pages(document_id)
    files = catalog.files(document_id)
    events = catalog.events(document_id)
    corrections = history(catalog, document_id)
    if as_json:
        emit_json({"document": document.as_dict(),
                    "pages": [{k: p[k] for k in ("number", "confidence", "language", "width_pt", "height_pt",
                                                 "verdict")}
                              | {"reasons": json.loads(p["verdict_reasons"]), "characters": len(p["text"]),
                                 "words": len(p["words"])} for p in pages],
                    "files": files, "events": events, "corrections": [
                        {k: c[k] for k in ("number", "action", "machine_verdict", "machine_reasons", "user", "at")}
                        for c in corrections]})
        return
    for field in Description.FIELDS:
        value = getattr(document, field)
        if isinstance(value, list):
            value = "; ".join(value)
        if value:
            click.echo(f"{field:>13}: {value}")
    size = sum(f["size_bytes"] for f in files if f["role"] == "pdf")
    click.echo(f"{'pages':>13}: {document.page_count}  (PDF {size / 1e6:.2f} MB)")
    for page in pages:
        conf = f"{page['confidence']:.0f}%" if page["confidence"] is not None else "text layer"
        click.echo(f"{'':>13}  page {page['number']:>3}: {page['language'] or '?'}, confidence {conf}, "
                   f"{len(page['text'])} characters, {verdict_text(page)}")
    for event in events:
        click.echo(f"{'history':>13}: {event['at']} {event['action']} by {event['user']}")
    for correction in corrections:
        click.echo(f"{'history':>13}: {correction['at']} page {correction['number']} {correction['action']} "
                   f"by {correction['user']}")


def verdict_text(page: dict) -> str:
    """"ok", "doubtful: low confidence", "not judged"."""
    reasons = json.loads(page["verdict_reasons"]) if isinstance(page["verdict_reasons"], str) \
        else page["verdict_reasons"]
    if not page["verdict"]:
        return "not judged"
    return f"{page['verdict']}: {reason_words(reasons)}" if reasons else page["verdict"]


@main.command("delete")
@click.argument("document_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def delete_cmd(ctx, document_id, yes):
    """Delete a document and its files (the catalog keeps a record that it was deleted).

    \b
    Example:
      olke delete 12
    """
    archive = open_archive(ctx)
    document = archive.catalog.get(document_id)
    if not yes:
        click.confirm(f"Delete document {document_id} \u00ab{document.title}\u00bb ({document.page_count} pages)?",
                      abort=True)
    archive.delete(document_id)
    click.echo(f"Deleted document {document_id}.")


def _register_command_groups() -> None:
    """Commands that live in their own modules (one module, one job)."""
    import importlib

    for module, name in (("archive.cli_plan", "plan"), ("archive.cli_search", "search"),
                         ("archive.cli_search", "index"), ("archive.cli_web", "serve"),
                         ("archive.cli_web", "collection"), ("archive.cli_export", "export"),
                         ("archive.cli_export", "import_metadata"), ("archive.cli_requests", "requests"),
                         ("archive.cli_requests", "staff"), ("archive.cli_requests", "serve_staff"),
                         ("archive.cli_review", "review"), ("archive.cli_review", "correct")):
        try:
            main.add_command(getattr(importlib.import_module(module), name))
        except ModuleNotFoundError as error:
            if error.name != module:
                raise


_register_command_groups()
