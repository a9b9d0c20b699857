"""`olke library …`: the libraries of a centralised library system that one installation serves."""
from __future__ import annotations

import click

from archive.grammar import counted
from cli.context import emit_json, open_archive

FIELDS = (("name_kk", "--name-kk", "The name in Kazakh."), ("name_ru", "--name-ru", "The name in Russian."),
          ("name_en", "--name-en", "The name in English."), ("town", "--town", "The town or village."),
          ("address", "--address", "The postal address."),
          ("email", "--email", "The e-mail address of its delivery desk."),
          ("delivery_terms", "--delivery-terms", "Its terms of electronic delivery, told to requesters."))


def field_options(command):
    """The register's fields as options, and --default."""
    command = click.option("--default", "make_default", is_flag=True,
                           help="Make it the library that holds documents, plans and requests given no library.")(command)
    for name, option, text in reversed(FIELDS):
        command = click.option(option, name, help=text)(command)
    return command


@click.group("library")
def library():
    """The libraries of the system: a central library and its branches, or a regional library and the
    district libraries. One installation with one library never needs this.

    \b
    Example:
      olke library add pavlodar-obl --name-kk "Павлодар облыстық кітапханасы" --town Павлодар
    """


@library.command("add")
@click.argument("code")
@field_options
@click.pass_context
def add_cmd(ctx, code, make_default, **values):
    """Add a library to the register; CODE is short, lowercase Latin, used in commands and web addresses.

    \b
    Example:
      olke library add ekibastuz-cbs --name-kk "Екібастұз қалалық орталықтандырылған кітапхана жүйесі" \\
          --name-ru "Экибастузская городская ЦБС" --town Екібастұз --email edd@ekibastuz-cbs.kz
    """
    libraries = open_archive(ctx).libraries
    added = libraries.add(code, **{k: v for k, v in values.items() if v is not None})
    if make_default:
        libraries.edit(code, make_default=True)
    click.echo(f"Library '{added.code}' added ({added.name('kk')}). Ingest its documents with: "
               f"olke ingest FOLDER --library {added.code}")
    for unnamed in (lib for lib in libraries.all() if lib.name("kk") == lib.code):
        click.echo(f"Library '{unnamed.code}' has no name yet, and readers now see its code: name it with "
                   f"olke library edit {unnamed.code} --name-kk \"…\" --name-ru \"…\"")


@library.command("edit")
@click.argument("code")
@field_options
@click.pass_context
def edit_cmd(ctx, code, make_default, **values):
    """Change a library's names, town, address, e-mail or delivery terms (an empty value clears one).

    \b
    Example:
      olke library edit main --name-kk "Павлодар облыстық кітапханасы" --name-ru "Павлодарская областная библиотека"
    """
    changed = open_archive(ctx).libraries.edit(code, make_default, **{k: v for k, v in values.items() if v is not None})
    click.echo(f"Library '{changed.code}' saved ({changed.name('kk')}).")


@library.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the libraries as JSON.")
@click.pass_context
def list_cmd(ctx, as_json):
    """List the libraries with what they hold.

    \b
    Example:
      olke library list
    """
    libraries = open_archive(ctx).libraries
    found, held = libraries.all(), libraries.holdings()
    if as_json:
        emit_json([lib.as_dict() | {"documents": held.get(lib.code, (0, 0))[0], "pages": held.get(lib.code, (0, 0))[1]}
                   for lib in found])
        return
    for lib in found:
        documents, pages = held.get(lib.code, (0, 0))
        mark = " (default)" if lib.is_default else ""
        town = f", {lib.town}" if lib.town else ""
        click.echo(f"{lib.code:<20} {lib.name('kk')}{town}{mark}: {counted(documents, 'document')}, {counted(pages, 'page')}")
