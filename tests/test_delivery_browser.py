"""A person asks for a copy in a real browser (headless Debian Chromium), a librarian fulfils it in the staff
app, the letters come through a real SMTP server, and the stamped PDF downloads until its link expires."""
from __future__ import annotations

import re
import time

import pytest

from archive.home import Home
from archive.delivery import staff
from archive.delivery.settings import secret_key
from test_app_support import serve
from test_requests_support import (CHROMIUM, CHROMIUM_ARGS, SHOTS, aged_link, body, build_archive, pdf_page_texts,
                                   public_app, set_settings, smtp_server, staff_app)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed "
                                                                 "(apt-get install chromium; `make test` does it)")]


def shoot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"delivery-{name}.png"), full_page=True)


def download(page, link: str):
    from playwright.sync_api import Error

    with page.expect_download() as info:
        try:
            page.goto(link)
        except Error:            # navigation is aborted as the download starts
            pass
    return info.value


def test_request_fulfil_download_and_expire_in_a_browser(tmp_path):
    from playwright.sync_api import sync_playwright

    root, ids = build_archive(tmp_path)
    with smtp_server() as (mailbox, mail):
        public = public_app(root, min_fill_seconds=1, mail=mail, link_downloads=2)
        desk = staff_app(root, mail=mail, link_downloads=2)
        with desk.extensions["olke"].catalog() as catalog:
            staff.add(catalog.conn, "librarian", "correct horse 1", "Бірінші Кітапханашы")
        with serve(public) as base, serve(desk) as staff_base, sync_playwright() as playwright:
            set_settings(public, public_url=base)
            set_settings(desk, public_url=base)
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            reader = browser.new_context(viewport={"width": 1100, "height": 900}, accept_downloads=True)
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
            shoot(page, "1-form-errors")
            page.fill("#f-email", "reader@example.kz")
            page.check("#f-consent")
            shoot(page, "2-form-filled")
            time.sleep(1.0)
            page.click("button[type=submit]")
            page.wait_for_url(re.compile(r"/request/sent"))
            code = page.locator("#request-code").inner_text()
            assert re.fullmatch(r"\d\d-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
            shoot(page, "3-code-on-screen")
            received = mailbox.wait(1)[0]
            assert received["Subject"] == f"Заявка принята: {code}" and code in body(received)

            # a librarian signs in to the staff app and fulfils it
            librarian = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            librarian.goto(f"{staff_base}/login?lang=en")      # the staff desk speaks Kazakh unless asked
            librarian.fill("#name", "librarian")
            librarian.fill("#password", "correct horse 1")
            librarian.click("button[type=submit]")
            librarian.get_by_role("link", name=code).click()
            shoot(librarian, "4-staff-request")
            librarian.get_by_role("button", name="Claim: I will handle it").click()
            librarian.fill("input[name=pages]", "1-2")
            librarian.get_by_role("button", name="Stamp and send the link").click()
            assert "Delivered: the stamped copy is ready" in librarian.locator(".flash.done").inner_text()
            shoot(librarian, "5-staff-delivered")

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
            shoot(page, "6-link-expired")
            old = aged_link(secret_key(Home.resolve(root)), 1, 31)
            page.goto(f"{base}/request/download/{old}")
            assert page.locator("h1").inner_text() == "Срок действия ссылки истёк"

            # the status page, by code and e-mail, without an account
            page.goto(f"{base}/request/status?code={code}")
            page.fill("#f-email", "reader@example.kz")
            page.click("button[type=submit]")
            assert page.locator("#request-status").inner_text() == "Выполнена: ссылка отправлена вам"
            shoot(page, "7-status")
            assert problems == []
            browser.close()
    public.extensions["olke"].close()
    desk.extensions["olke"].close()
