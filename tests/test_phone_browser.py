"""The participant's phone in a real browser (Chromium at 390×844): one-row header, 48 px tap
targets, the review, the after round, the share page, axe-clean and within the weight budget."""

from __future__ import annotations

import gzip

import pytest
from browsing import (
    PHONE,
    answer_current_question,
    phone,
    serious_violations,
    shot,
    sign_in,
)
from helpers import add_user, keep_only_choice_questions, page, submit
from playwright.sync_api import Page, expect

from tipquiz import workshops
from tipquiz.db import get_session
from tipquiz.models import User, Workshop

pytestmark = pytest.mark.browser

# Links a person taps on their own, by page: each must be at least 44 px tall.
TAP_LINKS = "a.tap, .get-help a, .learn-more a, .site-footer a, .languages a, .brand, summary"


def small_targets(tab: Page, selector: str = TAP_LINKS) -> list[tuple[str, float]]:
    found = []
    for element in tab.locator(selector).all():
        if not element.is_visible():
            continue
        box = element.bounding_box()
        if box["height"] < 44:
            found.append((element.inner_text()[:40], box["height"]))
    return found


def header_height(tab: Page) -> float:
    """The header's height, once sure its brand and language links each sit on one line."""
    lines = tab.evaluate(
        """[...document.querySelectorAll('.brand, .languages li')].map(e => {
             const walk = document.createTreeWalker(e, NodeFilter.SHOW_TEXT), tops = new Set();
             for (let n = walk.nextNode(); n; n = walk.nextNode()) {
               if (!n.textContent.trim()) continue;
               const r = document.createRange(); r.selectNodeContents(n);
               for (const b of r.getClientRects()) tops.add(Math.round(b.top));
             }
             return tops.size; })"""
    )
    assert set(lines) == {1}, lines
    return tab.locator("header.site-header").bounding_box()["height"]


def finish_quiz(tab: Page, total: int) -> None:
    for _position in range(total):
        answer_current_question(tab)
        tab.locator("#feedback a.button").click()


def test_phone_pages_in_vietnamese_have_a_one_row_header_and_big_targets(browser, server, app):
    keep_only_choice_questions(app)  # an empty message question is an answer, not an error
    tab = phone(browser)
    tab.goto(server + "/")
    assert header_height(tab) <= 64, "one row: brand and languages side by side"
    tab.locator("form[action='/start'] button").click()
    expect(tab.locator("form.question")).to_be_visible()
    assert tab.locator("h1").count() == 1
    # Phones that check the form themselves never send it empty; older ones do.
    tab.evaluate("document.querySelector('form.question').noValidate = true")
    tab.locator("form.question button[type=submit]").click()
    expect(tab.locator("#answer-error")).to_be_visible()
    shot(tab, "20-question-error-vi")
    assert serious_violations(tab) == []
    tab.go_back()
    expect(tab.locator("h1")).to_be_visible()
    assert "ERR_CACHE_MISS" not in tab.content()
    tab.goto(server + "/quiz/1")
    finish_quiz(tab, app.config["QUESTIONS_PER_QUIZ"])
    expect(tab.locator("section.review")).to_be_visible()
    assert header_height(tab) <= 64
    tab.locator("details.review-item").first.locator("summary").click()
    tab.locator("details.topic-sources").first.locator("summary").click()
    shot(tab, "21-results-review-vi")
    assert serious_violations(tab) == []
    assert small_targets(tab) == []
    markers = tab.evaluate(
        "[...document.querySelectorAll('summary')]"
        ".map(s => getComputedStyle(s, '::before').borderLeftWidth)"
    )
    assert len(markers) > 2
    assert not {"", "0px"} & set(markers), "every disclosure shows its marker"
    wide = tab.evaluate(
        f"[...document.querySelectorAll('body *')]"
        f".filter(e => e.getBoundingClientRect().right > {PHONE['width']})"
        ".map(e => e.tagName + ' ' + e.className)"
    )
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"no sideways scrolling on a phone: {wide}"
    tab.goto(server + "/")
    assert small_targets(tab) == []
    for url in ("/help", "/sources", "/learn/getting-help", "/share/vi"):
        tab.goto(server + url)
        assert header_height(tab) <= 64, url
        assert small_targets(tab) == [], url
        assert serious_violations(tab) == [], url
    shot(tab, "22-share-page-vi")


def test_the_listen_button_appears_where_speech_is_supported(browser, server):
    tab = phone(browser)
    tab.add_init_script(
        "window.spoken = [];"
        "Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {"
        " speaking: false, cancel() {},"
        " getVoices: () => [{lang: 'en-US', name: 'en'}, {lang: 'vi-VN', name: 'vi'}],"
        " speak(u) { window.spoken.push([u.text, u.lang, u.voice && u.voice.name]); }}});"
        "window.SpeechSynthesisUtterance = function (t) { this.text = t; };"
    )
    tab.goto(server + "/")
    tab.locator("form[action='/start'] button").click()
    listen = tab.locator("form.question button.listen")
    expect(listen).to_have_text("Nghe")
    listen.click()
    spoken = tab.evaluate("window.spoken")
    prompt = tab.locator("h1.prompt").inner_text()
    assert spoken[0][1:] == ["vi-VN", "vi"]
    assert prompt in spoken[0][0]
    answer_current_question(tab)
    tab.locator("#feedback button.listen").click()
    said = tab.evaluate("window.spoken")[-1][0]
    assert tab.locator(".explanation p").inner_text() in said
    shot(tab, "23-feedback-listen-vi")
    assert serious_violations(tab) == []

    without = phone(browser)
    without.add_init_script("delete window.SpeechSynthesisUtterance;")
    without.goto(server + "/quiz/1")
    assert without.locator("button.listen").count() == 0


def test_a_phone_on_its_results_page_hears_of_the_after_round(browser, server, app):
    owner_id = add_user(app, "lan", "facilitator")
    with app.app_context():
        db = get_session()
        created = workshops.create_workshop(
            db,
            owner=db.get(User, owner_id),
            title="Lớp 11B",
            locale="vi",
            topic_keys=["warning-signs", "getting-help"],
            question_count=4,
        )
        workshop_id, code = created.id, created.code
    tab = phone(browser)
    tab.clock.install()
    tab.goto(f"{server}/j/{code}")
    tab.locator("main form button").click()
    finish_quiz(tab, 4)
    finish = tab.locator("section.workshop-next")
    expect(finish).to_be_visible()
    assert tab.locator("form[action='/start']").count() == 0
    join = tab.locator("#after-round")
    expect(join).to_be_hidden()
    shot(tab, "24-workshop-finish-vi")
    assert serious_violations(tab) == []
    with app.app_context():
        db = get_session()
        workshops.start_after_round(db, db.get(Workshop, workshop_id))
    tab.evaluate("window.notReloaded = true")
    tab.clock.run_for(11_000)
    expect(join).to_be_visible(timeout=10_000)
    assert tab.evaluate("window.notReloaded") is True
    shot(tab, "25-after-round-open-vi")
    assert serious_violations(tab) == []
    tab.locator("#after-round button").click()
    expect(tab.locator(".progress-label")).to_contain_text("Câu 1/4")


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_results_and_share_pages_weigh_under_15_kb_compressed(app, client, locale):
    client.get(f"/lang/{locale}")
    assert submit(client, "/", action="/start").status_code == 302
    for position in range(1, app.config["QUESTIONS_PER_QUIZ"] + 1):
        choice = page(client.get(f"/quiz/{position}")).find("input", attrs={"name": "choice"})
        submit(client, f"/quiz/{position}", {"choice": choice["value"]})
    for url in ("/quiz/results", f"/share/{locale}", "/quiz/1?error=choose"):
        response = client.get(url)
        assert response.status_code == 200, url
        css = b""
        for link in page(response).find_all("link", rel="stylesheet"):
            with client.get(link["href"]) as sheet:
                css += sheet.get_data()
        weight = len(gzip.compress(response.get_data())) + len(gzip.compress(css))
        assert weight < 15 * 1024, (url, weight)


def test_staff_disclosures_show_their_marker(browser, server, app):
    owner_id = add_user(app, "quan", "admin")
    with app.app_context():
        db = get_session()
        created = workshops.create_workshop(
            db,
            owner=db.get(User, owner_id),
            title="Lớp 12C",
            locale="vi",
            topic_keys=["warning-signs"],
            question_count=4,
        )
        workshop_id = created.id
    tab = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN").new_page()
    sign_in(tab, server, "quan")
    tab.goto(f"{server}/admin/sources/seed-000-vietnamtimes")
    tab.locator("#language").select_option("vi")
    tab.locator("main form [name=save]").click()
    for url in (f"/facilitator/workshops/{workshop_id}/results", "/admin/audit"):
        tab.goto(server + url)
        markers = tab.evaluate(
            "[...document.querySelectorAll('main summary')]"
            ".map(s => getComputedStyle(s, '::before').borderLeftWidth)"
        )
        assert markers, url
        assert not {"", "0px"} & set(markers), url


def test_a_closed_workshop_page_is_clear_on_a_phone(browser, server, app):
    owner_id = add_user(app, "lan", "facilitator")
    with app.app_context():
        db = get_session()
        created = workshops.create_workshop(
            db,
            owner=db.get(User, owner_id),
            title="Lớp 9A",
            locale="vi",
            topic_keys=["warning-signs", "getting-help"],
            question_count=4,
        )
        workshop_id, code = created.id, created.code
    tab = phone(browser)
    tab.goto(f"{server}/j/{code}")
    tab.locator("main form button").click()
    answer_current_question(tab)
    with app.app_context():
        db = get_session()
        workshops.close_workshop(db, db.get(Workshop, workshop_id))
    tab.locator("#feedback a.button").click()
    # The next question may already be on the phone (fetched with the last answer); answering
    # it reaches the server, which says the workshop is closed and offers a way on.
    if tab.locator("input[name=choice]").count():
        tab.locator("ul.choices label, .message label.phrase").first.click()
        tab.locator("form.question button[type=submit]").click()
    expect(tab.locator("h1")).to_have_text("Buổi học đã đóng")
    assert tab.locator("input[name=choice]").count() == 0
    shot(tab, "26-workshop-closed-vi")
    assert serious_violations(tab) == []
    tab.locator("main a[href='/quiz/results']").click()
    expect(tab.locator("h1")).to_have_text("Kết quả đến lúc này")
    assert serious_violations(tab) == []
