"""In a real browser: Debian's Chromium at a phone's size, driven by Playwright.

Screenshots of the main screens go to tests/screenshots/ (git-ignored) for people to review.
"""

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
from helpers import add_user, page, submit
from playwright.sync_api import expect
from sqlalchemy import select

from tipquiz import attempts
from tipquiz.db import get_session
from tipquiz.models import Attempt, Question, User, Workshop, WorkshopQuestion
from tipquiz.workshops import create_workshop

pytestmark = pytest.mark.browser


def test_whole_quiz_in_vietnamese_on_a_phone(browser, server, app):
    tab = phone(browser)
    tab.goto(server + "/")
    expect(tab.locator("html")).to_have_attribute("lang", "vi")
    shot(tab, "01-home-vi")
    assert serious_violations(tab) == []
    tab.locator("form[action='/start'] button").click()
    total = app.config["QUESTIONS_PER_QUIZ"]
    for position in range(1, total + 1):
        expect(tab.locator(".progress-label")).to_contain_text(f"Câu {position}/{total}")
        if position == 1:
            shot(tab, "02-question-vi")
            assert serious_violations(tab) == []
        answer_current_question(tab)
        if position == 1:
            shot(tab, "03-feedback-vi")
            assert serious_violations(tab) == []
        tab.locator("#feedback a.button").click()
    expect(tab.locator("section.get-help a[href='tel:111']")).to_be_visible()
    assert tab.locator("article.topic-score").count() >= 1
    shot(tab, "04-results-vi")
    assert serious_violations(tab) == []
    with app.app_context():
        attempt = get_session().scalar(select(Attempt))
        assert attempt.finished_at is not None
        assert attempt.locale == "vi"


def test_tap_targets_are_big_enough_on_a_phone(browser, server):
    tab = phone(browser)
    tab.goto(server + "/")
    tab.locator("form[action='/start'] button").click()
    expect(tab.locator("form.question")).to_be_visible()
    for element in tab.locator("ul.choices label, form.question button").all():
        box = element.bounding_box()
        assert box["height"] >= 48, box
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "no sideways scrolling on a phone"


def test_language_switch_sticks(browser, server):
    tab = phone(browser)
    tab.goto(server + "/learn")
    tab.locator("nav.languages a[hreflang='en']").click()
    expect(tab.locator("html")).to_have_attribute("lang", "en")
    tab.goto(server + "/sources")
    expect(tab.locator("html")).to_have_attribute("lang", "en")
    expect(tab.locator("h1")).to_have_text("Sources")


def make_workshop(app) -> str:
    owner = add_user(app, "facilitator-browser", "facilitator")
    with app.app_context():
        db = get_session()
        ids = [i for ids in attempts.published_pool(db).values() for i in ids][:5]
        db.add(
            Workshop(
                code="HNK4TP",
                title="Lớp 10A",
                locale="vi",
                owner_id=owner,
                topic_keys=[],
                question_count=len(ids),
                questions=[
                    WorkshopQuestion(position=i, question_id=q) for i, q in enumerate(ids, 1)
                ],
            )
        )
        db.commit()
    return "HNK4TP"


def test_joining_a_workshop_by_code(browser, server, app):
    code = make_workshop(app)
    tab = phone(browser)
    tab.goto(server + "/")
    tab.get_by_label("Mã buổi học", exact=True).fill(code.lower())
    tab.locator("section.join button").click()
    expect(tab.locator("h1")).to_have_text("Lớp 10A")
    shot(tab, "05-workshop-join")
    assert serious_violations(tab) == []
    tab.locator("main form button").click()
    expect(tab.locator(".progress-label")).to_contain_text("Câu 1/5")
    with app.app_context():
        attempt = get_session().scalar(select(Attempt))
        assert attempt.workshop_id is not None


@pytest.mark.parametrize("url", ["/learn", "/learn/getting-help", "/sources", "/help", "/nope"])
def test_other_participant_pages_have_no_serious_accessibility_problem(browser, server, url):
    for locale in ("vi-VN", "en-GB"):
        tab = phone(browser, locale)
        tab.goto(server + url)
        assert serious_violations(tab) == [], (url, locale)


def test_a_question_page_weighs_under_15_kb_compressed(client):
    client.get("/lang/vi")
    home = page(client.get("/"))
    token = home.find("form", action="/start").find("input", attrs={"name": "csrf_token"})
    client.post("/start", data={"csrf_token": token["value"]})
    response = client.get("/quiz/1")
    assert response.status_code == 200
    html = response.get_data()
    stylesheets = page(response).find_all("link", rel="stylesheet")
    assert stylesheets
    css = b""
    for link in stylesheets:
        with client.get(link["href"]) as sheet:
            css += sheet.get_data()
    weight = len(gzip.compress(html)) + len(gzip.compress(css))
    assert 1000 < weight < 15 * 1024


def test_facilitator_watches_results_update_while_answers_arrive(browser, server, app):
    owner_id = add_user(app, "thao", "facilitator")
    with app.app_context():
        db = get_session()
        workshop = create_workshop(
            db,
            owner=db.get(User, owner_id),
            title="Youth club",
            locale="en",
            topic_keys=["warning-signs", "getting-help"],
            question_count=4,
        )
        db.commit()
        workshop_id, code = workshop.id, workshop.code
    tab = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB").new_page()
    sign_in(tab, server, "thao")
    tab.goto(f"{server}/facilitator/workshops/{workshop_id}/results")
    joined = tab.locator("tr[data-round='before'] [data-count='joined']")
    finished = tab.locator("tr[data-round='before'] [data-count='finished']")
    expect(joined).to_have_text("0")
    tab.evaluate("window.notReloaded = true")

    participant = app.test_client()
    response = submit(participant, f"/j/{code}")
    assert response.status_code == 302
    expect(joined).to_have_text("1", timeout=20_000)
    for position in range(1, 5):
        choice = page(participant.get(f"/quiz/{position}")).find("input", attrs={"name": "choice"})
        assert (
            submit(participant, f"/quiz/{position}", {"choice": choice["value"]}).status_code == 302
        )
    expect(finished).to_have_text("1", timeout=20_000)
    assert tab.evaluate("window.notReloaded") is True, "updated in place, not reloaded"
    shot(tab, "06-facilitator-live")


def test_admin_edits_a_question_in_the_browser(browser, server, app):
    add_user(app, "quan", "admin")
    with app.app_context():
        key = get_session().scalar(select(Question.key).order_by(Question.id))
    tab = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB").new_page()
    sign_in(tab, server, "quan")
    tab.goto(f"{server}/admin/questions/{key}")
    prompt = tab.locator("#prompt-en")
    prompt.fill(prompt.input_value() + " (checked)")
    shot(tab, "07-admin-edit")
    tab.locator("main form [name=save]:not(.visually-hidden)").click()
    expect(tab.locator("p.flash").first).to_be_visible()
    with app.app_context():
        question = get_session().scalar(select(Question).where(Question.key == key))
        assert question.prompt["en"].endswith("(checked)")
        assert question.revision_number == 1, "a wording change keeps the revision"
