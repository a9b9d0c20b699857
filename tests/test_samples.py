"""The demo samples: scans/make_samples.py renders every text in scans/texts/ into scan files.

No tesseract here: these tests check files, page counts, resolution metadata, sidecars, the ground
truth, and that a second run leaves everything alone.
"""
from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pypdf
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SCANS = ROOT / "scans"
SCRIPT = SCANS / "make_samples.py"


def _import(name: str):
    """Import a module from scans/ without leaving a __pycache__ folder in the inbox."""
    before = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    if str(SCANS) not in sys.path:
        sys.path.insert(0, str(SCANS))
    try:
        return importlib.import_module(name)
    finally:
        sys.dont_write_bytecode = before


samples = _import("samples")
ALL = samples.load_all()


def make(out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "--out", str(out), *args],
                          capture_output=True, text=True, timeout=120)


def mtimes(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in sorted(out.rglob("*")) if p.is_file()}


def page_images(sample: dict, out: Path) -> list[Image.Image]:
    files = samples.output_files(sample, out)
    fmt = sample["render"]["format"]
    if fmt == "tiff_multipage":
        tiff = Image.open(files[0])
        frames = []
        for n in range(tiff.n_frames):
            tiff.seek(n)
            frames.append(tiff.copy())
            frames[-1].info = dict(tiff.info)
        return frames
    if fmt == "pdf_image_only":
        return []
    return [Image.open(f) for f in files]


def test_there_are_seven_samples_of_about_twenty_pages():
    assert sorted(ALL) == sorted([
        "kaz-newspaper-library", "rus-newspaper-two-column", "kaz-journal-article", "rus-journal-article",
        "kaz-book-steppe", "rus-image-only-pdf", "kaz-rotated-page"])
    assert 18 <= sum(len(s["pages"]) for s in ALL.values()) <= 24


def test_every_sample_is_rendered_and_a_second_run_changes_nothing(tmp_path):
    # One test, so that under pytest-xdist only one worker renders the whole set.
    result = make(tmp_path, "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    for slug in sorted(ALL):
        check_pages(slug, tmp_path)
        check_sidecar(slug, tmp_path)
    before = mtimes(tmp_path)
    result = make(tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"0 rendered, {len(ALL)} up to date" in result.stdout
    assert mtimes(tmp_path) == before


def check_pages(slug: str, out: Path) -> None:
    sample = ALL[slug]
    render, count = sample["render"], len(sample["pages"])
    files = samples.output_files(sample, out)
    assert all(f.is_file() for f in files), slug
    truth = samples.load_truth(slug)
    assert len(truth) == count and all(t.strip() for t in truth), slug
    if render["format"] == "pdf_image_only":
        reader = pypdf.PdfReader(files[0])
        assert len(reader.pages) == count, slug
        for page in reader.pages:
            assert page.extract_text().strip() == "", slug          # image only: no text layer
            (image,) = page.images
            width_pt = float(page.mediabox.width)
            assert image.image.width / (width_pt / 72) == pytest.approx(render["dpi"], rel=0.01), slug
        return
    images = page_images(sample, out)
    assert len(images) == count, slug
    if render["format"] == "png":
        assert [f.name for f in files] == [f"page-{n}.png" for n in range(1, count + 1)]
    for image in images:
        assert image.info["dpi"] == pytest.approx((render["dpi"], render["dpi"]), abs=0.01), slug
        assert image.mode == ("1" if render["format"] == "tiff_multipage" else "L"), slug
    if render["format"] == "tiff_multipage":
        assert images[0].info["compression"] == "group4"
    if render["rotate"] in (90, 270):
        assert images[0].width > images[0].height, slug     # an A5 page lying on its side


def check_sidecar(slug: str, out: Path) -> None:
    sidecar = tomllib.loads((out / slug / "olke.toml").read_text(encoding="utf-8"))
    assert list(sidecar) == list(samples.DOCUMENT_KEYS), slug
    assert sidecar == ALL[slug]["document"], slug
    assert sorted(p.name for p in (out / slug).iterdir()) == sorted(
        [f.name for f in samples.output_files(ALL[slug], out)] + ["olke.toml"]), slug


def test_a_stale_sample_is_rendered_again_and_only_it(tmp_path):
    slugs = ["rus-newspaper-two-column", "kaz-rotated-page"]
    assert make(tmp_path, "--quiet", *(a for s in slugs for a in ("--only", s))).returncode == 0
    stale = tmp_path / slugs[0] / "olke.toml"
    os.utime(stale, ns=(0, 0))                              # older than its text
    before = mtimes(tmp_path)
    result = make(tmp_path, *(a for s in slugs for a in ("--only", s)))
    assert result.returncode == 0, result.stderr
    assert "1 rendered, 1 up to date" in result.stdout
    after = mtimes(tmp_path)
    assert {k for k in after if after[k] != before[k]} == {f"{slugs[0]}/olke.toml", f"{slugs[0]}/page-1.png"}


def test_force_renders_the_same_bytes(tmp_path):
    slug = "rus-image-only-pdf"                             # the PDF: img2pdf must not add dates or random IDs
    assert make(tmp_path, "--quiet", "--only", slug).returncode == 0
    pdf = samples.output_files(ALL[slug], tmp_path)[0]
    first = pdf.read_bytes()
    assert make(tmp_path, "--quiet", "--force", "--only", slug).returncode == 0
    assert pdf.read_bytes() == first


def test_unknown_sample_is_refused(tmp_path):
    result = make(tmp_path, "--only", "no-such-sample")
    assert result.returncode == 2
    assert result.stderr.startswith("error: no sample 'no-such-sample'; the samples are: ")


def test_missing_fonts_say_what_to_install(monkeypatch):
    make_samples = _import("make_samples")
    monkeypatch.setattr(make_samples, "FONT_ROOTS", (Path("/nonexistent"),))
    with pytest.raises(SystemExit, match=r"^font PT Serif not found; install fonts-paratype$"):
        make_samples.Fonts()


def test_truth_has_the_word_forms_the_search_tests_need():
    kaz = " ".join(samples.load_truth("kaz-newspaper-library"))
    for form in ("кітапхана", "кітапханасы", "кітапханаларда", "кітапхананың", "кітапханашы",
                 "Windows 10", "Microsoft Office", "Internet"):
        assert form in kaz
    rus = samples.load_truth("rus-newspaper-two-column")[0]
    assert rus.startswith("«Степные вести» № 45 17 сентября 2004 г.\nИртыш")
    for letter in "ёщъ№":
        assert letter in rus
    book = samples.load_truth("kaz-book-steppe")
    assert book[0].splitlines()[1] == "Дала мен өзен" and book[3].splitlines()[-1] == "4"   # title page; folio
    assert samples.page_settings(ALL["kaz-book-steppe"], 3)["skew_degrees"] == 3.0
