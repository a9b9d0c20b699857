"""Every page of the reading room and the staff desk, in Kazakh, on a phone and a desktop screen,
checked by axe-core in headless Chromium: a serious or critical violation fails the test.

axe-core comes from npm (`make test` installs it into tests/.axe). Screenshots of every page go
to test-output/ for a person to look at.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from archive.plans.plan import read_plan_file, save_plan
from test_app_support import serve
from test_reports import DEMO_PLAN
from test_requests_support import CHROMIUM, CHROMIUM_ARGS, SHOTS, build_archive, public_app, staff_app

AXE = Path(__file__).resolve().parent / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
BLOCKING = ("serious", "critical")

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed "
                                                                 "(apt-get install chromium; `make test` does it)"),
              pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (`make test` installs it "
                                                            "with npm into tests/.axe)")]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from archive.delivery import staff, workflow
    from archive.delivery.intake import RequestInput

    root, ids = build_archive(tmp_path_factory.mktemp("a11y"))
    public = public_app(root, min_fill_seconds=0)
    desk = staff_app(root)
    codes = []
    with desk.extensions["olke"].catalog() as catalog:
        staff.add(catalog.conn, "librarian", "correct horse 1", "Кітапханашы")
        save_plan(catalog.conn, read_plan_file(DEMO_PLAN), user="tester")
        # one to look at, one to fulfil on each screen
        for email in ("reader@example.kz", *(f"{screen}@example.kz" for screen in SCREENS)):
            done = workflow.submit(catalog.conn, RequestInput.from_mapping({
                "name": "Оқырман", "email": email, "category": "teacher",
                "document_id": str(ids["article"]), "pages": "1", "purpose": "Мектеп жобасы", "consent": "y",
                "consent_version": __import__("archive.delivery.consent", fromlist=["CURRENT"]).CURRENT,
                "rules_acknowledged": "y", "language": "kk"}), desk.extensions["olke_staff"]["settings"].get(),
                catalog.get)
            codes.append(done.request.code)
    with serve(public) as base, serve(desk) as staff_base:
        yield base, staff_base, ids, codes
    public.extensions["olke"].close()
    desk.extensions["olke"].close()


def reading_room(ids: dict) -> list[str]:
    return ["/", "/browse", "/search?q=кітапхана", "/search?q=тракторлар", f"/documents/{ids['article']}",
            f"/documents/{ids['article']}/pages/1?q=кітапхана&zoom=150", f"/documents/{ids['book']}?q=дала",
            "/collections", "/browse/dates", "/browse/dates/1998/5", "/browse/sources", "/request", f"/request?document={ids['article']}&pages=1", "/request/status",
            "/no/such/page"]


def staff_desk(ids: dict, code: str) -> list[str]:
    """The staff pages, the delivery walk's among them (queue, a request, the plan report of a year with a plan)."""
    return ["/", f"/requests/{code}", "/archive", "/figures", "/plan", "/plan?year=2026&quarter=II", "/plan?year=2026",
            "/review"]


def check(page, url: str | None, name: str) -> list[str]:
    """axe on ``url``, or on the page the browser is on (``None``: what an action led to)."""
    if url:
        page.goto(url)
    url = url or page.url
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""() => axe.run(document, {resultTypes: ['violations']}).then(r =>
        r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))""")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"a11y-{name}.png"), full_page=True)
    return [f"{url}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}" for v in found
            if v["impact"] in BLOCKING]


def slug(url: str) -> str:
    from anyascii import anyascii

    return re.sub(r"[^a-z0-9]+", "-", anyascii(url).lower()).strip("-") or "home"


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_page_passes_axe_in_kazakh(site, screen):
    from playwright.sync_api import sync_playwright

    base, staff_base, ids, codes = site
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # bypass_csp: the pages forbid scripts from elsewhere, axe among them
            context = browser.new_context(viewport=SCREENS[screen], bypass_csp=True, locale="kk-KZ")
            page = context.new_page()
            for path in reading_room(ids):
                problems += check(page, base + path, f"{screen}-public-{slug(path)}")
            assert page.locator("html").get_attribute("lang") == "kk"
            problems += check(page, staff_base + "/login", f"{screen}-staff-login")
            page.fill("input[name=name]", "librarian")
            page.fill("input[name=password]", "correct horse 1")
            time.sleep(0.2)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            for path in staff_desk(ids, codes[0]):
                problems += check(page, staff_base + path, f"{screen}-staff-{slug(path.replace(codes[0], 'request'))}")
            # a claimed request, and the page a fulfilment leads to (its notice, the copies, the history)
            page.goto(f"{staff_base}/requests/{codes[1 + list(SCREENS).index(screen)]}")
            page.locator("#claim").get_by_role("button").click()
            page.wait_for_load_state()
            problems += check(page, None, f"{screen}-staff-claimed")
            page.locator("#fulfil").get_by_role("button").click()
            page.wait_for_load_state()
            assert page.locator("#request-status").inner_text() == "жеткізілді"
            problems += check(page, None, f"{screen}-staff-fulfilled")
        finally:
            browser.close()
    assert not problems, "\n".join(problems)
