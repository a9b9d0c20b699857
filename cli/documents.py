"""`olke list`, `olke show` and `olke delete`: the archived documents."""
from __future__ import annotations

import json

import click

from archive.corrections import history, reason_words
from archive.grammar import counted
from archive.metadata import Description
from archive.vocabulary import KINDS, LANGUAGES
from cli.context import emit_json, open_archive, open_catalog


@click.command("list")
@click.option("--kind", type=click.Choice(KINDS))
@click.option("--language", type=click.Choice(LANGUAGES))
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


@click.command("show")
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
        conf = f"{page['confidence']:.0f}%" if page["confidence"] is not None else \
            "text layer" if json.loads(page.get("ocr_steps") or "{}").get("text_layer") else "none (no word read)"
        click.echo(f"{'':>13}  page {page['number']:>3}: {page['language'] or '?'}, confidence {conf}, "
                   f"{len(page['text'])} characters, {verdict_text(page)}{stamp_text(page)}")
    for event in events:
        click.echo(f"{'history':>13}: {event['at']} {event['action']} by {event['user']}")
    for correction in corrections:
        click.echo(f"{'history':>13}: {correction['at']} page {correction['number']} {correction['action']} "
                   f"by {correction['user']}")


def stamp_text(page: dict) -> str:
    """"; read without its stamp's ink" for a page with a coloured stamp over its text; "; a stamp
    over the text" for one with a stamp of another colour (its words may be lost)."""
    steps = json.loads(page.get("ocr_steps") or "{}")
    if "stamp" in (steps.get("found") or []):
        return "; read without its stamp's ink"
    if (steps.get("checks") or {}).get("marks"):
        return "; a stamp over the text"
    return ""


def verdict_text(page: dict) -> str:
    """"ok", "doubtful: low confidence", "not judged"."""
    reasons = json.loads(page["verdict_reasons"]) if isinstance(page["verdict_reasons"], str) \
        else page["verdict_reasons"]
    if not page["verdict"]:
        return "not judged"
    return f"{page['verdict']}: {reason_words(reasons)}" if reasons else page["verdict"]


@click.command("delete")
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
        click.confirm(f"Delete document {document_id} \u00ab{document.title}\u00bb ({counted(document.page_count, 'page')})?",
                      abort=True)
    archive.delete(document_id)
    click.echo(f"Deleted document {document_id}.")
