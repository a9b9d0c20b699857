"""`olke review` and `olke correct`: the pages OCR was unsure of, and a person's text for them."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.context import emit_json, open_archive
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
@click.option("--reread", is_flag=True,
              help="Read the page again from its original scan, another way (--deskew, --clean, --osd), and "
                   "print the new reading; add --keep to make it the page's text.")
@click.option("--deskew", is_flag=True, help="With --reread: straighten the page first.")
@click.option("--clean", is_flag=True,
              help="With --reread: read a cleaned copy (light evened, contrast stretched, dark borders removed).")
@click.option("--osd", is_flag=True, help="With --reread: detect the page's orientation first.")
@click.option("--keep", is_flag=True, help="With --reread: keep the new reading as the page's text.")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@click.pass_context
def correct(ctx, document_id, page, text_file, accept, show, reread, deskew, clean, osd, keep, as_json):
    """Correct a page's text, or accept its reading; the catalog keeps the machine reading.

    The corrected text replaces the page's text in search, the viewer and the PDF's text layer,
    and the page's verdict becomes ok. Lines are matched to the lines of the page image, so keep
    one line of the page a line (`--show` prints them that way).

    \b
    Examples:
      olke correct 12 4 --show > page-4.txt     # edit page-4.txt, then:
      olke correct 12 4 --text-file page-4.txt
      olke correct 12 5 --accept
      olke correct 12 6 --reread --deskew --clean          # look at the new reading, then:
      olke correct 12 6 --reread --deskew --clean --keep
    """
    from archive.corrections import page as catalog_page
    from archive.lines import group_lines

    archive = open_archive(ctx)
    if sum(map(bool, (text_file, accept, show, reread))) != 1:
        raise UsageError("give one of: --text-file F (the corrected text), --accept (the reading is right), "
                         "--show (print the page's lines) or --reread (read it again another way)")
    ways = {name for name, wanted in (("deskew", deskew), ("clean", clean), ("osd", osd)) if wanted}
    if (ways or keep) and not reread:
        raise UsageError("--deskew, --clean, --osd and --keep go with --reread")
    if reread:
        _reread(archive, document_id, page, ways, keep, as_json)
        return
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


def _reread(archive, document_id: int, page: int, ways: set[str], keep: bool, as_json: bool) -> None:
    from archive.corrections import reason_words
    from archive.pages import page_as_dict
    from archive.reader import WAYS
    from ingest.reread import reread
    from ocr import get_engine

    reading = reread(archive.catalog, get_engine(), document_id, page, ways)
    how = ", ".join(w for w in WAYS if w in ways) or "the default way"
    done = archive.keep_reading(document_id, page, reading, details={"ways": sorted(ways)}) if keep else None
    if as_json:
        emit_json({"reading": page_as_dict(reading), "kept": done})
        return
    verdict = reading.verdict or (done or {}).get("verdict") or "not judged"
    reasons = reason_words(list(reading.reasons) or (done or {}).get("reasons") or [])
    confidence = f", confidence {reading.confidence:.0f}%" if reading.confidence is not None else ""
    click.echo(f"New reading of document {document_id} page {page} ({how}): {verdict}"
               f"{' (' + reasons + ')' if reasons else ''}{confidence}, {len(reading.text)} characters.")
    click.echo(reading.text)
    if keep:
        click.echo(f"Kept: it is now the page's text, and its verdict is {done['verdict']}.")
    else:
        flags = "".join(f" --{w}" for w in WAYS if w in ways)
        click.echo(f"Nothing changed; keep it with: olke correct {document_id} {page} --reread{flags} --keep")
