"""`olke import-metadata`: bulk corrections by id or file name, a dry run, and all-or-nothing errors."""
from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli import export as cli_export
from archive.errors import UsageError
from archive.home import Home
from archive.library import Archive
from archive.metadata import Description
from archive.metadata_import import apply_import, plan_import
from archive.search.model import SearchRequest
from cli import OlkeGroup
from ingest.pipeline import IngestOptions, ingest
from ingest.sources import discover
from tests.support.fake_ocr import FakeEngine

pytestmark = pytest.mark.databases      # on SQLite and again with the catalog on PostgreSQL


@click.group(cls=OlkeGroup)
@click.option("--home", type=click.Path(path_type=Path))
@click.pass_context
def cli(ctx, home):
    ctx.ensure_object(dict)
    ctx.obj.update(home=Home.resolve(home), verbose=False)


cli.add_command(cli_export.import_metadata)


@pytest.fixture
def archive(home, make_png, tmp_path):
    """Four documents: gazeta-1998.png, the folder kitap/ (two pages), and two scans both named page.png."""
    paths = [make_png("inbox/gazeta-1998.png", lines=["Газет"]), tmp_path / "inbox" / "kitap",
             make_png("inbox/a/page.png", lines=["Бірінші"]), make_png("inbox/b/page.png", lines=["Екінші"])]
    make_png("inbox/kitap/page-1.png", lines=["Кітап бір"])
    make_png("inbox/kitap/page-2.png", lines=["Кітап екі"])
    sources, problems = discover(paths, Description(kind="newspaper_article", language="kaz", rubrics=("Тарих",),
                                                    digitised_on="2026-02-03"))
    assert problems == []
    archive = Archive(home)
    with archive.batch():
        outcomes = [outcome for source in sources      # one at a time, so the ids follow the paths
                    for outcome in ingest([source], archive, FakeEngine(["Өлке тарихы {n}"]),
                                          IngestOptions(workers=1))]
    assert [(o.status, o.document_id) for o in outcomes] == [("ingested", n) for n in (1, 2, 3, 4)]
    yield archive
    archive.close()


def write_csv(tmp_path, text: str) -> Path:
    path = tmp_path / "corrections.csv"
    path.write_text(text, encoding="utf-8")
    return path


def run(archive, *args):
    return CliRunner().invoke(cli, ["--home", str(archive.home.root), "import-metadata", *map(str, args)])


def snapshot(archive):
    catalog = archive.catalog
    return [(d.as_dict(), catalog.events(d.id)) for d in catalog.documents(include_deleted=True)]


def test_dry_run_shows_what_would_change_and_changes_nothing(archive, tmp_path):
    before = snapshot(archive)
    path = write_csv(tmp_path, "id,title,authors,rubrics,issue\n"
                               "1,Кітапхана тарихы,Әуезов М.; Семёнов П.,Тарих; Кітапханалар,\n"
                               "2,,,,\n")
    result = run(archive, path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "document 1 (row 2):",
        "  title: gazeta 1998 → Кітапхана тарихы",
        "  authors: (empty) → Әуезов М.; Семёнов П.",
        "  rubrics: Тарих → Тарих; Кітапханалар",
        "document 2 (row 3): no change",
        "Would change 1 document; 1 without changes. Nothing was changed (dry run).",
    ]
    assert snapshot(archive) == before


def test_import_by_id_applies_every_row_and_updates_the_index(archive, tmp_path):
    path = write_csv(tmp_path, "id,kind,title,published,language,access,source,issue,source_pages\n"
                               "2,book,Дала мен өзен,2012,,on_request,,,\n"
                               "1,newspaper,Кітапхана тарихы,1998-05-14,ru,,Өлке тынысы,12,3\n")
    result = run(archive, path)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "Changed 2 documents."
    book, article = archive.catalog.get(2), archive.catalog.get(1)
    assert (book.kind, book.title, book.published, book.access, book.language) == (
        "book", "Дала мен өзен", "2012", "on_request", "kaz")
    assert (article.language, article.source, article.issue, article.source_pages) == ("rus", "Өлке тынысы", "12", "3")
    event = archive.catalog.events(1)[-1]
    assert event["action"] == "metadata_edited" and event["user"] == "tester"
    assert event["details"] == {"changed": ["issue", "language", "published", "source", "source_pages", "title"],
                                "imported_from": "corrections.csv"}
    found = archive.search(SearchRequest(text="", kind="book")).documents
    assert [d.title for d in found] == ["Дала мен өзен"]


def test_a_bad_row_stops_the_whole_import(archive, tmp_path):
    archive.delete(4)
    before = snapshot(archive)
    path = write_csv(tmp_path, "id,kind,published,language\n"
                               "1,book,,\n"
                               "2,poster,,\n"
                               "3,,14.05.1998,\n"
                               "7,,,\n"
                               "4,,,\n"
                               "²,,,\n"
                               ",book,,\n"
                               "1,,,auto\n")
    result = run(archive, path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "row 3: unknown kind 'poster'; use one of: newspaper_article, journal_article, book, other",
        "row 4: published date '14.05.1998' is not YYYY, YYYY-MM or YYYY-MM-DD",
        "row 5: no document 7",
        "row 6: document 4 was deleted",
        "row 7: id '²' is not a document number",
        "row 8: the id cell is empty; name the document",
        "row 9: document 1 is also in row 2; give each document one row",
        "olke: error: 7 of the rows in corrections.csv have errors (above); nothing was changed. "
        "Fix them and run again",
    ]
    assert result.stdout == ""
    assert snapshot(archive) == before


def test_language_auto_is_refused(archive, tmp_path):
    plan = plan_import(archive.catalog, write_csv(tmp_path, "id,language\n1,auto\n"))
    assert plan.errors == ["row 2: language 'auto' is only for `olke ingest`; use kaz or rus"]


def test_match_by_file_name_or_ingest_path(archive, tmp_path):
    inbox = tmp_path / "inbox"
    path = write_csv(tmp_path, "file,title\n"
                               "gazeta-1998.png,Газет мақаласы\n"
                               "kitap/,Кітап\n"
                               f"{inbox / 'a' / 'page.png'},Бірінші бет\n")
    result = run(archive, path)          # no id column: matched by file
    assert result.exit_code == 0, result.output
    assert [archive.catalog.get(i).title for i in (1, 2, 3, 4)] == ["Газет мақаласы", "Кітап", "Бірінші бет", "page"]


def test_file_names_that_are_ambiguous_or_unknown(archive, tmp_path):
    path = write_csv(tmp_path, "id,file,title\n"
                               ",page.png,Бет\n"
                               ",nowhere.tif,Жоқ\n"
                               ",0001-page-1.png,Кітап\n")
    plan = plan_import(archive.catalog, path, match="file")
    assert plan.errors == [
        "row 2: 'page.png' matches documents 3, 4; use an id column for these",
        "row 3: no document with the file 'nowhere.tif'; give an original scan's file name or the path given to "
        "`olke ingest` (see `olke show ID`), or use an id column",
    ]
    assert [(c.row, c.document_id) for c in plan.changes] == [(4, 2)]


def test_header_problems(archive, tmp_path):
    result = run(archive, write_csv(tmp_path, "id,titel\n1,Х\n"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"olke: error: {tmp_path / 'corrections.csv'}: unknown column 'titel'; "
                                    "use id or file, and any of: kind, title,")
    result = run(archive, write_csv(tmp_path, "file,title\nx.png,Х\n"), "--match", "id")
    assert result.stderr == (f"olke: error: {tmp_path / 'corrections.csv'} has no 'id' column; add one, "
                             "or use --match file\n")
    result = run(archive, write_csv(tmp_path, "id;title\n1;Х\n"))          # Excel's CSV in Russian and Kazakh
    assert result.exit_code == 2 and "separated by ';'" in result.stderr
    result = run(archive, write_csv(tmp_path, 'id,title\n1,"a quote left open\n'))
    assert result.exit_code == 2 and "cannot read" in result.stderr
    result = run(archive, tmp_path / "missing.csv")
    assert result.exit_code == 2 and "save it as UTF-8 CSV" in result.stderr


def test_nothing_is_applied_if_a_document_changed_meanwhile(archive, tmp_path):
    plan = plan_import(archive.catalog, write_csv(tmp_path, "id,title\n1,Бірінші\n2,Екінші\n"))
    archive.describe(2, Description.from_mapping({"notes": "edited elsewhere"},
                                                 plan.changes[1].before))
    with pytest.raises(UsageError, match="document 2 changed while importing; nothing was changed"):
        apply_import(archive, plan)
    assert archive.catalog.get(1).title == "gazeta 1998"
