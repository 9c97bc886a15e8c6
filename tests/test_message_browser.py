"""A message question in a real browser on a 390×844 phone, with JavaScript on and off.

The participant taps phrases inside the message (each a checkbox with its label), submits, and
reads the feedback: every red flag marked, found or missed, with why; an innocent phrase they
tapped with why it is fine.
"""

from __future__ import annotations

import pytest
from browsing import PHONE, serious_violations, shot
from helpers import add_user
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tipquiz.db import get_session
from tipquiz.models import Answer, Question, Workshop, WorkshopQuestion

pytestmark = pytest.mark.browser


KEY = "ws-msg-easy-job-post"


def message_workshop(app, code: str) -> None:
    """A workshop of the one message question, so the page under test is known."""
    owner = add_user(app, f"facilitator-{code.lower()}", "facilitator")
    with app.app_context():
        db = get_session()
        question = db.scalar(select(Question).where(Question.key == KEY))
        db.add(
            Workshop(
                code=code,
                owner_id=owner,
                title="Red flags",
                locale="en",
                topic_keys=[],
                question_count=1,
                questions=[WorkshopQuestion(position=1, question_id=question.id)],
            )
        )
        db.commit()


def open_question(browser_: Browser, server_: str, code: str, javascript: bool) -> Page:
    context = browser_.new_context(
        viewport=PHONE, locale="en-GB", device_scale_factor=1, java_script_enabled=javascript
    )
    tab = context.new_page()
    tab.goto(f"{server_}/j/{code}")
    tab.locator("main form button").click()
    expect(tab.locator(".message")).to_be_visible()
    return tab


def tap(tab: Page, phrase: str) -> None:
    tab.locator("label.phrase", has_text=phrase).click()


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_tapping_red_flags_in_a_job_post_and_reading_the_feedback(browser, server, app, javascript):
    code = "RFPT2K" if javascript else "RFPT3M"
    message_workshop(app, code)
    tab = open_question(browser, server, code, javascript)
    # Each phrase is a checkbox named by its own words, inside the post in reading order.
    boxes = tab.get_by_role("checkbox")
    assert boxes.count() == 6
    assert tab.get_by_role("checkbox", name="Only 3 places left, decide today!").count() == 1
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for label in tab.locator("label.phrase").all():
        assert label.bounding_box()["height"] >= 30, "a phrase is a target a thumb can hit"
    suffix = "on" if javascript else "off"
    if javascript:
        assert serious_violations(tab) == []
    for phrase in ("Earn 30 million", "no experience", "Flights, visa", "must be 18"):
        tap(tab, phrase)
    tap(tab, "Flights, visa")
    tap(tab, "Flights, visa")  # tapped again: on, off, on
    expect(tab.get_by_role("checkbox", name="Applicants must be 18 or over")).to_be_checked()
    shot(tab, f"10-message-asked-js-{suffix}")
    tab.locator("form.question button[type=submit]").click()

    feedback = tab.locator("#feedback")
    expect(feedback.locator("h1")).to_have_text("Not quite.")
    verdicts = feedback.locator("ol.phrase-verdicts > li")
    expect(verdicts).to_have_count(5)  # four red flags and the one innocent phrase tapped
    missed = feedback.locator("li.verdict-flag", has_text="decide today")
    expect(missed).to_contain_text("Red flag: you missed it")
    expect(missed.locator(".why")).to_contain_text("Pressure to say yes")
    found = feedback.locator("li.verdict-flag", has_text="30 million")
    expect(found).to_contain_text("Red flag: you found it")
    fine = feedback.locator("li.verdict-fine")
    expect(fine).to_have_count(1)
    expect(fine).to_contain_text("Not a red flag")
    expect(fine.locator(".why")).to_contain_text("minimum age")
    expect(feedback.locator(".message mark.phrase-flag.is-missed")).to_have_count(1)
    expect(feedback.locator(".message mark.phrase-flag.is-found")).to_have_count(3)
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(tab, f"11-message-feedback-js-{suffix}")
    if javascript:
        assert serious_violations(tab) == []
    with app.app_context():
        answer = get_session().scalar(select(Answer))
        assert answer.correct is False
        assert sorted(c.key for c in answer.choices) == ["age", "pay", "skills", "ticket"]


def test_finding_every_red_flag_and_nothing_else_is_right(browser, server, app):
    message_workshop(app, "RFPT4N")
    tab = open_question(browser, server, "RFPT4N", javascript=False)
    for phrase in ("Earn 30 million", "no experience", "Flights, visa", "decide today"):
        tap(tab, phrase)
    tab.locator("form.question button[type=submit]").click()
    expect(tab.locator("#feedback h1")).to_have_text("Correct!")
    expect(tab.locator("li.verdict-fine")).to_have_count(0)
    expect(tab.locator("li.verdict-flag", has_text="Red flag: you found it")).to_have_count(4)
