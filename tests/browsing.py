"""What the browser tests share: Debian's Chromium, a phone's size, screenshots, axe, signing in.

The ``browser`` and ``server`` fixtures that go with these are in ``conftest.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from helpers import TEST_PASSWORD
from playwright.sync_api import Browser, Page, expect

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def phone(browser: Browser, locale: str = "vi-VN") -> Page:
    context = browser.new_context(viewport=PHONE, locale=locale, device_scale_factor=1)
    return context.new_page()


def shot(page_: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page_.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def serious_violations(page_: Page) -> list[str]:
    results = Axe().run(page_)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def answer_current_question(page_: Page) -> None:
    page_.locator("ul.choices label, .message label.phrase").first.click()
    page_.locator("form.question button[type=submit]").click()
    expect(page_.locator("#feedback")).to_be_visible()


def sign_in(tab: Page, server: str, username: str) -> None:
    tab.goto(server + "/login")
    tab.locator("#username").fill(username)
    tab.locator("#password").fill(TEST_PASSWORD)
    tab.locator("main form button[type=submit], main form input[type=submit]").first.click()
    expect(tab.locator("nav.staff-nav")).to_be_visible()
