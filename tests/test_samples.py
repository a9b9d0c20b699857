"""The demo samples: scans/make_samples.py renders every text in scans/texts/ into scan files.

No tesseract here: these tests check files, page counts, resolution metadata, sidecars, the ground
truth, and that a second run leaves everything alone.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pypdf
import pytest
from PIL import Image
from tests.conftest import import_from_scans

ROOT = Path(__file__).resolve().parents[1]
SCANS = ROOT / "scans"
SCRIPT = SCANS / "make_samples.py"


samples = import_from_scans("samples")
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


PLAIN = ["kaz-newspaper-library", "rus-newspaper-two-column", "kaz-journal-article", "rus-journal-article",
         "kaz-book-steppe", "rus-image-only-pdf", "kaz-rotated-page"]
HARD = ["hard-skew-book", "hard-dark-border", "hard-grey-faded", "hard-columns-two", "hard-columns-three",
        "hard-photo-caption", "hard-latin-names", "hard-phone-capture"]


def test_there_are_the_seven_samples_and_a_sample_of_each_hard_kind():
    assert sorted(ALL) == sorted(PLAIN + HARD)
    assert 18 <= sum(len(ALL[s]["pages"]) for s in PLAIN) <= 24
    assert 8 <= sum(len(ALL[s]["pages"]) for s in HARD) <= 12
    assert samples.slugs(hard=False) == sorted(PLAIN) and sorted(samples.load_all(hard=False)) == sorted(PLAIN)


def test_the_hard_kinds_are_rendered_as_the_issue_describes():
    skews = [samples.page_settings(ALL["hard-skew-book"], i)["skew_degrees"] for i in range(2)]
    assert all(1 <= abs(s) <= 5 for s in skews) and ALL["hard-skew-book"]["render"]["dpi"] == 200
    border = ALL["hard-dark-border"]["render"]
    assert border["dark_border_mm"] > 0 and 1 <= border["skew_degrees"] <= 5
    faded = ALL["hard-grey-faded"]["render"]
    assert faded["dpi"] == 300 and faded["paper_tone"] <= 200 and faded["paper_tone"] - faded["ink_tone"] <= 90
    assert ALL["hard-columns-two"]["render"]["layout"] == "two_column"
    assert ALL["hard-columns-three"]["render"]["layout"] == "three_column"
    phone = ALL["hard-phone-capture"]["render"]
    assert phone["dpi"] == 150 and phone["format"] == "jpeg"
    assert phone["blur"] > 0 and phone["vignette"] > 0 and phone["perspective"] > 0


def test_uneven_columns_read_column_by_column_under_their_heading():
    truth = samples.load_truth("hard-columns-three")[0].splitlines()
    assert truth[1:3] == ["Ауылдың алғашқы кітапханасы", "Өлкетану бөлімінің деректерінен"]
    assert truth[3].startswith("Ауылдағы алғашқы") and truth[4].startswith("Қыс кезінде")
    assert truth[5] == "Бүгінде кітапхана жаңа ғимаратта жұмыс істейді."
    assert "---" not in samples.load_truth("hard-columns-two")[0]
    blocks = samples.page_blocks(ALL["hard-columns-two"], 0)
    assert [b.style for b in blocks].count("column_break") == 1


def test_a_caption_stands_between_the_paragraphs_where_the_photo_is():
    lines = samples.load_truth("hard-photo-caption")[0].splitlines()
    caption = "Водонапорная башня у станции. Снимок из фондов городского музея."
    assert lines.index(caption) == 3 and lines[2].startswith("Кирпичная") and lines[4].startswith("В девяностые")


def test_latin_names_stand_inside_the_kazakh_text():
    truth = samples.load_truth("hard-latin-names")[0]
    for name in ("Tesseract", "ABBYY FineReader", "IRBIS64", "UNESCO", "Almaty", "OpenStreetMap"):
        assert name in truth


@pytest.mark.parametrize("render, message", [
    ({"paper_tone": 300}, "paper_tone 300 must be a number from 120 to 255"),
    ({"paper_tone": 200.5}, "paper_tone 200.5 must be a whole number from 120 to 255"),
    ({"ink_tone": 180, "paper_tone": 190}, "ink_tone 180 must be at least 30 darker than paper_tone 190"),
    ({"dark_border_mm": -1}, "dark_border_mm -1 must be a number from 0 to 30"),
    ({"blur": "soft"}, "blur 'soft' must be a number from 0 to 3"),
    ({"vignette": 0.9}, "vignette 0.9 must be a number from 0 to 0.7"),
    ({"perspective": True}, "perspective True must be a number from 0 to 0.08"),
    ({"layout": "four_column"}, "layout 'four_column' is not one of: single, two_column, three_column"),
])
def test_bad_render_keys_are_refused(tmp_path, render, message):
    write_text(tmp_path, render, "Мәтін.")
    with pytest.raises(samples.SampleError, match="^" + re.escape(f"{tmp_path / 'x.toml'}: {message}")):
        samples.load("x", tmp_path)


@pytest.mark.parametrize("layout, text, message", [
    ("two_column", "Бір.\n\n---\n\nЕкі.\n\n---\n\nҮш.",
     "page 1 has 2 column break(s) ('---'); a two_column page takes 1 or none"),
    ("single", "Бір.\n\n## Тақырып", "page 1 has a heading after its text; headings ('#', '##') go first"),
])
def test_misplaced_breaks_and_headings_are_refused(tmp_path, layout, text, message):
    write_text(tmp_path, {"layout": layout}, text)
    with pytest.raises(samples.SampleError, match=re.escape(message)):
        samples.load("x", tmp_path)


def write_text(folder: Path, render: dict, text: str) -> None:
    doc = dict(ALL["hard-latin-names"]["document"])
    lines = ["[document]"] + [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in doc.items()]
    lines += ["[render]"] + [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in render.items()]
    lines += ["[[pages]]", f"text = {json.dumps(text, ensure_ascii=False)}"]
    (folder / "x.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


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
    make_samples = import_from_scans("make_samples")
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
