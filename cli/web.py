"""`olke serve` (the reading room) and `olke serve-staff` (the staff app) over waitress, and `olke collection`
(curated thematic collections)."""
from __future__ import annotations

import threading

import click

from archive.grammar import counted
from cli.context import open_archive


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on; 0 picks a free one.")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Requests served at once.")
@click.pass_context
def serve(ctx, host, port, threads):
    """Serve the public reading room (search, page viewer, downloads) with waitress.

    \b
    Example:
      olke --home /srv/olke serve --host 0.0.0.0 --port 8000
    """
    from search_app import create_app

    from archive.errors import OlkeError

    home = ctx.obj["home"]
    archive = open_archive(ctx)
    try:
        caught_up = archive.catch_up()
    except OlkeError as error:
        click.echo(f"olke: warning: the search index could not catch up with the catalog: {error.message}",
                   err=True)
    else:
        if caught_up:
            click.echo(f"Indexed {counted(len(caught_up), 'document')} the search index lacked.", err=True)
    if archive.index.outdated():
        click.echo("olke: the search index was written by an older version of Olke; some word forms and "
                   "subjects are found less well, or more slowly, until `olke index rebuild` is run", err=True)
    from archive.search import spelling

    threading.Thread(target=spelling.warm_up, name="olke-spelling", daemon=True).start()
    run_server(create_app({"OLKE_HOME": str(home.root)}), f"Olke reading room for {home.root}",
               host, port, threads, ident="olke")


@click.command("serve-staff")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (keep it internal).")
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True)
@click.pass_context
def serve_staff(ctx, host, port, threads):
    """Serve the staff app (request queue, fulfilment, figures) on its own port, apart from the reading room.

    \b
    Example:
      olke --home /srv/olke serve-staff --port 8001
    """
    from ingest.reader import ScanReader
    from search_app.staff import create_staff_app

    home = ctx.obj["home"]
    run_server(create_staff_app({"OLKE_HOME": str(home.root), "OLKE_READER": ScanReader()}), f"Olke staff app for {home.root}",
               host, port, threads, ident="olke-staff")


def run_server(app, label: str, host: str, port: int, threads: int, ident: str) -> None:
    """Serve `app` with waitress until Ctrl-C, saying where."""
    from waitress import create_server

    server = create_server(app, host=host, port=port, threads=threads, ident=ident)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"{label}: http://{shown}:{server.effective_port}/  (Ctrl-C stops it)")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


@click.group("collection")
def collection():
    """Curated thematic collections shown in the reading room.

    \b
    Example:
      olke collection create abai --title-kk "Абай және өлке" --title-ru "Абай и край"
      olke collection add abai 3 7 12
    """


@collection.command("create")
@click.argument("name")
@click.option("--title-kk", help="Title in Kazakh")
@click.option("--title-ru", help="Title in Russian")
@click.option("--title-en", help="Title in English")
@click.option("--description", help="A sentence or two shown under the title")
@click.pass_context
def create_cmd(ctx, name, title_kk, title_ru, title_en, description):
    """Create a collection; NAME is short, lowercase Latin letters, digits and hyphens.

    \b
    Example:
      olke collection create abai --title-kk "Абай және Семей өңірі" --description "Абай туралы мақалалар"
    """
    made = open_archive(ctx).collections.create(name, title_kk, title_ru, title_en, description)
    click.echo(f"Collection '{made.name}' created. Add documents with: olke collection add {made.name} ID…")


@collection.command("add")
@click.argument("name")
@click.argument("document_ids", nargs=-1, type=int, required=True)
@click.pass_context
def add_cmd(ctx, name, document_ids):
    """Add documents to a collection (in the order given).

    \b
    Example:
      olke collection add abai 3 7
    """
    added = open_archive(ctx).collections.add(name, document_ids)
    already = len(set(document_ids)) - len(added)
    click.echo(f"Added {counted(len(added), 'document')} to '{name}'" + (f" ({already} were already in it)." if already
                                                             else "."))


@collection.command("remove")
@click.argument("name")
@click.argument("document_ids", nargs=-1, type=int, required=True)
@click.pass_context
def remove_cmd(ctx, name, document_ids):
    """Take documents out of a collection (they stay in the archive).

    \b
    Example:
      olke collection remove abai 7
    """
    removed = open_archive(ctx).collections.remove(name, document_ids)
    click.echo(f"Removed {counted(len(removed), 'document')} from '{name}'.")


@collection.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def delete_cmd(ctx, name, yes):
    """Delete a collection (its documents stay in the archive).

    \b
    Example:
      olke collection delete abai --yes
    """
    collections = open_archive(ctx).collections
    found = collections.get(name)
    if not yes:
        click.confirm(f"Delete collection '{name}' ({counted(len(found.document_ids), 'document')})?", abort=True)
    collections.delete(name)
    click.echo(f"Deleted collection '{name}'.")


@collection.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def list_cmd(ctx, as_json):
    """List the collections, most recently changed first.

    \b
    Example:
      olke collection list
    """
    import json

    found = open_archive(ctx).collections.all()
    if as_json:
        click.echo(json.dumps([c.as_dict() for c in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("No collections yet. Create one with: olke collection create NAME --title-kk TITLE")
        return
    for item in found:
        click.echo(f"{item.name:<24} {len(item.document_ids):>4} documents  {item.title('kk')}")


@collection.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def show_cmd(ctx, name, as_json):
    """Show a collection: titles, description and its documents.

    \b
    Example:
      olke collection show abai
    """
    import json

    archive = open_archive(ctx)
    found = archive.collections.get(name)
    if as_json:
        click.echo(json.dumps(found.as_dict(), ensure_ascii=False, indent=2))
        return
    for label in ("title_kk", "title_ru", "title_en", "description"):
        if getattr(found, label):
            click.echo(f"{label:>12}: {getattr(found, label)}")
    click.echo(f"{'documents':>12}: {len(found.document_ids)}")
    for document_id in found.document_ids:
        document = archive.catalog.get(document_id)
        click.echo(f"{document_id:>12}  {document.kind:<17} {document.language}  {document.title}")
