"""A participant's whole path through the site, read from the pages as a person would."""

from __future__ import annotations

import re

import pytest
from helpers import keep_only_choice_questions, page, submit
from sqlalchemy import func, select

from tipquiz.db import get_session
from tipquiz.models import (
    Answer,
    AnswerChoice,
    Attempt,
    AttemptQuestion,
    Choice,
    Question,
    QuestionRevision,
    Topic,
)


def start_quiz(client, lang: str = "en"):
    client.get(f"/lang/{lang}")
    response = submit(client, "/", action="/start")
    assert response.status_code == 302
    assert response.location.endswith("/quiz/1")
    return response


def correct_keys(app, position: int) -> list[str]:
    """The right choices of the question at ``position`` of the newest attempt."""
    with app.app_context():
        db = get_session()
        attempt = db.scalar(select(Attempt).order_by(Attempt.id.desc()))
        item = db.scalar(
            select(AttemptQuestion).where(
                AttemptQuestion.attempt_id == attempt.id, AttemptQuestion.position == position
            )
        )
        return sorted(item.revision.correct_keys)


def wrong_keys(app, position: int) -> list[str]:
    with app.app_context():
        db = get_session()
        attempt = db.scalar(select(Attempt).order_by(Attempt.id.desc()))
        item = db.scalar(
            select(AttemptQuestion).where(
                AttemptQuestion.attempt_id == attempt.id, AttemptQuestion.position == position
            )
        )
        wrong = [c.key for c in item.revision.choices if not c.correct]
        # Where every choice is right ("select all", all of them), one alone is a wrong answer.
        return wrong[:1] or [item.revision.choices[0].key]


def answer(client, position: int, keys: list[str]):
    return submit(client, f"/quiz/{position}", {"choice": keys})


def test_home_offers_start_and_workshop_code(client):
    soup = page(client.get("/", headers={"Accept-Language": "en"}))
    assert soup.find("h1").get_text(strip=True) == "Spot the Signs"
    start = soup.find("form", action="/start")
    assert start.find("button").get_text(strip=True) == "Start the quiz"
    code = soup.find("input", id="code")
    assert soup.find("label", attrs={"for": "code"}).get_text(strip=True) == "Workshop code"
    assert code["name"] == "code"
    languages = soup.find("nav", class_="languages")
    assert {a.get_text(strip=True) for a in languages.find_all(["a", "span"])} == {
        "Tiếng Việt",
        "English",
    }


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_whole_quiz_from_home_to_results(app, client, lang):
    start_quiz(client, lang)
    total = app.config["QUESTIONS_PER_QUIZ"]
    right = 0
    for position in range(1, total + 1):
        soup = page(client.get(f"/quiz/{position}"))
        progress = soup.find("p", class_="progress-label").get_text(" ", strip=True)
        expected = f"Question {position} of {total}" if lang == "en" else f"Câu {position}/{total}"
        assert progress.startswith(expected)
        fieldset = soup.find("form", class_="question").find("fieldset")
        assert fieldset.find("legend").get_text(strip=True)
        for box in fieldset.find_all("input", attrs={"name": "choice"}):
            assert soup.find("label", attrs={"for": box["id"]}).get_text(strip=True)
        keys = correct_keys(app, position) if position % 2 else wrong_keys(app, position)
        right += position % 2
        response = answer(client, position, keys)
        assert response.status_code == 302
        feedback = page(client.get(f"/quiz/{position}")).find("section", id="feedback")
        verdict = feedback.find("h1").get_text(strip=True)
        if lang == "en":
            assert verdict == ("Correct!" if position % 2 else "Not quite.")
        else:
            assert verdict == ("Chính xác!" if position % 2 else "Chưa đúng.")
        assert feedback.find("div", class_="explanation").find("p").get_text(strip=True)
        assert feedback.find("p", class_="learn-more").find("a")["href"].startswith("/learn/")
        # The right answer is marked: a choice, or each red flag of a message.
        assert feedback.find("li", class_=["right", "verdict-flag"]) is not None

    soup = page(client.get("/quiz/results"))
    score = soup.find("p", class_="score-total").get_text(strip=True)
    assert score == (f"{right} of {total} correct" if lang == "en" else f"Đúng {right}/{total} câu")

    articles = soup.find_all("article", class_="topic-score")
    assert articles
    with app.app_context():
        topics = {t.key: t for t in get_session().scalars(select(Topic))}
    figures = [a.find("span", class_="score-figure").get_text(strip=True) for a in articles]
    assert sum(int(re.match(r"\d+", f).group()) for f in figures) == right
    for article in articles:
        key = article["aria-labelledby"].removeprefix("topic-")
        topic = topics[key]
        percent = int(article.find("meter")["value"])
        band = "low" if percent < 50 else "high" if percent >= 80 else "mid"
        assert (
            article.find("p", class_="topic-feedback").get_text(strip=True)
            == (topic.feedback[band][lang])
        )
        assert f"band-{band}" in article["class"]
        links = [a["href"] for a in article.find_all("a")]
        assert f"/learn/{key}" in links
        assert any(href.startswith("http") for href in links), "links to the original articles"

    help_block = soup.find("section", class_="get-help")
    assert help_block.find("a", href="tel:111") is not None
    assert help_block.find("a", href="tel:113") is not None
    assert "24" in help_block.get_text()


def test_double_submit_and_reload_never_change_an_answer(app, client):
    start_quiz(client)
    right, wrong = correct_keys(app, 1), wrong_keys(app, 1)
    token = page(client.get("/quiz/1")).find("input", attrs={"name": "csrf_token"})["value"]
    # A double tap sends the same form twice; a second tab then sends another answer.
    for keys in (right, right, wrong):
        response = client.post("/quiz/1", data={"csrf_token": token, "choice": keys})
        assert response.status_code == 302
    for _ in range(3):
        assert client.get("/quiz/1").status_code == 200
    with app.app_context():
        db = get_session()
        answers = db.scalars(select(Answer)).all()
        assert len(answers) == 1
        assert answers[0].correct is True
        assert db.scalar(select(func.count()).select_from(AnswerChoice)) == len(right)
    feedback = page(client.get("/quiz/1")).find("section", id="feedback")
    assert feedback.find("h1").get_text(strip=True) == "Correct!"


def test_reload_shows_the_same_question_with_the_same_choice_order(client):
    start_quiz(client)
    first = page(client.get("/quiz/1"))
    again = page(client.get("/quiz/1"))

    def order(soup):
        return [i["value"] for i in soup.find_all("input", attrs={"name": "choice"})]

    assert order(first) == order(again)
    assert first.find("legend").get_text() == again.find("legend").get_text()


def test_cannot_skip_ahead(client):
    start_quiz(client)
    response = client.get("/quiz/5")
    assert response.status_code == 302
    assert response.location.endswith("/quiz/1")


def test_no_choice_gets_a_message_and_stores_nothing(app, client):
    keep_only_choice_questions(app)
    start_quiz(client)
    response = submit(client, "/quiz/1", {})
    # Back to the question by GET: the browser's history never holds a POST to resend.
    assert response.status_code == 303
    assert response.location.endswith("/quiz/1?error=choose")
    shown = client.get(response.location)
    assert shown.status_code == 200
    error = page(shown).find("p", id="answer-error").get_text(strip=True)
    assert error in {"Choose one answer.", "Choose at least one answer."}
    assert page(shown).find("fieldset")["aria-describedby"] == "answer-error"
    assert page(client.get("/quiz/1")).find("p", id="answer-error") is None
    forged = submit(client, "/quiz/1", {"choice": ["no-such-choice"]})
    assert forged.status_code == 303
    with app.app_context():
        assert get_session().scalar(select(func.count(Answer.id))) == 0


def test_resume_after_closing_the_tab(app, client):
    start_quiz(client)
    answer(client, 1, correct_keys(app, 1))
    answer(client, 2, correct_keys(app, 2))
    soup = page(client.get("/"))
    link = soup.find("a", string=lambda s: s and "Continue the quiz" in s)
    assert link["href"] == "/quiz"
    response = client.get("/quiz")
    assert response.location.endswith("/quiz/3")


def test_double_tap_on_start_makes_one_attempt(app, client):
    start_quiz(client)
    start_quiz(client)
    with app.app_context():
        assert get_session().scalar(select(func.count(Attempt.id))) == 1


def test_results_wait_for_the_last_answer(client):
    start_quiz(client)
    response = client.get("/quiz/results")
    assert response.status_code == 302


def test_draft_questions_are_never_drawn(app):
    with app.app_context():
        db = get_session()
        questions = db.scalars(select(Question).order_by(Question.id)).all()
        drafts = questions[: len(questions) - 12]
        for question in drafts:
            question.status = "draft"
        draft_ids = {q.id for q in drafts}
        db.commit()
    for _ in range(3):
        start_quiz(app.test_client())
    with app.app_context():
        drawn = (
            get_session().scalars(select(QuestionRevision.question_id).join(AttemptQuestion)).all()
        )
    assert len(drawn) == 3 * 12
    assert not set(drawn) & draft_ids


@pytest.mark.parametrize(
    "url", ["/quiz/1", "/quiz/results", "/quiz", "/learn/no-such-topic", "/j/ZZZZZZ", "/nope"]
)
def test_unknown_things_are_404_with_a_message(client, url):
    response = client.get(url, headers={"Accept-Language": "vi"})
    assert response.status_code == 404
    soup = page(response)
    assert soup.find("h1").get_text(strip=True)
    assert soup.find("main").find("p").get_text(strip=True)
    assert soup.find("html")["lang"] == "vi"


def test_unknown_question_number_is_404(client):
    start_quiz(client)
    assert client.get("/quiz/999").status_code == 404
    assert client.post("/quiz/999", data={"choice": ["a"]}).status_code in (400, 404)


def test_language_switch_sticks_and_changes_content(app, client):
    client.get("/", headers={"Accept-Language": "en"})
    soup = page(client.get("/learn/warning-signs", headers={"Accept-Language": "en"}))
    assert soup.find("html")["lang"] == "en"
    vi_link = soup.find("nav", class_="languages").find("a", hreflang="vi")
    response = client.get(vi_link["href"])
    assert response.location.endswith("/learn/warning-signs")
    soup = page(client.get("/learn/warning-signs", headers={"Accept-Language": "en"}))
    assert soup.find("html")["lang"] == "vi"
    with app.app_context():
        topic = get_session().scalar(select(Topic).where(Topic.key == "warning-signs"))
    assert soup.find("h1").get_text(strip=True) == topic.title["vi"]


def test_first_language_comes_from_the_browser(client):
    assert page(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})).html["lang"] == "en"
    assert page(client.get("/", headers={"Accept-Language": "vi-VN,vi;q=0.9"})).html["lang"] == "vi"


def test_language_switch_refuses_other_sites(client):
    response = client.get("/lang/en?next=https://evil.example/")
    assert response.location == "/"
    response = client.get("/lang/en?next=//evil.example/")
    assert response.location == "/"


def test_learn_page_lists_facts_with_sources(app, client):
    client.get("/lang/en")
    with app.app_context():
        topics = get_session().scalars(select(Topic)).all()
        expected = {t.key: len(t.facts) for t in topics}
    for key, count in expected.items():
        soup = page(client.get(f"/learn/{key}"))
        facts = soup.find("ul", class_="facts").find_all("li", recursive=False)
        assert len(facts) == count
        for fact in facts:
            assert fact.find("a")["href"].startswith("http")
        assert soup.find("ul", class_="actions").find("li")


def test_sources_page_lists_every_source(bank, client):
    soup = page(client.get("/sources"))
    items = soup.find("ol", class_="sources").find_all("li", recursive=False)
    assert [li["id"].removeprefix("source-") for li in items] == [s.key for s in bank.sources]
    assert all(li.find("a")["href"].startswith("http") for li in items)


def test_nothing_about_the_participant_is_stored(app, client):
    start_quiz(client)
    client.environ_base["REMOTE_ADDR"] = "203.0.113.77"
    answer(client, 1, correct_keys(app, 1))
    with app.app_context():
        db = get_session()
        attempt = db.scalar(select(Attempt))
        stored = " ".join(str(getattr(attempt, c.key)) for c in Attempt.__table__.columns)
        assert "203.0.113" not in stored
        assert "werkzeug" not in stored.lower()
        assert {c.name for c in Attempt.__table__.columns} == {
            "id",
            "token",
            "workshop_id",
            "round",
            "locale",
            "question_count",
            "started_at",
            "finished_at",
            # Pairing with the same person's other round: an attempt id, how it was found, and
            # a keyed hash of a code the participant made up (see test_pairing.py).
            "paired_attempt_id",
            "paired_by",
            "code_hash",
        }


def test_choice_ids_belong_to_the_revision_answered(app, client):
    start_quiz(client)
    keys = correct_keys(app, 1)
    answer(client, 1, keys)
    with app.app_context():
        db = get_session()
        stored = db.scalar(select(Answer))
        choices = db.scalars(
            select(Choice).join(AnswerChoice).where(AnswerChoice.answer_id == stored.id)
        ).all()
        assert sorted(c.key for c in choices) == keys
        assert {c.revision_id for c in choices} == {stored.revision_id}
