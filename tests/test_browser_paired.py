"""In a real browser: a workshop whose before and after rounds are paired, one person by the same
phone and another by a code they made up, and the facilitator reading the paired numbers."""

from __future__ import annotations

import re

import pytest
from browsing import (
    SCREENSHOTS,
    answer_current_question,
    phone,
    serious_violations,
    shot,
    sign_in,
)
from helpers import add_user
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tipquiz.db import get_session
from tipquiz.models import Answer, Attempt, User
from tipquiz.workshops import create_workshop

pytestmark = pytest.mark.browser
QUESTIONS = 4


def take_the_quiz(tab: Page) -> None:
    for position in range(1, QUESTIONS + 1):
        progress = re.compile(rf"{position}\D+{QUESTIONS}")  # "Câu 1/4", "Question 1 of 4"
        expect(tab.locator(".progress-label")).to_contain_text(progress)
        answer_current_question(tab)
        tab.locator("#feedback a.button").click()
    expect(tab.locator("section.get-help")).to_be_visible()


def make_code(tab: Page, letter: str, day: str, month: str) -> None:
    tab.locator("details.self-code summary").click()
    tab.get_by_label("Chữ cái đầu của tên mẹ bạn").fill(letter)
    tab.get_by_label("Ngày sinh của bạn").select_option(day)
    tab.get_by_label("Tháng sinh của bạn").select_option(month)


def scores(app) -> dict[int, float]:
    """Each attempt's share of right answers, in percent, read straight from the database."""
    with app.app_context():
        db = get_session()
        found = {}
        for attempt in db.scalars(select(Attempt)):
            right = db.scalars(select(Answer.correct).where(Answer.attempt_id == attempt.id))
            answers = list(right)
            found[attempt.id] = 100 * sum(answers) / len(answers)
        return found


def test_a_workshop_pairs_the_same_phone_and_a_self_made_code(browser: Browser, server, app):
    owner_id = add_user(app, "thu", "facilitator")
    with app.app_context():
        db = get_session()
        workshop = create_workshop(
            db,
            owner=db.get(User, owner_id),
            title="Câu lạc bộ thanh niên",
            locale="vi",
            topic_keys=["warning-signs", "getting-help"],
            question_count=QUESTIONS,
        )
        workshop_id, code = workshop.id, workshop.code

    same_phone, first_phone, second_phone = phone(browser), phone(browser), phone(browser)
    same_phone.goto(f"{server}/j/{code}")
    same_phone.locator("main form button[type=submit]").click()
    take_the_quiz(same_phone)

    first_phone.goto(f"{server}/j/{code}")
    make_code(first_phone, "Hoa", "7", "3")
    shot(first_phone, "08-workshop-self-code")
    assert serious_violations(first_phone) == []
    first_phone.locator("main form button[type=submit]").click()
    take_the_quiz(first_phone)

    desk = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB").new_page()
    sign_in(desk, server, "thu")
    desk.goto(f"{server}/facilitator/workshops/{workshop_id}")
    desk.locator(f"form[action$='/workshops/{workshop_id}/after-round'] button").click()
    expect(desk.locator("p.flash").first).to_be_visible()

    same_phone.goto(f"{server}/j/{code}")
    expect(same_phone.locator(".paired-note")).to_be_visible()
    same_phone.locator("main form button[type=submit]").click()
    take_the_quiz(same_phone)

    second_phone.goto(f"{server}/j/{code}")
    expect(second_phone.locator(".paired-note")).to_have_count(0)
    make_code(second_phone, "h", "7", "3")
    shot(second_phone, "09-after-round-self-code")
    second_phone.locator("main form button[type=submit]").click()
    take_the_quiz(second_phone)

    with app.app_context():
        attempts = get_session().scalars(select(Attempt).order_by(Attempt.id)).all()
        pairs = [(a.paired_attempt_id, a.id, a.paired_by) for a in attempts if a.round == "after"]
    assert [(b, how) for b, _a, how in pairs] == [
        (attempts[0].id, "device"),
        (attempts[1].id, "code"),
    ]
    score = scores(app)
    gains = [score[after] - score[before] for before, after, _how in pairs]
    mean_before = (score[attempts[0].id] + score[attempts[1].id]) / 2
    mean_after = (score[attempts[2].id] + score[attempts[3].id]) / 2

    desk.goto(f"{server}/facilitator/workshops/{workshop_id}/results")
    paired = desk.locator("section.paired")
    expect(paired.locator("[data-paired=paired]")).to_have_text(
        "2 people took both rounds and are paired."
    )
    expect(paired).to_contain_text("By the same phone: 1, by a personal code: 1.")
    expect(paired.locator("[data-paired=only-one]")).to_have_text("Only before: 0. Only after: 0.")
    expect(paired.locator("[data-paired=too-few]")).to_contain_text("too few to mean much")
    expect(paired.locator("[data-paired=before]")).to_have_text(f"{round(mean_before)}%")
    expect(paired.locator("[data-paired=after]")).to_have_text(f"{round(mean_after)}%")
    expect(paired.locator("[data-paired=improved]")).to_have_text(str(sum(g > 0 for g in gains)))
    expect(paired.locator("[data-paired=same]")).to_have_text(str(sum(g == 0 for g in gains)))
    expect(paired.locator("[data-paired=worse]")).to_have_text(str(sum(g < 0 for g in gains)))
    expect(paired.locator("table.paired-questions tbody tr")).to_have_count(QUESTIONS)
    paired.screenshot(path=str(SCREENSHOTS / "10-facilitator-paired.png"))
    assert serious_violations(desk) == []

    desk.goto(f"{server}/facilitator/workshops/{workshop_id}/present/3")  # the paired slide
    expect(desk.locator("section.paired [data-paired=paired]")).to_have_text(
        "2 người đã làm cả hai vòng và được ghép cặp."
    )
    shot(desk, "11-projector-paired")
    desk.goto(f"{server}/facilitator/")
    row = desk.locator("table.workshops tbody tr").first
    expect(row.locator("td.number").first).to_have_text("2")


def test_an_admin_reads_item_statistics_in_the_browser(browser: Browser, server, app):
    add_user(app, "quan", "admin")
    owner_id = add_user(app, "thu", "facilitator")
    with app.app_context():
        db = get_session()
        workshop = create_workshop(
            db,
            owner=db.get(User, owner_id),
            title="Youth club",
            locale="en",
            topic_keys=["warning-signs"],
            question_count=QUESTIONS,
        )
        code = workshop.code
    for _ in range(2):
        tab = phone(browser)
        tab.goto(f"{server}/j/{code}")
        tab.locator("main form button[type=submit]").click()
        take_the_quiz(tab)
    desk = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB").new_page()
    sign_in(desk, server, "quan")
    desk.goto(f"{server}/admin/")
    desk.locator("nav.admin-nav").get_by_role("link", name="Item statistics").click()
    desk.get_by_label("Workshop code").fill(code.lower())
    desk.get_by_role("button", name="Show").click()
    expect(desk.locator("table.item-statistics tbody tr")).to_have_count(QUESTIONS)
    expect(desk.locator("[data-stat=answers]").first).to_have_text("2")
    desk.get_by_role("link", name="Facility").click()
    expect(desk.locator("th[aria-sort=ascending]")).to_contain_text("Facility")
    shot(desk, "12-admin-item-statistics")
    assert serious_violations(desk) == []
