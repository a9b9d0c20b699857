"""`olke worker`: OCR documents that `olke ingest --queue` puts on the queue (rq on Redis)."""
from __future__ import annotations

import click


@click.command("worker")
@click.option("--queue-url", envvar="OLKE_QUEUE_URL", default=None, metavar="URL",
              help="The Redis queue; default: $OLKE_QUEUE_URL or redis://127.0.0.1:6379/0.")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty instead of waiting for more jobs.")
@click.option("--jobs", type=click.IntRange(1, 64), help="Pages of a document OCRed at once; default: all cores.")
@click.pass_context
def worker(ctx, queue_url, burst, jobs):
    """OCR documents from the queue into the shared data home; the ingest that submitted them
    archives them. Run one on each OCR machine; it sees the scans at the paths they were submitted
    with, and the data home (--home) as a shared folder.

    \b
    Example:
      olke --home /srv/olke worker --queue-url redis://ocr-hub:6379/0
    """
    from ingest.queue import DEFAULT_URL, serve

    serve(ctx.find_root().obj["home"], queue_url or DEFAULT_URL, burst=burst, jobs=jobs)
