"""Pages to check in a real browser (headless Debian Chromium): the page image beside its lines,
doubtful words marked, a line corrected. The screenshot goes to test-output/ for a person to look at."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

from test_app_support import serve

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parent.parent / "test-output"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
LINES = ["Қаладағы кітапхана тарихы туралы мақала.", "Кітапханалардың қорында ескі газеттер сақталған.",
         "Өлкетану бөлімі оқырмандарға ашық.", "Абай атындағы мектептің оқушылары келді."]
MISREAD = {"кітапхана": ("кітапхаиа", 38.0), "сақталған.": ("сақталған.", 52.0), "оқушылары": ("окушылары", 44.0)}
SIZE, DPI = (1100, 1400), 200


def drawn_words() -> list[list]:
    """The words as tesseract would give them for the page conftest.page_image draws: their boxes on
    the image, a few misread or read with low confidence."""
    from PIL import Image, ImageDraw

    from conftest import font

    face, draw = font(int(DPI / 6.5)), ImageDraw.Draw(Image.new("L", SIZE))
    words = []
    for number, line in enumerate(LINES):
        x, y, start = 60, 50 + number * int(DPI / 3.6), 0
        for word in line.split():
            start = line.index(word, start)
            x0, y0, x1, y1 = draw.textbbox((x + draw.textlength(line[:start], font=face), y), word, font=face)
            read, confidence = MISREAD.get(word, (word, 93.0))
            words.append([read, round(x0 / SIZE[0], 4), round(y0 / SIZE[1], 4), round(x1 / SIZE[0], 4),
                          round(y1 / SIZE[1], 4), confidence])
            start += len(word)
    return words

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed "
                                                                 "(apt-get install chromium; `make test` does it)")]


@pytest.fixture
def staff_url(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from cli import main
    from archive.db import connect
    from archive.home import Home
    from archive.delivery import staff
    from conftest import page_image
    from ingest.reader import ScanReader
    from search_app.staff import create_staff_app

    folder = tmp_path / "article"
    folder.mkdir()
    for n in (1, 2):
        page_image(LINES, DPI, size=SIZE).save(folder / f"page-{n}.png", dpi=(DPI, DPI))
    home = Home.resolve(tmp_path / "home")
    monkeypatch.setenv("OLKE_FAKE_OCR_TEXT", "\f".join([" ".join(LINES), ""]))
    result = CliRunner().invoke(main, ["--home", str(home.root), "ingest", str(folder), "--kind", "newspaper_article",
                                       "--title", "Кітапхана тарихы", "--language", "kaz", "--workers", "1"])
    assert result.exit_code == 0, result.output
    conn = connect(home.database_url or home.catalog_path)
    words = drawn_words()
    conn.execute("UPDATE pages SET verdict = 'doubtful', verdict_reasons = '[\"low_confidence\"]', confidence = 61,"
                 " words = ?, text = ? WHERE number = 1",
                 (json.dumps(words, ensure_ascii=False), " ".join(w[0] for w in words)))
    staff.add(conn, "corrector", "correct horse 1", "Түзетуші")
    conn.close()
    app = create_staff_app({"OLKE_HOME": str(home.root), "OLKE_READER": ScanReader()})
    with serve(app) as url:
        yield url
    app.extensions["olke"].close()


def test_correct_a_line_in_a_browser(staff_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        problems = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))

        page.goto(staff_url + "/review")
        page.fill("input[name=name]", "corrector")
        page.fill("input[name=password]", "correct horse 1")
        page.keyboard.press("Enter")
        # the sign-in page's own address ends in ?next=/review: wait for the path itself
        page.wait_for_url(lambda url: urlparse(url).path == "/review")
        assert page.locator("h1").inner_text() == "Тексерілетін беттер"
        page.locator("a.button").nth(1).click()                       # the doubtful page, after the failed one
        page.wait_for_url("**/review/1/1")
        page.wait_for_function("document.querySelector('.frame img').complete")
        assert page.locator("svg.doubts rect.doubt").count() == 3
        image = page.locator(".frame img").bounding_box()
        assert image["width"] > 500
        for index in range(3):
            box = page.locator("svg.doubts rect.doubt").nth(index).bounding_box()
            assert box["width"] > 20 and box["height"] > 10
            assert image["x"] <= box["x"] and box["x"] + box["width"] <= image["x"] + image["width"]
        assert page.locator("ol.edit-lines mark.doubt").count() == 3
        text = page.locator("section.text").bounding_box()
        assert text["x"] > image["x"] + image["width"] - 1             # the text beside the image
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "review-1-page.png"), full_page=True)

        assert page.locator("#line-1").input_value() == "Қаладағы кітапхаиа тарихы туралы мақала."
        first = page.locator("#line-1")
        first.fill(first.input_value().replace("кітапхаиа", "кітапхана"))
        page.get_by_role("button", name="Түзетілген мәтінді сақтау").click()
        page.wait_for_url("**/review/1/2")
        assert page.locator(".flash.done").inner_text() == "1-құжаттың 1-беті түзетілді."
        page.screenshot(path=str(SHOTS / "review-2-next.png"), full_page=True)
        assert not problems, problems                                  # no CSP violations, no errors
        context.close()
        browser.close()
