"""`olke ingest` and `olke reocr`: scans in, OCRed and archived; an archived document read again."""
from __future__ import annotations

import signal
import threading
from pathlib import Path

import click

from archive.corrections import needs_look_message
from archive.errors import shown
from archive.grammar import counted
from archive.metadata import Description
from archive.vocabulary import ACCESS, DESCRIBED_LANGUAGES, KINDS
from cli.context import emit_json, open_archive


def description_options(func):
    options = [
        click.option("--kind", type=click.Choice(KINDS), help="newspaper_article, journal_article, book, other"),
        click.option("--title"), click.option("--authors", help="Names separated by ';'"),
        click.option("--source", help="Newspaper or journal title"), click.option("--issue"),
        click.option("--published", help="YYYY, YYYY-MM or YYYY-MM-DD"),
        click.option("--source-pages", help="Pages in the source, e.g. 3 or 12-14"),
        click.option("--language", type=click.Choice(DESCRIBED_LANGUAGES), help="kaz, rus or auto (detect)"),
        click.option("--rubrics", help="Rubrics separated by ';'"), click.option("--udc"), click.option("--notes"),
        click.option("--access", type=click.Choice(ACCESS)),
        click.option("--digitised-on", help="YYYY-MM-DD; default today"), click.option("--digitised-by"),
        click.option("--library", help="The code of the library that holds the documents (see `olke library "
                                       "list`); default: the default library"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _check_libraries(archive, sources):
    """The sources whose library (option, sidecar key or manifest column) the register has, and an error
    for each of the others, before any OCR is done."""
    from archive.errors import InvalidMetadata, OlkeError

    good, errors = [], []
    for source in sources:
        try:
            if source.description.library is not None:
                archive.libraries.resolve(source.description.library)
            good.append(source)
        except OlkeError as error:
            errors.append(InvalidMetadata(error.message, source.label))
    return good, errors


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


@click.command("ingest")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@description_options
@click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV with a 'path' column and one row per document")
@click.option("--force-ocr", is_flag=True, help="OCR PDFs that already carry text, replacing it.")
@click.option("--skip-duplicates", is_flag=True, help="Note scans already archived instead of failing.")
@ocr_step_options
@click.option("--workers", type=click.IntRange(1, 64), help="Parallel workers; default: all cores.")
@click.option("--queue", "use_queue", is_flag=True,
              help="OCR on `olke worker` processes through a queue instead of here (see --queue-url).")
@click.option("--queue-url", envvar="OLKE_QUEUE_URL", metavar="URL",
              help="The Redis queue (implies --queue); default: $OLKE_QUEUE_URL, else redis://127.0.0.1:6379/0.")
@click.option("--no-wait", is_flag=True, help="With a queue: submit and return; `--collect` archives later.")
@click.option("--collect", is_flag=True,
              help="Archive the results of every job on the queue, waiting for those still running.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.pass_context
def ingest_cmd(ctx, paths, manifest, force_ocr, skip_duplicates, deskew, no_rotate, osd, clean, reread, workers,
               use_queue, queue_url, no_wait, collect, as_json, **fields):
    """Archive scans: OCR them into searchable PDF/A and record them in the catalog.

    PATHS are image files (PNG, JPEG, TIFF), PDFs, or folders; a folder of page images is one
    document. Default: scans/.

    \b
    Examples:
      olke ingest scans/raion-gazeti-1998/ --kind newspaper_article --source "Өлке" --language kaz
      olke ingest --manifest batch.csv
      olke ingest --queue --queue-url redis://ocr-hub:6379/0 scans/
    """
    from ingest.pipeline import IngestOptions, collect as collect_results, ingest
    from ingest.progress import BarReporter
    from ingest.queue import DEFAULT_URL

    interrupt_on_sigterm()
    if use_queue or collect or no_wait:
        queue_url = queue_url or DEFAULT_URL
    if collect:
        archive = open_archive(ctx)
        reporter = BarReporter(quiet=as_json, verbose=ctx.obj["verbose"])
        options = IngestOptions(skip_duplicates=skip_duplicates, queue_url=queue_url)
        outcomes = collect_results(archive, options, reporter)
        _report(ctx, reporter, outcomes, as_json)
        return
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
    sources, wrong_library = _check_libraries(archive, sources)
    errors += wrong_library
    options = IngestOptions(force_ocr=force_ocr, skip_duplicates=skip_duplicates, deskew=deskew,
                            rotate_pages=not no_rotate, always_osd=osd, clean=clean, reread=reread,
                            queue_url=queue_url, wait=not no_wait, **({"workers": workers} if workers else {}))
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
    # the archive indexes what it archived, and what an earlier run committed but did not index
    outcomes += ingest(sources, archive, get_engine(), options, reporter)
    if queue_url and no_wait and not as_json:
        from ingest.queue import shown_url

        settled = {o.label for o in outcomes}
        left = [s for s in sources if s.label not in settled]
        if left:
            click.echo(f"Submitted {counted(len(left), 'document')} to the queue at {shown_url(queue_url)}; "
                       "`olke ingest --collect` archives them once the workers are done.")
        if not outcomes:
            return
    _report(ctx, reporter, outcomes, as_json)


def _report(ctx, reporter, outcomes, as_json: bool) -> None:
    if as_json:
        emit_json([o.as_dict() for o in outcomes])
    else:
        reporter.summary(outcomes)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        ctx.exit(failed[0].error.exit_code)


@click.command("reocr")
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
    outcome = reocr(document_id, archive, get_engine(), IngestOptions(deskew=deskew, clean=clean, rotate_pages=not no_rotate,
                                                                     always_osd=osd, reread=reread),
                    BarReporter())
    click.echo(f"Document {document_id} OCRed again: {counted(outcome.pages, 'page')}.")
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


