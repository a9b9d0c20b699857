"""A person asks for a copy in a real browser (headless Debian Chromium), a librarian fulfils it in the staff
app, the letters come through a real SMTP server, and the stamped PDF downloads until its link expires.

On a phone screen and a desktop one. The librarian works in Kazakh, the staff desk's own language: the queue,
the request, claim and fulfil, the plan report; controls are found by id and role, each page is
photographed into test-output/ (delivery-*.png) and must show no English words and fit the screen."""
from __future__ import annotations

import re
import time

import pytest

from archive.home import Home
from archive.delivery import staff
from archive.delivery.settings import secret_key
from archive.plans.plan import read_plan_file, save_plan
from test_app_support import serve
from test_reports import DEMO_PLAN
from test_requests_support import (CHROMIUM, CHROMIUM_ARGS, SHOTS, aged_link, body, build_archive, pdf_page_texts,
                                   public_app, set_settings, smtp_server, staff_app)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed "
                                                                 "(apt-get install chromium; `make test` does it)")]
SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def shoot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"delivery-{name}.png"), full_page=True)


# Latin words a Kazakh staff page may show: the language switcher, formats, the test's own data
# (login name, e-mail, file names); any other is an English leftover.
LATIN_ALLOWED = {"English", "PDF", "CSV", "JSON", "Excel", "XLSX", "OCR", "librarian", "reader", "example",
                 "tester", "toml", "plan"}


def english_left(page) -> list[str]:
    """Latin words on the page that are not in LATIN_ALLOWED (codes and addresses taken out first)."""
    text = page.locator("body").inner_text()
    text = re.sub(r"\b\d\d-[0-9A-Z]{4}-[0-9A-Z]{4}\b|\S+@\S+|\S+\.toml\b", " ", text)
    return sorted({w for w in re.findall(r"[A-Za-z]{2,}", text)
                   if w not in LATIN_ALLOWED and not re.fullmatch("[IVX]+", w)})    # quarters are I–IV


def fits_the_screen(page) -> bool:
    """Nothing but the tables' own scroll boxes is wider than the screen."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def walk_the_staff_desk(page, staff_base: str, code: str, screen: str) -> None:
    """Queue, the request, claim, fulfil, the plan report: in Kazakh, found by ids and roles, looked at."""
    page.goto(f"{staff_base}/login")
    assert page.locator("html").get_attribute("lang") == "kk"
    page.fill("#name", "librarian")
    page.fill("#password", "correct horse 1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{staff_base}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Өтініштер"
    row = page.locator("tr", has=page.get_by_role("link", name=code))
    assert row.locator(".status").inner_text() == "жаңа"
    shoot(page, f"{screen}-4-staff-queue")
    assert english_left(page) == [] and fits_the_screen(page)

    row.get_by_role("link", name=code).click()
    assert page.locator("#request-status").inner_text() == "жаңа"
    assert page.locator("#rules-verdict").inner_text() == "Көшіру ережелері: мақала: толық көшіруге болады"
    shoot(page, f"{screen}-5-staff-request")
    assert english_left(page) == [] and fits_the_screen(page)
    page.locator("#claim").get_by_role("button").click()
    assert page.locator(".flash.done").inner_text() == "Өтініш енді сізде."
    assert page.locator("#request-status").inner_text() == "орындалуда"
    page.fill("#fulfil-pages", "1-2")
    page.locator("#fulfil").get_by_role("button").click()
    assert page.locator(".flash.done").inner_text() == "Жеткізілді: белгі қойылған көшірме дайын, сілтеме жіберілді."
    assert page.locator(".flash.error").count() == 0
    assert page.locator("#request-status").inner_text() == "жеткізілді"
    copies = page.locator("#copies").inner_text()
    assert "2 бет" in copies and "жүктеулер 0/2" in copies
    assert re.search(r"сілтеме \d{4}\s?ж\. \d+ \w+(ға|ге|қа|ке) дейін жарамды", copies)     # a date, in the dative
    history = page.locator("#history").inner_text()
    assert "Бірінші Кітапханашы көшірмені жеткізді (барлық беттер)" in history and "T0" not in history
    shoot(page, f"{screen}-6-staff-delivered")
    assert english_left(page) == [] and fits_the_screen(page)

    page.get_by_role("navigation").get_by_role("link", name="Цифрлау жоспары").click()
    page.fill("#plan-year", "2026")
    page.select_option("#plan-quarter", "")
    page.locator("form.filters").get_by_role("button").click()
    page.wait_for_url(re.compile(r"/plan\?year=2026"))
    assert page.get_by_role("heading", level=1).inner_text() == "2026 жылғы цифрлау жоспарының орындалуы"
    assert page.get_by_role("link", name="Excel (XLSX)").count() == 1
    assert page.locator("table").first.locator("th", has_text="Газет мақалалары").count() >= 1
    shoot(page, f"{screen}-7-staff-plan")
    assert english_left(page) == [] and fits_the_screen(page)


def download(page, link: str):
    from playwright.sync_api import Error

    with page.expect_download() as info:
        try:
            page.goto(link)
        except Error:            # navigation is aborted as the download starts
            pass
    return info.value


@pytest.mark.parametrize("screen", list(SCREENS))
def test_request_fulfil_download_and_expire_in_a_browser(tmp_path, screen):
    from playwright.sync_api import sync_playwright

    root, ids = build_archive(tmp_path)
    with smtp_server() as (mailbox, mail):
        public = public_app(root, min_fill_seconds=1, mail=mail, link_downloads=2)
        desk = staff_app(root, mail=mail, link_downloads=2)
        with desk.extensions["olke"].catalog() as catalog:
            staff.add(catalog.conn, "librarian", "correct horse 1", "Бірінші Кітапханашы")
            save_plan(catalog.conn, read_plan_file(DEMO_PLAN), user="tester")
        with serve(public) as base, serve(desk) as staff_base, sync_playwright() as playwright:
            set_settings(public, public_url=base)
            set_settings(desk, public_url=base)
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            reader = browser.new_context(viewport=SCREENS[screen], accept_downloads=True)
            page = reader.new_page()
            problems = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" and not m.text.startswith(
                "Failed to load resource") else None)         # 422 and 410 pages are expected here; CSP is not

            # the reader finds the document, asks for a copy, makes two mistakes
            page.goto(f"{base}/documents/{ids['article']}?lang=ru")
            page.get_by_role("link", name="Заказать копию").last.click()
            page.wait_for_url(re.compile(r"/request\?document="))
            assert page.input_value("#f-pages") == "1"
            page.fill("#f-name", "Сынақ Оқырман")
            page.fill("#f-email", "reader(at)example.kz")
            page.check("input[name=category][value=teacher]")
            page.fill("#f-pages", "1-2")
            page.fill("#f-purpose", "Аудан тарихы туралы мектеп жобасы")
            page.check("#f-rules_acknowledged")
            time.sleep(1.0)
            page.click("button[type=submit]")
            assert page.locator("#f-email-error").inner_text() == \
                "Это не похоже на адрес электронной почты; напишите так: name@example.kz."
            assert page.locator("#f-consent-error").is_visible()
            assert page.input_value("#f-name") == "Сынақ Оқырман"          # input kept
            shoot(page, f"{screen}-1-form-errors")
            page.fill("#f-email", "reader@example.kz")
            page.check("#f-consent")
            shoot(page, f"{screen}-2-form-filled")
            time.sleep(1.0)
            page.click("button[type=submit]")
            page.wait_for_url(re.compile(r"/request/sent"))
            code = page.locator("#request-code").inner_text()
            assert re.fullmatch(r"\d\d-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
            shoot(page, f"{screen}-3-code-on-screen")
            received = mailbox.wait(1)[0]
            assert received["Subject"] == f"Заявка принята: {code}" and code in body(received)

            # a librarian signs in to the staff desk, which speaks Kazakh unless asked, and fulfils it
            librarian = browser.new_context(viewport=SCREENS[screen]).new_page()
            walk_the_staff_desk(librarian, staff_base, code, screen)

            # the reader gets the link, downloads the stamped copy twice, then the link has expired
            delivered = mailbox.wait(2)[1]
            assert delivered["Subject"] == f"Ваша копия готова: {code}"
            link = re.search(rf"{re.escape(base)}/request/download/\S+", body(delivered)).group(0)
            saved = tmp_path / "copy.pdf"
            download(page, link).save_as(saved)
            texts = pdf_page_texts(saved)
            assert len(texts) == 2
            for text in texts:
                assert f"({code})" in text and "Сынақ Оқырман" in text and "Распространение запрещено" in text
            download(page, link)
            page.goto(link)
            assert page.locator("h1").inner_text() == "Срок действия ссылки истёк"
            shoot(page, f"{screen}-8-link-expired")
            old = aged_link(secret_key(Home.resolve(root)), 1, 31)
            page.goto(f"{base}/request/download/{old}")
            assert page.locator("h1").inner_text() == "Срок действия ссылки истёк"

            # the status page, by code and e-mail, without an account
            page.goto(f"{base}/request/status?code={code}")
            page.fill("#f-email", "reader@example.kz")
            page.click("button[type=submit]")
            assert page.locator("#request-status").inner_text() == "Выполнена: копия готова"
            shoot(page, f"{screen}-9-status")
            assert problems == []
            browser.close()
    public.extensions["olke"].close()
    desk.extensions["olke"].close()
