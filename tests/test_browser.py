"""A real browser (headless Debian Chromium) in the reading room, served by waitress on loopback.

Searches in Kazakh with an inflected form, opens a result, sees the highlights over the page image,
switches to Russian, downloads the PDF. Screenshots go to test-output/ for a person to look at.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from test_app_support import build_archive, serve

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parent.parent / "test-output"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed "
                                                                 "(apt-get install chromium; `make test` does it)")]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    from search_app import create_app

    home, _ids = build_archive(tmp_path_factory.mktemp("browser"))
    app = create_app({"OLKE_HOME": str(home)})
    with serve(app) as url:
        yield url
    app.extensions["olke"].close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def shoot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"browser-{name}.png"), full_page=True)


def test_search_read_highlight_switch_language_and_download(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(base_url + "/")
    assert page.locator("html").get_attribute("lang") == "kk"
    shoot(page, "1-home")

    page.get_by_label("Толық мәтін бойынша іздеу").fill("кітапханаларда")    # an inflected form
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    assert page.locator("ol.hits > li").count() >= 1
    assert page.locator(".snippet mark").count() >= 1
    shoot(page, "2-results")

    page.locator(".page-link").first.click()
    page.wait_for_url("**/documents/*/pages/1?q=*")
    page.locator(".frame img").wait_for()
    page.wait_for_function("document.querySelector('.frame img').complete")
    highlights = page.locator("svg.hits rect.hit")
    assert highlights.count() == 2
    image = page.locator(".frame img").bounding_box()
    for index in range(highlights.count()):
        box = highlights.nth(index).bounding_box()
        assert box["width"] > 5 and box["height"] > 5
        assert image["x"] <= box["x"] and box["x"] + box["width"] <= image["x"] + image["width"] + 1
        assert image["y"] <= box["y"] and box["y"] + box["height"] <= image["y"] + image["height"] + 1
    assert page.locator(".ocr mark").count() == 2
    assert page.locator("#viewer-title").inner_text() == "2 беттің 1-беті"
    shoot(page, "3-viewer-kk")

    page.locator(".langs a[hreflang=ru]").click()
    page.wait_for_url("**lang=ru*")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("#viewer-title").inner_text() == "Страница 1 из 2"
    assert page.locator("svg.hits rect.hit").count() == 2                   # the query is kept
    shoot(page, "4-viewer-ru")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Скачать PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")

    page.goto(base_url + "/")                                                 # the cookie keeps Russian
    assert page.locator("h2#holdings-title").inner_text() == "Что есть в архиве"
    assert not problems, problems                                            # no CSP violations, no errors
    context.close()


def test_phone_screen_and_keyboard(browser, base_url):
    context = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(base_url + "/search?q=%D0%BA%D1%96%D1%82%D0%B0%D0%BF%D1%85%D0%B0%D0%BD%D0%B0")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the results page scrolls sideways on a phone"
    shoot(page, "5-phone-results")
    page.locator(".page-link").first.click()
    page.wait_for_url("**/documents/**")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "6-phone-viewer")
    page.keyboard.press("Tab")                                                # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.locator("a.skip").is_visible()
    context.close()


@pytest.mark.parametrize("screen", [{"width": 390, "height": 844}, {"width": 1280, "height": 900}],
                         ids=["phone", "desktop"])
def test_a_researcher_in_kazakh_timeline_viewer_go_to_page_text_and_ris(browser, base_url, screen):
    context = browser.new_context(viewport=screen, accept_downloads=True)
    page = context.new_page()
    name = "phone" if screen["width"] < 500 else "desktop"
    page.goto(base_url + "/search?q=газет")
    assert page.locator("html").get_attribute("lang") == "kk"
    bars = page.locator(".timeline a")
    assert bars.count() == 2
    bars.first.click()                                                        # the bar of 1998 filters
    page.wait_for_url("**from=1998&to=1998**")
    assert page.locator("li.hit").count() == 1
    shoot(page, f"7-{name}-timeline-filtered")
    page.locator(".page-link").first.click()
    page.wait_for_url("**/documents/**")
    page.fill("#goto-page", "1")
    page.press("#goto-page", "Enter")
    page.wait_for_url("**/pages/1?**")
    assert page.locator(".viewer h2").inner_text().startswith("2 беттің 1")
    with page.expect_download() as text:
        page.locator(".text-downloads a").first.click()
    assert text.value.suggested_filename.endswith("-p1.txt")
    assert "кітапхана тарихы" in Path(text.value.path()).read_text(encoding="utf-8")
    with page.expect_download() as ris:
        page.get_by_role("link", name="RIS").click()
    assert "TY  - NEWS" in Path(ris.value.path()).read_text(encoding="utf-8")
    page.get_by_role("link", name="150%").click()                            # zoom in place: the link to share keeps it
    assert "zoom=150" in page.url and re.search(r"/pages/1\?q=газет&zoom=150$", page.input_value("#share"))
    assert page.evaluate("document.documentElement.scrollWidth") <= screen["width"]
    shoot(page, f"8-{name}-viewer")
    page.emulate_media(media="print")            # a printed page says which document it is, without the site's menus
    assert page.locator("article h1").is_visible() and page.locator(".viewer img").first.is_visible()
    assert not page.locator("header.site").is_visible() and not page.locator(".thumbs").first.is_visible()
    shoot(page, f"9-{name}-viewer-printed")
    context.close()
