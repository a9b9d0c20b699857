"""`olke plan …`: load the year's digitisation plan, show it, and report plan against actual."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from archive.vocabulary import INTERFACE_LANGUAGES as LANGUAGES

# The same as archive.plans.formats.FORMATS (a test keeps them so); written out here so that
# `olke --help` does not import the report modules.
FORMATS = ("table", "csv", "json", "xlsx", "pdf")
QUARTER_NAMES = {"1": 1, "2": 2, "3": 3, "4": 4, "I": 1, "II": 2, "III": 3, "IV": 4}


def _quarter(ctx, param, value):
    if value is None:
        return None
    if str(value).upper() not in QUARTER_NAMES:
        raise click.BadParameter(f"'{value}' is not a quarter; use 1-4 or I-IV")
    return QUARTER_NAMES[str(value).upper()]


year_option = click.option("--year", type=int, default=lambda: date.today().year, show_default="this year",
                           help="The plan year.")
lang_option = click.option("--lang", type=click.Choice(LANGUAGES), default="kk", show_default=True,
                           help="Labels in Kazakh, Russian or English.")


@click.group("plan")
def plan():
    """The quarterly digitisation plan: load it, show it, report plan against actual.

    \b
    Example:
      olke plan load plans/plan-2026.toml
      olke plan report --year 2026 --quarter II --format pdf --output plan-2026-q2.pdf
    """


@plan.command("load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--year", type=int, help="Refuse the file unless it is the plan for this year.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of the notes on totals that do not add up.")
@click.pass_context
def load_cmd(ctx, file, year, lang):
    """Load a year's plan from a TOML file, replacing that year's plan if there is one.

    The figures are kept exactly as written; totals that disagree with their parts are listed.

    \b
    Example:
      olke plan load plans/plan-2026.toml
    """
    from cli.context import open_archive
    from archive.plans.plan import read_plan_file
    from archive.plans.report import inconsistency_sentence

    plan_ = read_plan_file(file, year)
    previous = open_archive(ctx).plans.load(plan_)
    replaced = f", replacing the one loaded {previous.loaded_at} from {previous.source_name}" if previous else ""
    click.echo(f"Loaded the {plan_.year} plan from {file}{replaced}.")
    problems = plan_.inconsistencies()
    if problems:
        click.echo(f"The plan does not add up in {len(problems)} places; its figures are kept as stated "
                   "and reports show both:")
        for item in problems:
            click.echo(f"  - {inconsistency_sentence(lang, item)}")


@plan.command("show")
@year_option
@lang_option
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.option("--toml", "as_toml", is_flag=True, help="Print the plan file as loaded, to edit and load again.")
@click.pass_context
def show_cmd(ctx, year, lang, as_json, as_toml):
    """Show a year's plan in the library's layout, with where it does not add up.

    \b
    Example:
      olke plan show --year 2026 --lang ru
    """
    from cli.context import open_archive
    from archive.plans.formats import render_plan

    plan_ = open_archive(ctx).plans.get(year)
    if as_toml:
        click.echo(plan_.source_text, nl=False)
    elif as_json:
        click.echo(json.dumps(plan_.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_plan(plan_, lang), nl=False)


@plan.command("list")
@click.pass_context
def list_cmd(ctx):
    """List the loaded plans: year, file, when and by whom loaded.

    \b
    Example:
      olke plan list
    """
    from cli.context import open_archive

    plans = open_archive(ctx).plans.loaded()
    if not plans:
        click.echo("No plans loaded. Load one with: olke plan load FILE")
    for p in plans:
        click.echo(f"{p['year']}  {p['source_name']}  loaded {p['loaded_at']} by {p['loaded_by']}"
                   f"  ({p['loads']} loads)")


@plan.command("report")
@year_option
@click.option("--quarter", callback=_quarter, help="One quarter only: 1-4 or I-IV. Default: the whole year.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@lang_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE; xlsx and pdf default to plan-report-YEAR[-qN]-LANG.FORMAT.")
@click.pass_context
def report_cmd(ctx, year, quarter, fmt, lang, output):
    """Report plan against actual: documents and pages by kind and quarter, in Kazakh, MB, deliveries.

    \b
    Examples:
      olke plan report --year 2026
      olke plan report --year 2026 --quarter II --format xlsx --lang ru --output plan-2026-q2.xlsx
    """
    from cli.context import open_archive
    from archive.errors import UsageError
    from archive.plans.formats import BINARY_FORMATS, render

    content = render(open_archive(ctx).plans.report(year, quarter), fmt, lang)
    if output is None and fmt in BINARY_FORMATS:
        output = Path(f"plan-report-{year}{f'-q{quarter}' if quarter else ''}-{lang}.{fmt}")
    if output is None:
        click.echo(content, nl=False)
        return
    try:
        if isinstance(content, bytes):
            output.write_bytes(content)
        else:   # with a byte-order mark, so that Excel reads Cyrillic CSV right
            output.write_text(content, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
    except OSError as error:
        raise UsageError(f"cannot write the report: {error.strerror}", output) from None
    click.echo(f"Wrote {output}")
