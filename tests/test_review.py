"""Pages that need a look: verdicts shown, `olke review`, `olke correct`, lines and the corrected text layer."""
from __future__ import annotations

import json
import subprocess

import pytest

from conftest import page_image
from archive.lines import Line, group_lines, place

pytestmark = pytest.mark.databases      # on SQLite and again with the catalog on PostgreSQL

PAGE_TEXTS = ["Қаладағы кітапхана тарихы туралы мақала бар. Оқырмандар мен газеттер жиналды бүгін кеште залда",
              "",
              "Өлкетану бөлімі оқырмандарға ашық. Кітапханада ескі газеттер сақталған және қорда көп"]
WRONG, RIGHT = "кттапхна", "Кітапханалар"


@pytest.fixture
def book(tmp_path):
    folder = tmp_path / "book"
    folder.mkdir()
    for n in (1, 2, 3):
        page_image([f"Бет {n}", "Кітапхана тарихы"], size=(900, 1200)).save(folder / f"page-{n}.png", dpi=(200, 200))
    return folder


@pytest.fixture
def archived(olke, book, monkeypatch, home):
    """Document 1: page 1 doubtful (two words read with low confidence), page 2 failed (no text)."""
    monkeypatch.setenv("OLKE_FAKE_OCR_TEXT", "\f".join(PAGE_TEXTS))
    result = olke("ingest", book, "--kind", "book", "--title", "Кітап", "--language", "kaz", "--workers", "1")
    assert result.exit_code == 0, result.output
    make_doubtful(home, 1, 1, {2: 41.0, 9: 35.0}, 58.0)
    return result


def make_doubtful(home, document_id, number, low: dict[int, float], confidence: float,
                  reasons=("low_confidence",), verdict="doubtful"):
    from archive.db import connect

    conn = connect(home.database_url or home.catalog_path)
    words = json.loads(conn.execute("SELECT words FROM pages WHERE document_id = ? AND number = ?",
                                    (document_id, number)).fetchone()[0])
    for index, value in low.items():
        words[index][5] = value
    conn.execute("UPDATE pages SET verdict = ?, verdict_reasons = ?, confidence = ?, words = ?"
                 " WHERE document_id = ? AND number = ?",
                 (verdict, json.dumps(list(reasons)), confidence, json.dumps(words, ensure_ascii=False), document_id,
                  number))
    conn.close()


# --- lines --------------------------------------------------------------------------------------

def test_words_are_grouped_into_lines_by_their_boxes():
    words = [["Бірінші", 0.1, 0.10, 0.2, 0.13, 95], ["жол", 0.22, 0.105, 0.3, 0.135, 50],
             ["Екінші", 0.1, 0.15, 0.2, 0.18, 90], ["жол", 0.22, 0.15, 0.3, 0.18, 90],
             ["оң", 0.6, 0.10, 0.7, 0.13, 90]]                    # the next column goes back up: a new line
    lines = group_lines(words)
    assert [line.text for line in lines] == ["Бірінші жол", "Екінші жол", "оң"]
    assert lines[0].marked() == [("Бірінші", 95, False), ("жол", 50, True)]
    assert lines[1].box == (0.1, 0.15, 0.3, 0.18)


def test_corrected_lines_keep_their_boxes_and_added_lines_go_below():
    lines = [Line([["Бірінші", 0.1, 0.1, 0.2, 0.13, 95], ["жоп", 0.22, 0.1, 0.3, 0.13, 40]]),
             Line([["Екінші", 0.1, 0.15, 0.2, 0.18, 90]])]
    placed = place(["Бірінші жол", "Екінші жол"], lines, extra=["Үшінші"])
    assert [line.text for line in placed] == ["Бірінші жол", "Екінші жол", "Үшінші"]
    assert placed[0].words[0] == ["Бірінші", 0.1, 0.1, 0.2, 0.13, 95]       # unchanged word: box and confidence
    assert placed[0].words[1] == ["жол", 0.22, 0.1, 0.3, 0.13, None]        # corrected: its box, no confidence
    assert placed[1].box[0] == 0.1 and placed[1].box[2] <= 0.2 + 1e-9        # two words share the old box
    assert placed[2].box[1] > 0.18                                          # below the last line
    joined = place(["Бірінші жол Екінші жол"], lines)                       # a file that joined two lines
    assert [line.text for line in joined] == ["Бірінші жол Екінші жол"]
    assert place([], [], extra=["Мәтін"])[0].box[1] > 0                     # a page with no lines at all


def test_a_page_corrected_into_fewer_lines_keeps_lines_of_a_lines_height():
    lines = [Line([[f"жол{n}", 0.1, 0.1 + 0.05 * n, 0.5, 0.13 + 0.05 * n, 90]]) for n in range(10)]
    (short,) = place(["Бір ғана қысқа жол"], lines)
    top, bottom = short.box[1], short.box[3]
    assert top == pytest.approx(0.1) and bottom - top == pytest.approx(0.03)   # not the ten lines' band


# --- the command line ---------------------------------------------------------------------------

def test_ingest_names_the_pages_that_need_a_look(olke, book, monkeypatch):
    monkeypatch.setenv("OLKE_FAKE_OCR_TEXT", "\f".join(PAGE_TEXTS))
    result = olke("ingest", book, "--kind", "book", "--title", "Кітап", "--language", "kaz", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-2:] == [
        "Done: 1 document archived (3 pages).",
        "1 page needs a look: document 1 page 2 (failed: no text where there is ink); see `olke review`"]
    again = olke("reocr", "1")
    assert again.stdout.strip().splitlines()[-1] == \
        "1 page needs a look: document 1 page 2 (failed: no text where there is ink); see `olke review`"


def test_ingest_json_has_the_pages_that_need_a_look(olke, book, monkeypatch):
    monkeypatch.setenv("OLKE_FAKE_OCR_TEXT", "\f".join(PAGE_TEXTS))
    result = olke("ingest", book, "--kind", "book", "--title", "Кітап", "--language", "kaz", "--workers", "1",
                  "--json")
    assert result.exit_code == 0
    (outcome,) = json.loads(result.stdout)
    assert outcome["need_look"] == [{"page": 2, "verdict": "failed", "reasons": ["no_text"]}]


def test_ingest_of_clean_pages_says_nothing_more(olke, book):
    result = olke("ingest", book, "--kind", "book", "--title", "Кітап", "--language", "kaz", "--workers", "1")
    assert result.stdout.strip().endswith("Done: 1 document archived (3 pages).")


def test_show_gives_each_pages_verdict(olke, archived):
    lines = olke("show", "1").stdout.splitlines()
    pages = [line.strip() for line in lines if line.strip().startswith("page ")]
    assert pages[0].endswith("characters, doubtful: low confidence")
    assert pages[0].startswith("page   1: kaz, confidence 58%")
    assert pages[1].endswith("0 characters, failed: no text where there is ink")
    assert pages[2].endswith("characters, ok")
    data = json.loads(olke("show", "1", "--json").stdout)
    assert [(p["verdict"], p["reasons"]) for p in data["pages"]] == [
        ("doubtful", ["low_confidence"]), ("failed", ["no_text"]), ("ok", [])]
    assert data["corrections"] == []


def test_review_lists_the_pages_worst_first(olke, archived, home):
    make_doubtful(home, 1, 3, {}, 65.0, ("language_mismatch",))
    result = olke("review")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "document 1 page 2: failed (no text where there is ink, confidence 90%) «Кітап»",
        "document 1 page 1: doubtful (low confidence, confidence 58%) «Кітап»",
        "document 1 page 3: doubtful (language not the document's, confidence 65%) «Кітап»",
        "3 pages shown; correct one with `olke correct ID PAGE --text-file F`, or keep its reading with "
        "`olke correct ID PAGE --accept`."]
    data = json.loads(olke("review", "--json", "--limit", "2").stdout)
    assert [(p["document_id"], p["page"], p["verdict"], p["reasons"]) for p in data] == [
        (1, 2, "failed", ["no_text"]), (1, 1, "doubtful", ["low_confidence"])]
    assert data[0]["title"] == "Кітап" and data[0]["reason_text"] == "no text where there is ink"
    assert olke("review", "--document", "7").exit_code == 3


def test_review_orders_by_verdict_then_reason_then_confidence(olke, archived, home):
    make_doubtful(home, 1, 1, {}, 45.0)
    make_doubtful(home, 1, 3, {}, 30.0, ("low_confidence",), "failed")
    make_doubtful(home, 1, 2, {}, None, ("no_text",), "failed")
    data = json.loads(olke("review", "--json").stdout)
    assert [p["page"] for p in data] == [2, 3, 1]


def test_correct_a_page_from_a_file(olke, archived, home, tmp_path):
    shown = olke("correct", "1", "1", "--show")
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("Қаладағы кітапхана тарихы")
    assert len(lines) == 2                                          # the fake engine's 8 words a line
    lines[0] = lines[0].replace("кітапхана", WRONG)                # the machine's reading, kept by the catalog …
    page_file = tmp_path / "page-1.txt"
    page_file.write_text("\n".join(lines), encoding="utf-8")
    assert olke("correct", "1", "1", "--text-file", page_file).exit_code == 0
    assert olke("search", WRONG).stdout.startswith("1 document ")

    fixed = [line.replace(WRONG, RIGHT) for line in lines] + ["Абайдың өлеңдері оқылды."]
    page_file.write_text("\n".join(fixed) + "\n", encoding="utf-8")
    result = olke("correct", "1", "1", "--text-file", page_file)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ("Document 1 page 1 corrected (122 characters); its verdict is ok, and search "
                                     "and the PDF use the corrected text.")
    assert "[Кітапханалар]" in olke("search", "кітапханалар").stdout
    assert olke("search", WRONG).stdout.startswith(f"Nothing found for «{WRONG}»")
    assert "Абайдың" in olke("search", "Абай").stdout

    pdf = home.document_dir(1) / "document.pdf"
    assert subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True).returncode == 0
    text = subprocess.run(["pdftotext", "-raw", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert text.split() == "\n".join(fixed).split()
    assert olke("index", "check").exit_code == 0

    data = json.loads(olke("show", "1", "--json").stdout)
    assert data["pages"][0]["verdict"] == "ok" and data["pages"][0]["reasons"] == []
    assert [(c["number"], c["action"], c["machine_verdict"], c["user"]) for c in data["corrections"]] == [
        (1, "corrected", "doubtful", "tester"), (1, "corrected", "ok", "tester")]
    pdf_row = next(f for f in data["files"] if f["role"] == "pdf")
    from archive.storage import sha256_file
    assert pdf_row["sha256"] == sha256_file(pdf) and pdf_row["size_bytes"] == pdf.stat().st_size
    from archive.catalog import Catalog
    from archive.corrections import history
    catalog = Catalog(home)
    first = history(catalog, 1, 1)[0]
    catalog.close()
    assert first["machine_text"] == PAGE_TEXTS[0]                     # … and so is the first reading
    assert "\n".join(lines) == first["text"]
    assert "page 1 corrected by tester" in olke("show", "1").stdout


def test_accept_a_page_and_the_messages_of_correct(olke, archived, tmp_path):
    result = olke("correct", "1", "1", "--accept")
    assert result.exit_code == 0
    assert result.stdout.strip() == "Document 1 page 1 accepted as read; its verdict is ok."
    assert [p["page"] for p in json.loads(olke("review", "--json").stdout)] == [2]
    again = olke("correct", "1", "1", "--accept")
    assert again.exit_code == 2
    assert again.stderr.strip() == ("olke: error: document 1 page 1 does not need a look (verdict ok); nothing to "
                                    "accept")
    neither = olke("correct", "1", "2")
    assert neither.exit_code == 2
    assert neither.stderr.strip() == ("olke: error: give one of: --text-file F (the corrected text), --accept (the "
                                      "reading is right), --show (print the page's lines) or --reread (read it "
                                      "again another way)")
    stray = olke("correct", "1", "2", "--accept", "--keep")
    assert stray.exit_code == 2
    assert stray.stderr.strip() == "olke: error: --deskew, --clean, --osd and --keep go with --reread"
    assert olke("correct", "1", "9", "--accept").stderr.strip() == \
        "olke: error: document 1 has no page 9; see `olke show 1`"
    assert olke("correct", "4", "1", "--accept").exit_code == 3
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    blank = olke("correct", "1", "2", "--text-file", empty)
    assert blank.exit_code == 2
    assert blank.stderr.strip() == ("olke: error: the corrected text of document 1 page 2 is empty; give the page's "
                                    "text, or accept the page if it really has none (--accept)")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Ертіс".encode("utf-16"))
    wrong = olke("correct", "1", "2", "--text-file", latin1)
    assert wrong.exit_code == 2 and wrong.stderr.strip() == f"olke: error: {latin1} is not UTF-8 text; save it as " \
                                                            "UTF-8 and try again"
    missing = olke("correct", "1", "2", "--text-file", tmp_path / "nope.txt")
    assert missing.exit_code == 2 and "cannot read" in missing.stderr


def test_read_a_page_again_and_keep_the_new_reading(olke, archived, monkeypatch):
    monkeypatch.setenv("OLKE_FAKE_OCR_TEXT", "Ертіс өзенінің жағасында ескі кітапхана тұр. Оқырмандар көп келеді.")
    shown = olke("correct", "1", "2", "--reread", "--deskew", "--clean")
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines() == [
        "New reading of document 1 page 2 (deskew, clean): ok, confidence 90%, 67 characters.",
        "Ертіс өзенінің жағасында ескі кітапхана тұр. Оқырмандар көп келеді.",
        "Nothing changed; keep it with: olke correct 1 2 --reread --deskew --clean --keep"]
    assert [p["page"] for p in json.loads(olke("review", "--json").stdout)] == [2, 1]
    kept = olke("correct", "1", "2", "--reread", "--deskew", "--clean", "--keep")
    assert kept.stdout.splitlines()[-1] == "Kept: it is now the page's text, and its verdict is ok."
    assert [p["page"] for p in json.loads(olke("review", "--json").stdout)] == [1]
    assert "өзенінің" in olke("search", "Ертіс").stdout
    corrections = json.loads(olke("show", "1", "--json").stdout)["corrections"]
    assert [(c["number"], c["action"], c["machine_verdict"]) for c in corrections] == [(2, "reread", "failed")]


def test_a_failed_page_with_no_lines_gets_its_text_from_standard_input(olke, archived, home):
    result = olke("correct", "1", "2", "--text-file", "-", input="Ертіс өзені туралы.\nЕкінші жол.\n")
    assert result.exit_code == 0, result.output
    pdf = home.document_dir(1) / "document.pdf"
    text = subprocess.run(["pdftotext", "-raw", "-f", "2", "-l", "2", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert text.strip().splitlines() == ["Ертіс өзені туралы.", "Екінші жол."]
    assert "өзені" in olke("search", "Ертіс").stdout


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_the_corrected_text_layer_stands_where_the_line_is_on_a_turned_page(tmp_path, make_png, rotation):
    import img2pdf
    import pikepdf
    import pypdfium2

    from ocr.relayer import replace_page_text

    pdf = tmp_path / "page.pdf"
    pdf.write_bytes(img2pdf.convert(str(make_png(size=(1200, 500)))))
    with pikepdf.open(pdf, allow_overwriting_input=True) as held:
        held.pages[0].obj.Rotate = rotation
        held.save(pdf)
    line = Line([["Сынақ", 0.1, 0.2, 0.3, 0.25, None], ["сөз", 0.32, 0.2, 0.45, 0.25, None]])
    replace_page_text(pdf, 1, [line], tmp_path / "out.pdf")
    document = pypdfium2.PdfDocument(tmp_path / "out.pdf")
    text = document[0].get_textpage()
    assert text.get_text_range().split() == ["Сынақ", "сөз"]
    left, bottom, right, top = text.get_charbox(0)
    x, y = (left + right) / 2, (bottom + top) / 2               # in the unturned page's points
    width, height = 1200 * 72 / 200, 500 * 72 / 200
    shown = {0: (x / width, 1 - y / height), 90: (y / height, x / width),
             180: (1 - x / width, y / height), 270: (1 - y / height, 1 - x / width)}[rotation]
    assert 0.1 <= shown[0] <= 0.16 and 0.2 <= shown[1] <= 0.25    # the first letter, as the page is shown
    document.close()


@pytest.mark.tesseract
def test_a_real_reading_corrected_and_read_again(make_png, home, monkeypatch):
    """Through ocrmypdf and tesseract: the corrected word replaces the read one in the PDF/A's text
    layer (ocrmypdf's own layer is stripped), and a page is read again from its original scan."""
    import pikepdf

    from archive.library import Archive
    from archive.metadata import Description
    from conftest import KAZAKH_LINES
    from ingest.pipeline import IngestOptions, ingest
    from ingest.reader import ScanReader
    from ingest.reread import reread
    from ingest.sources import discover
    from ocr.tesseract import TesseractEngine

    monkeypatch.setenv("OLKE_OCR_ENGINE", "tesseract")
    archive = Archive(home, ScanReader())
    sources, _ = discover([make_png("kaz.png", KAZAKH_LINES)], Description(title="Сынақ", language="kaz"))
    (outcome,) = ingest(sources, archive, TesseractEngine(), IngestOptions(workers=1))
    (page,) = archive.catalog.pages(outcome.document_id)
    lines = [line.text for line in group_lines(page["words"])]
    assert len(lines) == 3 and "кітапхана" in lines[0]
    lines[0] = lines[0].replace("кітапхана", "мұражай")
    archive.correct_page(outcome.document_id, 1, lines)
    pdf = archive.catalog.file_path(outcome.document_id, "pdf")
    layer = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "мұражай" in layer and "кітапхана " not in layer
    assert layer.split() == "\n".join(lines).split()
    assert subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True).returncode == 0
    with pikepdf.open(pdf) as opened:
        assert opened.open_metadata().pdfa_status == "2B"
    reading = reread(archive.catalog, TesseractEngine(), outcome.document_id, 1, {"deskew", "clean"})
    assert "Өлкетану" in reading.text and reading.words and reading.confidence > 70
    archive.close()


def test_a_corrected_layer_reads_column_by_column(tmp_path):
    """Two uneven columns keep apart in pdftotext's default mode (geometry), as at ingest."""
    import img2pdf
    from PIL import Image, ImageDraw

    from conftest import font
    from ocr.relayer import replace_page_text

    size, face = (1700, 2200), font(34)
    columns = [(100, [f"бірінші бағанның {n}-жолы мұнда" for n in range(1, 7)]),
               (900, [f"екінші бағанның {n}-жолы мұнда" for n in range(1, 4)])]
    image, words = Image.new("L", size, 255), []
    draw = ImageDraw.Draw(image)
    for x, lines in columns:
        for n, line in enumerate(lines):
            y, start = 200 + n * 44, 0
            draw.text((x, y), line, font=face, fill=0)
            for word in line.split():
                start = line.index(word, start)
                x0, y0, x1, y1 = draw.textbbox((x + draw.textlength(line[:start], font=face), y), word, font=face)
                words.append([word, x0 / size[0], y0 / size[1], x1 / size[0], y1 / size[1], 90.0])
                start += len(word)
    image.save(tmp_path / "page.png", dpi=(200, 200))
    (tmp_path / "page.pdf").write_bytes(img2pdf.convert(str(tmp_path / "page.png")))
    texts = [line.text for line in group_lines(words)]
    texts[0] = texts[0].replace("мұнда", "осында")                       # a correction
    replace_page_text(tmp_path / "page.pdf", 1, place(texts, group_lines(words)), tmp_path / "out.pdf")
    read = subprocess.run(["pdftotext", str(tmp_path / "out.pdf"), "-"], capture_output=True, text=True).stdout
    assert [line for line in read.splitlines() if line.strip()] == \
        [texts[0]] + columns[0][1][1:] + columns[1][1]


def test_the_ingest_summary_names_ten_pages_at_most():
    from archive.corrections import needs_look_message

    pages = [(3, n, "doubtful", ["low_confidence"]) for n in range(1, 13)] + [(4, 2, "failed", ["no_text"])]
    message = needs_look_message(pages)
    assert message.startswith("13 pages need a look: document 4 page 2 (failed: no text where there is ink), "
                              "document 3 page 1 (doubtful: low confidence), ")
    assert message.endswith("document 3 page 9 (doubtful: low confidence), and 3 more; see `olke review`")
