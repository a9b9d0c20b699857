"""Odd and hostile input to `olke ingest`: one line and an exit code each, and the rest of the batch goes in."""
from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pikepdf
import pytest

from tests.conftest import RUSSIAN_LINES, page_image


@pytest.fixture
def few(tmp_path, make_png):
    """Two pages and a book folder: lighter than the ``few`` fixture, which builds a decompression bomb."""
    import img2pdf

    made = {"png": make_png("single.png"), "jpeg": make_png("other.png", lines=RUSSIAN_LINES)}
    made["image_pdf"] = tmp_path / "image-only.pdf"
    made["image_pdf"].write_bytes(img2pdf.convert(str(made["png"])))
    made["book"] = tmp_path / "book"
    made["book"].mkdir()
    for n in (1, 2):
        page_image([f"Бет {n}"], size=(300, 200)).save(made["book"] / f"page-{n}.png", dpi=(200, 200))
    return made


def pdf_with_page(path: Path, width: float, height: float) -> Path:
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(100, 100))
        pdf.pages[0].obj.MediaBox = [0, 0, width, height]
        pdf.save(path)
    return path


def test_a_link_back_to_a_parent_folder_is_searched_once(olke, tmp_path, catalog):
    book = tmp_path / "book"
    (book / "chapter").mkdir(parents=True)
    page_image(["Бет 1"], size=(300, 200)).save(book / "page-1.png", dpi=(200, 200))
    page_image(["Бет 2"], size=(300, 200)).save(book / "chapter" / "page-2.png", dpi=(200, 200))
    (book / "chapter" / "up").symlink_to("..")
    result = olke("ingest", book, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == (f"skipped {book / 'chapter' / 'up'}: the same folder as {book.resolve()}, "
                                     "searched already (a link leads back to it)")
    assert len(catalog.documents()) == 2


def test_a_link_to_itself_is_named(olke, tmp_path):
    (tmp_path / "loop").symlink_to("loop")
    result = olke("ingest", tmp_path / "loop")
    assert result.exit_code == 4
    assert result.stderr.strip() == (f"olke: error: {tmp_path / 'loop'}: a link that leads nowhere, or back to "
                                     "itself; point it at a scan or a folder")


def test_an_unreadable_folder_is_named_and_its_neighbours_go_in(olke, few, catalog, monkeypatch):
    locked = few["book"]
    real_iterdir = Path.iterdir

    def iterdir(self):
        if self == locked:
            raise PermissionError(13, "Permission denied")
        return real_iterdir(self)
    monkeypatch.setattr(Path, "iterdir", iterdir)     # tests run as root, whom chmod does not stop
    result = olke("ingest", locked, few["png"], "--workers", "1")
    assert result.exit_code == 4
    assert result.stderr.strip() == (f"olke: error: {locked}: cannot list the folder (Permission denied); give "
                                     "Olke read access to it (chmod a+rX) or move it out of the way, then run again")
    assert len(catalog.documents()) == 1


def test_a_file_name_that_is_not_utf8_is_shown_escaped(olke, few, tmp_path, catalog):
    odd = Path(os.fsdecode(os.fsencode(tmp_path) + b"/gazet-\xff\xfe.pdf"))
    odd.write_bytes(few["image_pdf"].read_bytes())
    result = olke("ingest", odd, few["png"], few["jpeg"], "--workers", "2")
    assert result.exit_code == 4
    assert result.stderr.strip() == (f"olke: error: {tmp_path}/gazet-\\xff\\xfe.pdf: the name is not UTF-8 (shown "
                                     "escaped); rename it, e.g. with convmv -f cp1251 -t utf8, and run again")
    assert "Done: 2 documents archived (2 pages), 1 failed." in result.stdout
    assert len(catalog.documents()) == 2


def test_a_page_image_with_such_a_name_holds_back_its_folder(olke, few, catalog):
    folder = few["book"]
    Path(os.fsdecode(os.fsencode(folder) + b"/page-\xe4.png")).write_bytes((folder / "page-1.png").read_bytes())
    result = olke("ingest", folder, few["png"], "--workers", "1")
    assert result.exit_code == 4
    assert result.stderr.strip() == (f"olke: error: {folder}/page-\\xe4.png: the name is not UTF-8 (shown escaped); "
                                     "rename it, e.g. with convmv -f cp1251 -t utf8, and run again; the folder "
                                     "book is one document and is not archived until then")
    assert len(catalog.documents()) == 1


def test_control_characters_in_a_name_stay_on_one_line(olke, few, tmp_path, catalog):
    odd = tmp_path / "two\nlines\x1b[31m.png"
    odd.write_bytes(b"")
    result = olke("ingest", odd)
    assert result.stderr.strip() == (f"olke: error: {tmp_path}/two\\nlines\\x1b[31m.png: the file is empty (0 bytes); "
                                     "copy or scan it again")
    named = tmp_path / "gazet\nbet\x1b[2J.png"
    named.write_bytes(few["png"].read_bytes())
    archived = olke("ingest", named, "--workers", "1")
    assert f"archived {tmp_path}/gazet\\nbet\\x1b[2J.png as document 1 (1 page)" in archived.stdout
    assert catalog.get(1).title == "gazet bet [2J"


def test_a_manifest_row_without_a_path_is_refused(olke, few, tmp_path, catalog):
    manifest = tmp_path / "batch.csv"
    manifest.write_text(f"path,kind\n,book\n{few['png'].name},newspaper_article\n", encoding="utf-8")
    result = olke("ingest", "--manifest", manifest, "--workers", "1")
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"olke: error: {manifest}:2: the row has no 'path'; write the scan's file or "
                                     "folder there (relative to the manifest), or delete the row")
    assert [d.kind for d in catalog.documents()] == ["newspaper_article"]


TOMORROW = (date.today() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize("option, value, message", [
    ("--digitised-on", "1800-01-01", f"digitised_on 1800-01-01 cannot be right; give a date from 1990-01-01 to "
                                     f"{TOMORROW} (default: today)"),
    ("--digitised-on", "9999-12-31", f"digitised_on 9999-12-31 cannot be right; give a date from 1990-01-01 to "
                                     f"{TOMORROW} (default: today)"),
    ("--published", "2999", f"published date '2999' cannot be right; give a date from 1500 to {TOMORROW}"),
    ("--source-pages", "abc", "source_pages 'abc' is not pages in the source; write a page, a range or a list of "
                              "them, e.g. 3 or 12-14 or 3, 5-7"),
    ("--source-pages", "14-12", "source_pages '14-12' is not pages in the source; write a page, a range or a "
                                "list of them, e.g. 3 or 12-14 or 3, 5-7"),
])
def test_impossible_dates_and_page_ranges_are_refused(olke, few, catalog, option, value, message):
    result = olke("ingest", few["png"], option, value)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"olke: error: {message}"
    assert catalog.documents() == []


def test_page_ranges_are_written_one_way(olke, few, catalog):
    assert olke("ingest", few["png"], "--source-pages", "12 – 14; 16").exit_code == 0
    assert catalog.get(1).source_pages == "12-14, 16"


@pytest.mark.parametrize("width, height, message", [
    (14_400, 14_400, "page 1 is 14,400 x 14,400 pt (200.0 x 200.0 in); rendered at 400 dpi for OCR it would be "
                     "6,400 megapixels (about 19.2 GB of memory)"),
    (200_000, 200_000, "page 1 is 200,000 x 200,000 pt (2,777.8 x 2,777.8 in); rendered at 400 dpi for OCR it "
                       "would be 1,234,568 megapixels (about 3,703.7 GB of memory)"),
    (3, 14_400, "page 1 is 3 x 14,400 pt (0.0 x 200.0 in); rendered 1100 pixels wide for the viewer it would be "
                "5,808 megapixels (about 17.4 GB of memory)"),
])
def test_absurd_pdf_pages_are_refused_before_rendering(olke, few, tmp_path, catalog, width, height, message):
    huge = pdf_with_page(tmp_path / "huge.pdf", width, height)
    result = olke("ingest", huge, few["png"], "--workers", "1")
    assert result.exit_code == 4
    assert result.stderr.strip() == (f"olke: error: {huge}: {message}, over Olke's limit of 150 megapixels a page; "
                                     "it is damaged or not a page scan — export it at the paper's real size")
    assert len(catalog.documents()) == 1


def test_a_page_without_area_is_damaged(olke, tmp_path):
    flat = pdf_with_page(tmp_path / "flat.pdf", 500, 0)
    result = olke("ingest", flat)
    assert result.exit_code == 4
    assert result.stderr.strip() == (f"olke: error: {flat}: page 1 is 500 x 0 pt (6.9 x 0.0 in), too small to be a "
                                     "page; the PDF is damaged — export or scan it again")


def with_active_content(source: Path, target: Path) -> Path:
    """``source`` with what an attacker would add: a script run on opening, a launch action, attachments."""
    from pikepdf import Array, Dictionary, Name, String

    with pikepdf.open(source) as pdf:
        pdf.Root.OpenAction = pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=String("app.alert(1)")))
        pdf.pages[0].obj.AA = Dictionary(O=Dictionary(S=Name.Launch, F=String("evil.sh")))
        pdf.attachments["evil.sh"] = pikepdf.AttachedFileSpec(pdf, b"#!/bin/sh\n", filename="evil.sh")
        note = pikepdf.AttachedFileSpec(pdf, b"payload", filename="note.txt")
        link = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[40, 40, 90, 60],
                          A=Dictionary(S=Name.URI, URI=String("https://example.kz/")))
        pdf.pages[0].obj.Annots = Array([
            pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[0, 0, 9, 9],
                                         FS=note.obj)),
            pdf.make_indirect(link)])
        pdf.save(target)
    return target


REMOVED = ("removed JavaScript (1), automatic actions (2), actions that open files, send data or play media (1), "
           "attached files (2: evil.sh, note.txt)")


def assert_safe_pdfa(stored: Path, source: Path, link_kept: bool = True) -> None:
    from ocrmypdf.pdfa import file_claims_pdfa

    from ocr.sanitize import active_content
    from ocr.textlayer import page_texts

    with pikepdf.open(stored) as pdf:
        assert not active_content(pdf)
        assert not pdf.attachments and "/OpenAction" not in pdf.Root
        if link_kept:                                # Ghostscript's PDF/A leaves out links
            assert pdf.pages[0].obj.Annots[0].A.URI == "https://example.kz/"
        assert pikepdf.pdfa.check(pdf, "2b").passed
    assert file_claims_pdfa(stored)["conformance"] == "PDF/A-2b"
    assert page_texts(stored) == page_texts(source)


def test_a_pdf_with_text_loses_scripts_and_attachments_and_becomes_pdfa(olke, tmp_path, catalog):
    from tests.conftest import text_pdf

    source = text_pdf(tmp_path / "article.pdf", ["Кітапхана тарихы. Бірінші бет."])
    evil = with_active_content(source, tmp_path / "evil.pdf")
    result = olke("ingest", evil, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert f"archived {evil} as document 1 (1 page)\nnote: {evil}: {REMOVED}\n" in result.stdout
    assert_safe_pdfa(catalog.file_path(1, "pdf"), source)


def test_a_pdf_whose_fonts_are_not_embedded_goes_through_ghostscript(olke, tmp_path, catalog):
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(420, 595))
    pdf.add_page()
    pdf.set_font("helvetica", size=14)                   # a standard font: named, not embedded
    pdf.multi_cell(0, 20, "Library history. First page.")
    pdf.output(str(tmp_path / "plain.pdf"))
    evil = with_active_content(tmp_path / "plain.pdf", tmp_path / "evil.pdf")
    result = olke("ingest", evil, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("note: ") == 1
    assert_safe_pdfa(catalog.file_path(1, "pdf"), tmp_path / "plain.pdf", link_kept=False)


def test_an_image_pdf_is_sanitised_before_ocr(olke, few, tmp_path, catalog):
    evil = with_active_content(few["image_pdf"], tmp_path / "evil-scan.pdf")
    result = olke("ingest", evil, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert f"note: {evil}: {REMOVED}" in result.stdout
    with pikepdf.open(catalog.file_path(1, "pdf")) as pdf:
        from ocr.sanitize import active_content
        assert not active_content(pdf) and not pdf.attachments


def test_a_pdf_that_cannot_be_made_pdfa_is_archived_with_its_text_and_said(olke, tmp_path, catalog, monkeypatch):
    from ocr import pdfa
    from ocr.textlayer import page_texts
    from tests.conftest import text_pdf

    def fails(source, output):
        raise ValueError("a reason\nand more")
    monkeypatch.setattr(pdfa, "_with_pikepdf", fails)
    monkeypatch.setattr(pdfa, "_with_ghostscript", fails)
    source = text_pdf(tmp_path / "article.pdf", ["Кітапхана тарихы."])
    result = olke("ingest", source, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert f"note: {source}: not made PDF/A (pikepdf: a reason; Ghostscript: a reason); archived as it came, its " \
           "text unchanged\n" in result.stdout
    assert page_texts(catalog.file_path(1, "pdf")) == page_texts(source)


def test_a_conversion_that_changes_the_text_is_not_used(tmp_path, monkeypatch):
    from ocr import pdfa
    from ocr.textlayer import page_texts
    from tests.conftest import text_pdf

    source = text_pdf(tmp_path / "article.pdf", ["Кітапхана тарихы."])
    other = text_pdf(tmp_path / "other.pdf", ["Басқа мәтін."])
    monkeypatch.setattr(pdfa, "_with_pikepdf", lambda s, output: output.write_bytes(other.read_bytes()))
    assert pdfa.convert(source, tmp_path / "out.pdf") == []        # Ghostscript's result was used instead
    assert page_texts(tmp_path / "out.pdf") == page_texts(source)


def test_a_pdf_whose_active_content_stays_is_not_archived(olke, tmp_path, catalog, monkeypatch):
    from ocr import sanitize
    from tests.conftest import text_pdf

    monkeypatch.setattr(sanitize, "_strip", lambda obj: None)
    for name in ("remove_javascript", "remove_attachments", "remove_multimedia"):
        monkeypatch.setattr(sanitize.pikepdf_sanitize, name, lambda pdf: None)
    evil = with_active_content(text_pdf(tmp_path / "article.pdf", ["Мәтін."]), tmp_path / "evil.pdf")
    result = olke("ingest", evil, "--workers", "1")
    assert result.exit_code == 4
    assert result.stderr.strip() == (f"olke: error: {evil}: could not remove all of its active content ("
                                     f"{REMOVED.removeprefix('removed ')}); print it to a new PDF or scan the "
                                     "paper, and ingest that")
    assert catalog.documents() == []


def test_json_outcome_carries_the_notes(olke, tmp_path):
    import json

    from tests.conftest import text_pdf

    evil = with_active_content(text_pdf(tmp_path / "article.pdf", ["Мәтін."]), tmp_path / "evil.pdf")
    (outcome,) = json.loads(olke("ingest", evil, "--workers", "1", "--json").stdout)
    assert outcome["notes"] == [REMOVED]
