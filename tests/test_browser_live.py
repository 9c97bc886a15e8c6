"""A facilitator-led room in real browsers: a projector and phones, one of them without JavaScript.

Screenshots go to tests/screenshots/ (git-ignored) for people to review.
"""

from __future__ import annotations

import pytest
from browsing import PHONE, serious_violations, shot, sign_in
from helpers import add_user
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from tipquiz import attempts, workshops
from tipquiz.db import get_session
from tipquiz.models import Answer, User

pytestmark = pytest.mark.browser

SCREENS = {"1366x768": {"width": 1366, "height": 768}, "1920x1080": {"width": 1920, "height": 1080}}
FOLLOW_MS = 4_000


# Every rendered piece of text, line by line, must lie inside the window and overlap no other;
# SVG round labels must end before their bar starts. Returns what is wrong, in words.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const W = window.innerWidth, H = window.innerHeight;
  if (document.documentElement.scrollHeight > H) {
    problems.push(`scrolls: ${document.documentElement.scrollHeight} > ${H}`);
  }
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const text = node.textContent.trim();
    const parent = node.parentElement;
    if (!text || !parent || parent.closest("title, script, style")) continue;
    const style = getComputedStyle(parent);
    if (style.display === "none" || style.visibility === "hidden") continue;
    let rects;
    if (parent.closest("svg")) {
      rects = [parent.getBoundingClientRect()];
    } else {
      const range = document.createRange();
      range.selectNodeContents(node);
      rects = Array.from(range.getClientRects());
    }
    for (const r of rects) {
      if (r.width < 1 || r.height < 1) continue;
      boxes.push({ text: text.slice(0, 40), r, node });
      if (r.left < -1 || r.top < -1 || r.right > W + 1 || r.bottom > H + 1) {
        problems.push(`outside the screen: "${text.slice(0, 40)}"`);
      }
    }
  }
  const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 2 &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 2;
  for (let i = 0; i < boxes.length; i += 1) {
    for (let j = i + 1; j < boxes.length; j += 1) {
      if (boxes[i].node !== boxes[j].node && overlap(boxes[i].r, boxes[j].r)) {
        problems.push(`overlap: "${boxes[i].text}" / "${boxes[j].text}"`);
      }
    }
  }
  for (const label of document.querySelectorAll("svg text.round")) {
    const track = label.nextElementSibling;
    if (track && label.getBoundingClientRect().right > track.getBoundingClientRect().left + 1) {
      problems.push(`round label runs into its bar: "${label.textContent}"`);
    }
  }
  return problems;
}"""


def assert_fits(tab: Page, name: str) -> None:
    """At both projector sizes: nothing scrolls, nothing is cut off or overlaps."""
    for size, viewport in SCREENS.items():
        tab.set_viewport_size(viewport)
        tab.wait_for_timeout(150)
        shot_at_size(tab, f"live-{name}-{size}")
        assert tab.evaluate(LAYOUT_PROBLEMS) == [], (name, size)
    tab.set_viewport_size(SCREENS["1366x768"])


def shot_at_size(tab: Page, name: str) -> None:
    shot(tab, name)


def new_phone(chromium: Browser, javascript: bool = True) -> Page:
    context = chromium.new_context(
        viewport=PHONE, locale="vi-VN", device_scale_factor=1, java_script_enabled=javascript
    )
    return context.new_page()


def join(tab: Page, base: str, code: str) -> None:
    tab.goto(f"{base}/j/{code}")
    tab.locator("main form button").click()
    expect(tab.locator("section.room-wait")).to_be_visible()


def answer(tab: Page) -> None:
    tab.locator("form.question ul.choices label, form.question .message label.phrase").first.click()
    tab.locator("form.question button[type=submit]").click()
    expect(tab.locator("h1.room-status")).to_be_visible()


def question_shown(tab: Page, position: int):
    return tab.locator(f"form.question[action$='/answer/{position}']")


def test_a_facilitator_leads_three_phones_through_a_session(browser, server, app):
    owner = add_user(app, "lan-live")
    with app.app_context():
        db = get_session()
        workshop = workshops.create_workshop(
            db,
            owner=db.get(User, owner),
            title="Lớp 10A – Trường THPT Chu Văn An, buổi sáng",
            locale="vi",
            topic_keys=list(attempts.published_pool(db)),
            question_count=3,
            mode="led",
        )
        workshop_id, code = workshop.id, workshop.code
    projector = browser.new_context(viewport=SCREENS["1366x768"], locale="vi-VN").new_page()
    sign_in(projector, server, "lan-live")
    projector.goto(f"{server}/lang/vi")
    projector.goto(f"{server}/lead/{workshop_id}")
    expect(projector.locator("html")).to_have_attribute("lang", "vi")

    first, second = new_phone(browser), new_phone(browser)
    no_script = new_phone(browser, javascript=False)
    for tab in (first, second, no_script):
        join(tab, server, code)
    shot(first, "live-phone-lobby")
    assert serious_violations(first) == []
    expect(projector.locator("[data-live-joined]")).to_have_text("3", timeout=FOLLOW_MS)
    assert_fits(projector, "lobby")

    projector.wait_for_load_state("load")  # the key handler is in place
    projector.keyboard.press("ArrowRight")  # Start
    expect(projector.locator("section.screen-question")).to_be_visible()
    for tab in (first, second):
        expect(question_shown(tab, 1)).to_be_visible(timeout=FOLLOW_MS)
    expect(no_script.locator("section.room-wait")).to_be_visible()
    no_script.get_by_role("link", name="Tiếp tục").click()
    expect(question_shown(no_script, 1)).to_be_visible()
    shot(first, "live-phone-question")
    assert serious_violations(first) == []

    answer(first)
    shot(first, "live-phone-answered")
    expect(projector.locator("[data-live-answered]")).to_have_text("1", timeout=FOLLOW_MS)
    assert_fits(projector, "question")

    second.reload()
    expect(question_shown(second, 1)).to_be_visible()
    late = new_phone(browser)
    join_late(late, server, code)
    expect(question_shown(late, 1)).to_be_visible()
    answer(late)
    first.reload()
    expect(first.locator("h1.room-status")).to_be_visible()

    projector.locator("form[data-next-step] button").click()  # Reveal
    expect(projector.locator("section.screen-reveal")).to_be_visible()
    for tab in (first, second):
        expect(tab.locator("#feedback")).to_be_visible(timeout=FOLLOW_MS)
    no_script.get_by_role("link", name="Tiếp tục").click()
    expect(no_script.locator("#feedback")).to_be_visible()
    shot(first, "live-phone-reveal")
    assert serious_violations(first) == []
    assert_fits(projector, "reveal")

    projector.wait_for_load_state("load")
    projector.keyboard.press(" ")  # Next
    for tab in (first, second):
        expect(question_shown(tab, 2)).to_be_visible(timeout=FOLLOW_MS)
    no_script.get_by_role("link", name="Tiếp tục").click()
    expect(question_shown(no_script, 2)).to_be_visible()
    answer(second)

    projector.locator("form.step-form button.button-danger").click()  # End
    expect(projector.locator("section.screen-results")).to_be_visible()
    for tab in (first, second):
        expect(tab.locator("section.get-help")).to_be_visible(timeout=FOLLOW_MS)
    no_script.get_by_role("link", name="Tiếp tục").click()
    expect(no_script.locator("section.get-help")).to_be_visible()
    shot(first, "live-phone-results")
    assert_fits(projector, "results")

    # The after round: back to the lobby, the same phones rejoin, and the end compares rounds.
    projector.goto(f"{server}/facilitator/workshops/{workshop_id}")
    projector.locator(f"form[action$='/{workshop_id}/after-round'] button").click()
    projector.goto(f"{server}/lead/{workshop_id}")
    expect(projector.locator("section.screen-lobby")).to_be_visible()
    # The results page follows the room too: to the join page of the after round.
    rejoin = first.locator(f"form[action='/j/{code}'] button")
    expect(rejoin).to_be_visible(timeout=FOLLOW_MS)
    rejoin.click()
    projector.locator("form[data-next-step] button").click()
    expect(question_shown(first, 1)).to_be_visible(timeout=FOLLOW_MS)
    answer(first)
    projector.locator("form.step-form button.button-danger").click()
    expect(projector.locator("section.comparison")).to_be_visible()
    assert_fits(projector, "comparison")

    with app.app_context():
        assert get_session().scalar(select(func.count(Answer.id))) == 4


def join_late(tab: Page, base: str, code: str) -> None:
    tab.goto(f"{base}/j/{code}")
    tab.locator("main form button").click()


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_the_self_paced_projector_fits_the_screen(browser, server, app, locale):
    owner = add_user(app, f"thu-{locale}")
    with app.app_context():
        db = get_session()
        workshop = workshops.create_workshop(
            db,
            owner=db.get(User, owner),
            title="Câu lạc bộ thanh niên phường",
            locale=locale,
            topic_keys=list(attempts.published_pool(db)),
            question_count=4,
        )
        workshop_id = workshop.id
    tab = browser.new_context(viewport=SCREENS["1366x768"], locale="vi-VN").new_page()
    sign_in(tab, server, f"thu-{locale}")
    for slide in (1, 2, 3):
        tab.goto(f"{server}/facilitator/workshops/{workshop_id}/present/{slide}")
        assert_fits(tab, f"present-{locale}-{slide}")
