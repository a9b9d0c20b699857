"""`olke review` and `olke correct`: the pages OCR was unsure of, and a person's text for them."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from archive.cli_context import emit_json, open_archive
from archive.errors import UsageError


@click.command("review")
@click.option("--document", "document_id", type=int, help="Only this document's pages.")
@click.option("--limit", type=click.IntRange(1), help="Show at most this many pages.")
@click.option("--json", "as_json", is_flag=True, help="Print the pages as JSON.")
@click.pass_context
def review(ctx, document_id, limit, as_json):
    """List the pages that need a look (OCR verdict failed or doubtful), worst first.

    Failed pages come before doubtful ones; then the worst reason (no text where there is ink,
    little text for the ink, low confidence, columns uncertain, language not the document's),
    then the lowest confidence.

    \b
    Examples:
      olke review --limit 20
      olke review --document 12 --json
    """
    from archive.corrections import queue, reason_words

    catalog = open_archive(ctx).catalog
    if document_id:
        catalog.get(document_id)
    pages = queue(catalog, limit, document_id)
    if as_json:
        emit_json([p.as_dict() for p in pages])
        return
    if not pages:
        click.echo("No pages need a look.")
        return
    for p in pages:
        confidence = f", confidence {p.confidence:.0f}%" if p.confidence is not None else ""
        click.echo(f"document {p.document_id} page {p.number}: {p.verdict} ({reason_words(p.reasons) or p.verdict}"
                   f"{confidence}) \u00ab{p.title}\u00bb")
    click.echo(f"{len(pages)} page{'s' if len(pages) != 1 else ''} shown; correct one with "
               "`olke correct ID PAGE --text-file F`, or keep its reading with `olke correct ID PAGE --accept`.")


def _read_lines(path: Path) -> list[str]:
    try:
        data = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text; save it as UTF-8 and try again") from None
    except OSError as error:
        raise UsageError(f"cannot read {path} ({error.strerror}); check the name") from None
    return data.splitlines()


@click.command("correct")
@click.argument("document_id", type=int)
@click.argument("page", type=click.IntRange(1))
@click.option("--text-file", type=click.Path(dir_okay=False, path_type=Path),
              help="The page's corrected text, UTF-8, one line of the page a line ('-': standard input).")
@click.option("--accept", is_flag=True, help="Keep the reading as it is and mark the page ok.")
@click.option("--show", is_flag=True, help="Print the page's text a line of the page a line, to edit.")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@click.pass_context
def correct(ctx, document_id, page, text_file, accept, show, as_json):
    """Correct a page's text, or accept its reading; the catalog keeps the machine reading.

    The corrected text replaces the page's text in search, the viewer and the PDF's text layer,
    and the page's verdict becomes ok. Lines are matched to the lines of the page image, so keep
    one line of the page a line (`--show` prints them that way).

    \b
    Examples:
      olke correct 12 4 --show > page-4.txt     # edit page-4.txt, then:
      olke correct 12 4 --text-file page-4.txt
      olke correct 12 5 --accept
    """
    from archive.corrections import page as catalog_page
    from ocr.lines import group_lines

    archive = open_archive(ctx)
    if sum(map(bool, (text_file, accept, show))) != 1:
        raise UsageError("give one of: --text-file F (the corrected text), --accept (the reading is right) "
                         "or --show (print the page's lines)")
    if show:
        found = catalog_page(archive.catalog, document_id, page)
        lines = group_lines(found["words"])
        click.echo("\n".join(line.text for line in lines) if lines else found["text"])
        return
    if accept:
        done = archive.accept_page(document_id, page)
    else:
        done = archive.correct_page(document_id, page, _read_lines(text_file))
    if as_json:
        emit_json(done)
    elif accept:
        click.echo(f"Document {document_id} page {page} accepted as read; its verdict is ok.")
    else:
        click.echo(f"Document {document_id} page {page} corrected ({done['characters']} characters); "
                   "its verdict is ok, and search and the PDF use the corrected text.")
