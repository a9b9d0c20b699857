"""What a bibliographer sees while a batch runs: a progress bar over pages, a line per document."""
from __future__ import annotations

import click
from tqdm import tqdm

from archive.grammar import counted


class BarReporter:
    def __init__(self, quiet: bool = False, verbose: bool = False):
        self.quiet = quiet
        self.verbose = verbose
        self.bar: tqdm | None = None

    def _line(self, text: str, err: bool = False) -> None:
        if self.bar is not None:
            self.bar.write(text, file=None)
        else:
            click.echo(text, err=err)

    def note(self, text: str) -> None:
        if not self.quiet:
            self._line(text, err=True)

    def start(self, documents: int, pages: int) -> None:
        if pages and not self.quiet:
            self.bar = tqdm(total=pages, unit="page", desc=f"OCR {documents} doc.", dynamic_ncols=True,
                            disable=None)

    def page_done(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def outcome(self, outcome) -> None:
        if self.quiet:
            return
        if outcome.status in ("ingested", "reocred"):
            self._line(f"archived {outcome.label} as document {outcome.document_id} ({counted(outcome.pages, 'page')})")
            if outcome.notes:
                self._line(f"note: {outcome.label}: {'; '.join(outcome.notes)}")
        elif outcome.status == "duplicate" and outcome.error is None:
            self._line(f"skipped {outcome.label}: already in the archive as document {outcome.document_id}")
        else:
            if self.verbose:
                import traceback

                error = outcome.error.__cause__ or outcome.error
                traceback.print_exception(error)
            click.echo(f"olke: error: {outcome.error.message}", err=True)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def summary(self, outcomes) -> None:
        archived = [o for o in outcomes if o.status == "ingested"]
        duplicates = sum(1 for o in outcomes if o.status == "duplicate")
        failed = sum(1 for o in outcomes if not o.ok and o.status != "duplicate")
        parts = [f"{counted(len(archived), 'document')} archived ({counted(sum(o.pages for o in archived), 'page')})"]
        if duplicates:
            parts.append(f"{duplicates} already in the archive")
        if failed:
            parts.append(f"{failed} failed")
        click.echo("Done: " + ", ".join(parts) + ".")
        look = [(o.document_id, *page) for o in archived for page in o.look]
        if look:
            from archive.corrections import needs_look_message

            click.echo(needs_look_message(look))
