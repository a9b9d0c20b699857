"""The `olke` command as a bibliographer uses it: exit codes and exact messages."""
from __future__ import annotations

import json

import pytest

from cli import main

pytestmark = pytest.mark.databases      # on SQLite and again with the catalog on PostgreSQL


def test_ingest_single_image_then_show_and_list(olke, scans):
    result = olke("ingest", scans["png"], "--kind", "newspaper_article", "--title", "Кітапхана тарихы",
                  "--language", "kaz", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert f"archived {scans['png']} as document 1 (1 page)" in result.stdout
    assert result.stdout.strip().endswith("Done: 1 document archived (1 page).")
    shown = olke("show", "1", "--json")
    data = json.loads(shown.stdout)
    assert data["document"]["title"] == "Кітапхана тарихы"
    assert data["document"]["kind"] == "newspaper_article"
    assert [e["action"] for e in data["events"]] == ["ingested"]
    assert data["events"][0]["user"] == "tester"
    listed = olke("list")
    assert "Кітапхана тарихы" in listed.stdout and "newspaper_article" in listed.stdout


def test_show_says_where_a_page_without_confidence_got_its_text(olke, scans, home):
    assert olke("ingest", scans["text_pdf"], "--workers", "1").exit_code == 0
    assert "confidence text layer" in olke("show", "1").stdout
    from archive.catalog import Catalog

    catalog = Catalog(home)                                     # a blank scanned page: OCR read no word
    catalog.conn.execute("UPDATE pages SET confidence = NULL, ocr_steps = '{}' WHERE number = 2")
    catalog.conn.commit()
    catalog.close()
    lines = [line.strip() for line in olke("show", "1").stdout.splitlines() if line.strip().startswith("page ")]
    assert "confidence text layer" in lines[0] and "confidence none (no word read)" in lines[1]


@pytest.mark.parametrize("name, exit_code, message", [
    ("empty", 4, "the file is empty (0 bytes); copy or scan it again"),
    ("wrong_type", 4, "not a scan Olke can read; use PNG, JPEG, TIFF or PDF"),
    ("truncated", 4, "the PNG is damaged or truncated"),
    ("bomb", 4, "image is 13000x13000 pixels, over Olke's limit of 150 megapixels; it is damaged or not a page"
                " scan — rescan at 300-600 dpi"),
    ("encrypted", 4, "the PDF is password-protected; save an unprotected copy and ingest that"),
    ("corrupt_pdf", 4, "the PDF is damaged"),
    ("truncated_pdf", 4, "the PDF is damaged or truncated"),
])
def test_bad_input_gets_one_line_naming_file_and_fix(olke, scans, home, name, exit_code, message):
    result = olke("ingest", scans[name], "--workers", "1")
    assert result.exit_code == exit_code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"olke: error: {scans[name]}: {message}")
    assert "Traceback" not in result.output
    assert not any(home.files_dir.iterdir())


def test_unknown_metadata_value(olke, scans):
    result = olke("ingest", scans["png"], "--kind", "poster")
    assert result.exit_code == 2
    assert "Invalid value for '--kind'" in result.stderr


def test_unknown_value_in_sidecar(olke, scans):
    (scans["book"] / "olke.toml").write_text('kind = "book"\naccess = "secret"\n', encoding="utf-8")
    result = olke("ingest", scans["book"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"olke: error: {scans['book'] / 'olke.toml'}: unknown access 'secret'; "
                                     "use one of: open, on_request")


def test_batch_goes_on_past_bad_files_and_exits_non_zero(olke, scans, catalog):
    result = olke("ingest", scans["empty"], scans["png"], scans["wrong_type"], scans["jpeg"], "--workers", "1")
    assert result.exit_code == 4
    assert "Done: 2 documents archived (2 pages), 2 failed." in result.stdout
    assert len(catalog.documents()) == 2


def test_duplicate_is_reported_not_stored_twice(olke, scans, catalog):
    assert olke("ingest", scans["png"]).exit_code == 0
    again = olke("ingest", scans["png"])
    assert again.exit_code == 5
    assert again.stderr.strip() == (f"olke: error: {scans['png']}: already in the archive as document 1; "
                                    "not stored again")
    skipped = olke("ingest", scans["png"], "--skip-duplicates")
    assert skipped.exit_code == 0
    assert f"skipped {scans['png']}: already in the archive as document 1" in skipped.stdout
    assert len(catalog.documents()) == 1


def test_json_output_for_scripts(olke, scans):
    result = olke("ingest", scans["png"], scans["empty"], "--json", "--workers", "1")
    data = json.loads(result.stdout)
    assert {d["status"] for d in data} == {"ingested", "failed"}
    failed = next(d for d in data if d["status"] == "failed")
    assert failed["error"] == f"{scans['empty']}: the file is empty (0 bytes); copy or scan it again"


def test_missing_path(olke, tmp_path):
    result = olke("ingest", tmp_path / "nowhere")
    assert result.exit_code == 4
    assert result.stderr.strip() == f"olke: error: {tmp_path / 'nowhere'}: no such file or folder; check the path"


def test_delete_asks_first(olke, scans, catalog):
    olke("ingest", scans["png"])
    refused = olke("delete", "1", input="n\n")
    assert refused.exit_code == 1
    assert catalog.get(1).status == "active"
    done = olke("delete", "1", input="y\n")
    assert done.exit_code == 0 and "Deleted document 1." in done.stdout
    gone = olke("show", "1")
    assert gone.exit_code == 3
    assert gone.stderr.strip() == "olke: error: no document 1 in the archive; see `olke list`"
    assert [e["action"] for e in catalog.events(1)] == ["ingested", "deleted"]


def test_reocr_keeps_id_and_records_event(olke, scans, catalog, monkeypatch):
    olke("ingest", scans["tiff"])
    monkeypatch.setenv("OLKE_FAKE_OCR_TEXT", "Жаңа мәтін {n}")
    result = olke("reocr", "1")
    assert result.exit_code == 0, result.output
    assert "Document 1 OCRed again: 2 pages." in result.stdout
    assert [p["text"] for p in catalog.pages(1)] == ["Жаңа мәтін 1", "Жаңа мәтін 2"]
    assert [e["action"] for e in catalog.events(1)] == ["ingested", "reocred"]
    assert len(catalog.files(1, "original")) == 1
    for row in catalog.files(1):
        assert catalog.home.absolute(row["path"]).stat().st_size == row["size_bytes"]


def test_init_creates_home(olke, home):
    result = olke("init")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"Data home ready: {home.root}"
    assert home.catalog_path.exists() or home.database_url


def test_every_command_has_an_example():
    for name, command in main.commands.items():
        assert "Example" in (command.help or ""), name
