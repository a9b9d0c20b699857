"""The ingest pipeline over the library API, with the fake OCR engine."""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pikepdf
import pytest

from archive.errors import Interrupted, OcrFailed
from archive.metadata import Description
from ingest.pipeline import IngestOptions, ingest
from ingest.sources import discover, read_manifest
from tests.support.fake_ocr import CrashingEngine, FakeEngine

pytestmark = pytest.mark.databases      # on SQLite and again with the catalog on PostgreSQL

BASE = Description(kind="newspaper_article", title="")


@pytest.fixture
def catalog(archive):
    return archive.catalog


def run(archive, paths, engine=None, workers=1, **options):
    sources, errors = discover([Path(p) for p in paths], BASE)
    assert not errors
    return ingest(sources, archive, engine or FakeEngine(), IngestOptions(workers=workers, **options))


def test_folder_of_pages_in_natural_order(archive, catalog, scans):
    (outcome,) = run(archive, [scans["book"]])
    assert outcome.status == "ingested" and outcome.pages == 4
    originals = [Path(f["path"]).name for f in catalog.files(1, "original")]
    assert originals == ["0001-page-1.png", "0002-page-2.png", "0003-page-3.png", "0004-page-10.png"]
    document = catalog.get(1)
    assert document.page_count == 4 and document.title == "book"


def test_multipage_tiff_and_image_pdf_count_pages(archive, catalog, scans):
    outcomes = run(archive, [scans["tiff"], scans["image_pdf"]])
    assert sorted(o.pages for o in outcomes) == [2, 2]
    for document in catalog.documents():
        with pikepdf.open(catalog.file_path(document.id, "pdf")) as pdf:
            assert len(pdf.pages) == document.page_count == len(catalog.pages(document.id))
        assert len(catalog.files(document.id, "page_image")) == document.page_count
        assert len(catalog.files(document.id, "thumbnail")) == document.page_count


def test_pdf_with_text_keeps_its_text_and_becomes_pdfa(archive, catalog, scans):
    from ocrmypdf.pdfa import file_claims_pdfa

    from ocr.textlayer import page_texts

    (outcome,) = run(archive, [scans["text_pdf"]])
    document = catalog.get(outcome.document_id)
    assert document.ocr_engine is None
    stored = catalog.file_path(document.id, "pdf")
    assert page_texts(stored) == page_texts(scans["text_pdf"])
    assert file_claims_pdfa(stored)["conformance"] == "PDF/A-2b"
    assert outcome.notes == []
    pages = catalog.pages(document.id)
    assert pages[0]["text"] == "Кітапхана тарихы. Бірінші бет."
    assert pages[1]["text"] == "Библиотека. Вторая страница."
    assert pages[0]["words"][0][0] == "Кітапхана" and pages[0]["confidence"] is None


def mixed_pdf(scans, path):
    """A born-digital page, then a scanned one (a picture and no text), then born-digital again."""
    import img2pdf

    with pikepdf.open(scans["text_pdf"]) as text, pikepdf.open(io.BytesIO(img2pdf.convert(str(scans["png"])))) as scan:
        with pikepdf.new() as mixed:
            mixed.pages.extend([text.pages[0], scan.pages[0], text.pages[1]])
            mixed.save(path)
    return path


def test_scanned_pages_among_born_digital_ones_are_read_and_the_others_kept(archive, catalog, scans, tmp_path):
    from ocr.textlayer import page_texts

    (outcome,) = run(archive, [mixed_pdf(scans, tmp_path / "mixed.pdf")], engine=FakeEngine(["Сканерленген бет."]))
    document = catalog.get(outcome.document_id)
    pages = catalog.pages(document.id)
    assert [page["text"] for page in pages] == ["Кітапхана тарихы. Бірінші бет.", "Сканерленген бет.",
                                                 "Библиотека. Вторая страница."]
    assert pages[1]["verdict"] == "ok" and "failed" not in [page["verdict"] for page in pages]
    assert document.ocr_engine == "fake"
    assert pages[0]["confidence"] is None and pages[1]["confidence"] == 90.0
    stored = catalog.file_path(document.id, "pdf")
    texts = page_texts(stored)       # the born-digital pages keep their own text, not rasterised
    assert texts[0] == "Кітапхана тарихы. Бірінші бет." and texts[2] == "Библиотека. Вторая страница."
    with pikepdf.open(stored) as pdf:
        assert len(pdf.pages) == 3 and not pdf.pages[0].get_images() and pdf.pages[1].get_images()


def test_force_ocr_replaces_existing_text(archive, catalog, scans):
    (outcome,) = run(archive, [scans["text_pdf"]], force_ocr=True)
    document = catalog.get(outcome.document_id)
    assert document.ocr_engine == "fake"
    assert catalog.pages(document.id)[0]["text"].startswith("Өлке тарихы, 1-бет.")


def test_sizes_and_hashes_are_exact(archive, catalog, scans):
    run(archive, [scans["jpeg"]])
    for row in catalog.files(1):
        path = catalog.home.absolute(row["path"])
        assert path.stat().st_size == row["size_bytes"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row["sha256"]
    original = catalog.file_path(1, "original")
    assert original.read_bytes() == scans["jpeg"].read_bytes()


def test_language_auto_is_detected_from_text(archive, catalog, scans, monkeypatch):
    russian = "Городская библиотека хранит подшивки районной газеты за многие годы, их читают краеведы."
    (outcome,) = run(archive, [scans["png"]], engine=FakeEngine([russian]))
    assert catalog.get(outcome.document_id).language == "rus"
    assert catalog.pages(outcome.document_id)[0]["language"] == "rus"


def test_crashing_engine_leaves_nothing_half_written(archive, catalog, scans):
    (outcome,) = run(archive, [scans["png"]], engine=CrashingEngine())
    assert outcome.status == "failed" and isinstance(outcome.error, OcrFailed)
    assert catalog.documents() == []
    assert list(catalog.home.files_dir.iterdir()) == []
    assert list(catalog.home.staging_dir.iterdir()) == []


class InterruptingEngine(FakeEngine):
    """Behaves like Ctrl-C arriving while the second document is being recognised."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def ocr_pdf(self, *args, **kwargs):
        self.calls += 1
        if self.calls == 2:
            raise KeyboardInterrupt
        return super().ocr_pdf(*args, **kwargs)


def test_interrupted_batch_is_consistent_and_rerun_resumes(archive, catalog, scans):
    paths = [scans["png"], scans["jpeg"], scans["tiff"]]
    with pytest.raises(Interrupted, match="run the same command again with --skip-duplicates to continue"):
        run(archive, paths, engine=InterruptingEngine())
    archived = catalog.documents()
    assert len(archived) == 1
    folders = sorted(p.name for p in catalog.home.files_dir.iterdir())
    assert folders == [f"{archived[0].id:06d}"]
    outcomes = run(archive, paths, skip_duplicates=True)
    assert sorted(o.status for o in outcomes) == ["duplicate", "ingested", "ingested"]
    assert len(catalog.documents()) == 3


def test_orphans_of_a_killed_run_are_removed(home, scans):
    from archive.catalog import Catalog
    from archive.library import Archive

    archive = Archive(home)
    run(archive, [scans["png"]])
    archive.close()
    orphan = home.document_dir(99)
    orphan.mkdir()
    (orphan / "document.pdf").write_bytes(b"half")
    stale = home.staging_dir / "999999999-abc"
    stale.mkdir()
    Catalog(home).close()
    assert not orphan.exists() and not stale.exists()
    assert home.document_dir(1).exists()


def test_parallel_batch_on_two_workers(archive, catalog, scans):
    outcomes = run(archive, [scans["png"], scans["jpeg"], scans["tiff"], scans["book"]], workers=2)
    assert sorted(o.status for o in outcomes) == ["ingested"] * 4
    assert sum(d.page_count for d in catalog.documents()) == 1 + 1 + 2 + 4


def test_same_scan_twice_in_one_batch(archive, catalog, scans, tmp_path):
    copy = tmp_path / "copy.png"
    copy.write_bytes(scans["png"].read_bytes())
    outcomes = run(archive, [scans["png"], copy])
    assert sorted(o.status for o in outcomes) == ["duplicate", "ingested"]


def test_sidecar_and_manifest(archive, tmp_path, scans, catalog):
    (scans["book"] / "olke.toml").write_text(
        'kind = "book"\ntitle = "Дала туралы"\nlanguage = "kaz"\nrubrics = ["Табиғат", "Тарих"]\n'
        'published = 1998\n', encoding="utf-8")
    manifest = tmp_path / "batch.csv"
    manifest.write_text("path,kind,title,source,issue,published,language,access,rubrics\n"
                        f"{scans['png'].name},newspaper_article,Мақала,Өлке,12,1998-05-14,kaz,on_request,Тарих; Мектеп\n"
                        f"{scans['book'].name},,,,,,,,\n", encoding="utf-8")
    sources, errors = read_manifest(manifest, BASE)
    assert errors == []
    ingest(sources, archive, FakeEngine(), IngestOptions(workers=1))
    by_title = {d.title: d for d in catalog.documents()}
    assert by_title["Мақала"].access == "on_request"
    assert by_title["Мақала"].rubrics == ["Тарих", "Мектеп"]
    assert by_title["Мақала"].published == "1998-05-14"
    assert by_title["Дала туралы"].kind == "book" and by_title["Дала туралы"].published == "1998"


def test_manifest_row_errors_name_the_line(tmp_path, scans):
    manifest = tmp_path / "batch.csv"
    manifest.write_text(f"path,kind\n{scans['png'].name},poster\n{scans['jpeg'].name},book\n", encoding="utf-8")
    sources, errors = read_manifest(manifest, BASE)
    assert len(sources) == 1
    assert errors[0].message == f"{manifest}:2: unknown kind 'poster'; use one of: newspaper_article, " \
                                "journal_article, book, other"
