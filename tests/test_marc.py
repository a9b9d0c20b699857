"""`olke export marc`: RUSMARC and MARC 21 records, read back by pymarc and by yaz-marcdump."""
from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import click
import pymarc
import pytest
from click.testing import CliRunner

from archive import marc
from cli import export as cli_export
from archive.home import Home
from archive.library import Archive
from cli import OlkeGroup

pytestmark = pytest.mark.databases      # on SQLite and again with the catalog on PostgreSQL

MARCXML = "{http://www.loc.gov/MARC21/slim}"
DOCUMENTS = [
    dict(kind="newspaper_article", title="Кітапхана тарихы: өлкетану", authors=["Әуезов М.", "Семёнов П. П."],
         source="Өлке тынысы", issue="12", published="1998-05-14", source_pages="3-4", language="kaz",
         rubrics=["Тарих", "Кітапханалар"], udc="94(574.25)", notes="Мақала қысқартылған"),
    dict(kind="journal_article", title="Первая школа", authors=["Валиханов, Ш."], source="Простор", issue="5",
         published="1975", source_pages="12", language="rus", rubrics=["Образование"]),
    dict(kind="book", title="Дала мен өзен", published="2012", language="kaz", access="on_request", page_count=256,
         authors=["Облыстық кітапхананың өлкетану бөлімі", "Семёнов Пётр Петрович"]),
    dict(kind="other", title="Афиша без даты", language="rus"),
]


def add_document(catalog, **values) -> int:
    row = dict(kind="other", title="Құжат", authors=[], source=None, issue=None, published=None,
               source_pages=None, language="kaz", rubrics=[], udc=None, notes=None, access="open",
               digitised_on="2026-02-03", digitised_by=None, page_count=2, status="active",
               created_at="2026-02-03T08:00:00+00:00", updated_at="2026-02-04T09:30:00+00:00") | values
    row["authors"], row["rubrics"] = json.dumps(row["authors"]), json.dumps(row["rubrics"])
    row["scan_sha256"] = f"sha-{row['title']}-{row['created_at']}"
    document_id = catalog.conn.execute(f"INSERT INTO documents ({', '.join(row)})"
                                       f" VALUES ({', '.join(':' + c for c in row)}) RETURNING id", row).scalar()
    catalog.conn.execute("INSERT INTO events (document_id, action, at, \"user\") VALUES (:id, 'ingested', :at, 'tester')",
                         {"id": document_id, "at": row["created_at"]})
    return document_id


@click.group(cls=OlkeGroup)
@click.option("--home", type=click.Path(path_type=Path))
@click.pass_context
def cli(ctx, home):
    """The real `olke` group's error handling, with only this module's commands."""
    ctx.ensure_object(dict)
    ctx.obj.update(home=Home.resolve(home), verbose=False)


cli.add_command(cli_export.export)
cli.add_command(cli_export.import_metadata)


@pytest.fixture
def archive(home):
    archive = Archive(home)
    ids = [add_document(archive.catalog, **values) for values in DOCUMENTS]
    gone = add_document(archive.catalog, title="Жойылған")
    archive.catalog.delete(gone)
    yield archive, ids
    archive.close()


def export(home, tmp_path, *options) -> tuple[Path, str]:
    output = tmp_path / "out.marc"
    result = CliRunner().invoke(cli, ["--home", str(home.root), "export", "marc", "--output", str(output),
                                      "--base-url", "https://olke.example.kz/", *options])
    assert result.exit_code == 0, result.output
    return output, result.output


def read_iso(path: Path) -> list[pymarc.Record]:
    with open(path, "rb") as handle:
        return list(pymarc.MARCReader(handle, to_unicode=True, force_utf8=True))


def yaz_titles(path: Path, tag: str) -> list[str]:
    if shutil.which("yaz-marcdump") is None:
        pytest.skip("yaz-marcdump is not installed (Debian package yaz); pymarc's reading was checked")
    done = subprocess.run(["yaz-marcdump", "-i", "marc", "-o", "marcxml", "-f", "utf-8", "-t", "utf-8", str(path)],
                          capture_output=True, check=True)
    assert done.stderr == b""
    root = ET.fromstring(done.stdout)
    return [field.findtext(f"{MARCXML}subfield[@code='a']")
            for field in root.iter(f"{MARCXML}datafield") if field.get("tag") == tag]


def test_rusmarc_iso2709_is_read_back_by_pymarc_and_yaz(home, tmp_path, archive):
    _, ids = archive
    path, output = export(home, tmp_path)
    assert output == f"Wrote 4 records to {path} (RUSMARC, ISO 2709, UTF-8).\n"
    records = read_iso(path)
    titles = [d["title"] for d in DOCUMENTS]
    assert [r["200"]["a"] for r in records] == titles
    assert yaz_titles(path, "200") == titles
    assert [r["001"].data for r in records] == [f"olke-{i:06d}" for i in ids]


def test_rusmarc_fields(home, tmp_path, archive):
    _, ids = archive
    article, journal, book, other = read_iso(export(home, tmp_path)[0])
    assert str(article.leader)[5:9] == "naa2" and str(book.leader)[5:9] == "nam0"
    general = article["100"]["a"]
    assert len(general) == 36 and general[:13] == "20260203d1998" and general[26:30] == "50  "
    assert article["101"]["a"] == "kaz" and journal["101"]["a"] == "rus"
    assert article["200"]["f"] == "М. Әуезов, П. П. Семёнов"
    assert [(f.tag, f["a"], f["b"]) for f in article.get_fields("700", "701")] == [
        ("700", "Әуезов", "М."), ("701", "Семёнов", "П. П.")]
    assert journal["700"]["a"] == "Валиханов" and journal["700"]["b"] == "Ш."
    assert article["463"].subfields_as_dict() == {"1": ["2001 ", "210  "], "a": ["Өлке тынысы"], "h": ["№ 12"],
                                                 "d": ["1998-05-14"], "v": ["С. 3-4"]}
    assert "463" not in book and book["210"]["d"] == "2012" and book["215"]["a"] == "256 с."
    assert "700" not in book and book["710"].indicators == pymarc.Indicators("0", "2")
    assert book["710"]["a"] == "Облыстық кітапхананың өлкетану бөлімі"
    assert book["701"].subfields_as_dict() == {"a": ["Семёнов"], "b": ["П. П."], "g": ["Пётр Петрович"]}
    assert book["200"]["f"] == "Облыстық кітапхананың өлкетану бөлімі, Пётр Петрович Семёнов"
    assert [f["a"] for f in article.get_fields("606")] == ["Тарих", "Кітапханалар"]
    assert article["675"]["a"] == "94(574.25)" and article["300"]["a"] == "Мақала қысқартылған"
    assert article["856"]["u"] == f"https://olke.example.kz/files/{ids[0]}/document.pdf"
    assert book["856"]["u"] == f"https://olke.example.kz/documents/{ids[2]}" and book["856"]["z"]
    assert other["100"]["a"][8:17] == "u        "
    assert article["005"].data == "20260204093000.0"


def test_marc21_iso2709(home, tmp_path, archive):
    _, ids = archive
    path, output = export(home, tmp_path, "--format", "marc21")
    assert "(MARC 21, ISO 2709, UTF-8)" in output
    records = read_iso(path)
    assert [r["245"]["a"] for r in records] == [d["title"] for d in DOCUMENTS]
    assert yaz_titles(path, "245") == [d["title"] for d in DOCUMENTS]
    article, journal, book, other = records
    assert all(str(r.leader)[9] == "a" for r in records)
    assert str(article.leader)[6:8] == "ab" and str(book.leader)[6:8] == "am"
    fixed = article["008"].data
    assert len(fixed) == 40 and fixed[6:11] == "s1998" and fixed[35:38] == "kaz" and fixed[15:17] == "kz"
    assert book["008"].data[35:38] == "kaz" and journal["008"].data[35:38] == "rus"
    assert other["008"].data[6:11] == "nuuuu"
    assert article["041"]["a"] == "kaz" and article["080"]["a"] == "94(574.25)"
    assert article["100"]["a"] == "Әуезов, М." and [f["a"] for f in article.get_fields("700")] == ["Семёнов, П. П."]
    assert article["245"].indicators == pymarc.Indicators("1", "0") and other["245"].indicators[0] == "0"
    assert article["773"]["t"] == "Өлке тынысы" and article["773"]["g"] == "№ 12 (1998-05-14), С. 3-4"
    assert [f["a"] for f in article.get_fields("650")] == ["Тарих", "Кітапханалар"]
    assert book["264"]["c"] == "2012" and book["300"]["a"] == "256 с."
    assert "100" not in book and book["110"]["a"] == "Облыстық кітапхананың өлкетану бөлімі"
    assert book["110"].indicators[0] == "2" and book["700"]["a"] == "Семёнов, Пётр Петрович"
    assert article["856"]["u"] == f"https://olke.example.kz/files/{ids[0]}/document.pdf"


@pytest.mark.parametrize("format_, tag", [("rusmarc", "200"), ("marc21", "245")])
def test_marcxml_is_xml_that_pymarc_parses(home, tmp_path, archive, format_, tag):
    path, _ = export(home, tmp_path, "--format", format_, "--as", "marcxml")
    root = ET.parse(path).getroot()
    assert root.tag == f"{MARCXML}collection" and len(root) == 4
    records = pymarc.parse_xml_to_array(str(path))
    assert [r[tag]["a"] for r in records] == [d["title"] for d in DOCUMENTS]
    assert records[0]["606" if format_ == "rusmarc" else "650"]["a"] == "Тарих"


def test_default_file_name_and_standard_output(home, tmp_path, archive, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--home", str(home.root), "export", "marc", "--as", "marcxml"])
    assert result.exit_code == 0 and (tmp_path / "olke-rusmarc.xml").exists()
    result = CliRunner().invoke(cli, ["--home", str(home.root), "export", "marc", "--output", "-"])
    assert result.exit_code == 0
    assert len(list(pymarc.MARCReader(io.BytesIO(result.stdout_bytes), force_utf8=True))) == 4


def test_an_unwritable_output_is_a_usage_error(home, tmp_path, archive):
    result = CliRunner().invoke(cli, ["--home", str(home.root), "export", "marc", "--output",
                                      str(tmp_path / "no-such-folder" / "olke.iso")])
    assert result.exit_code == 2
    assert result.stderr == (f"olke: error: cannot write {tmp_path / 'no-such-folder' / 'olke.iso'} (No such file or "
                             "directory); choose another --output\n")


def test_write_an_empty_archive(catalog):
    out = io.BytesIO()
    assert marc.write(catalog.documents(), out) == 0 and out.getvalue() == b""


def test_cli_choices_match_the_library():
    assert cli_export.FORMATS == marc.FORMATS and cli_export.SERIALISATIONS == marc.SERIALISATIONS


def test_help_has_examples():
    for args in (["export", "--help"], ["export", "marc", "--help"], ["import-metadata", "--help"]):
        assert "Example" in CliRunner().invoke(cli, args).output


def test_links_to_this_machine_only_are_pointed_out(home, tmp_path, archive):
    result = CliRunner().invoke(cli, ["--home", str(home.root), "export", "marc", "--output",
                                      str(tmp_path / "local.iso")])
    assert result.exit_code == 0 and "note: the records link to http://127.0.0.1:8000; give --base-url" in result.stderr
    _, said = export(home, tmp_path)
    assert "note:" not in said
