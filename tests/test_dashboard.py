"""The dashboard's numbers, exports and charts, computed from answers stored the real way."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from bs4 import BeautifulSoup
from helpers import add_user
from sqlalchemy import select

from tipquiz import attempts, charts, dashboard, workshops
from tipquiz.db import get_session
from tipquiz.models import Attempt, Choice, Question, QuestionRevision, User, Workshop

Pick = Callable[[QuestionRevision], list[str]]


def right(revision: QuestionRevision) -> list[str]:
    return sorted(revision.correct_keys)


def wrong(n: int) -> Pick:
    """The n-th wrong choice in the bank's order, or the last one when there are fewer.

    Where every choice is right ("select all", all of them), one choice alone is the wrong answer.
    """

    def pick(revision: QuestionRevision) -> list[str]:
        keys = [c.key for c in revision.choices if not c.correct]
        if not keys:
            return [revision.choices[0].key]
        return [keys[min(n, len(keys) - 1)]]

    return pick


def take(db, workshop: Workshop | None, pick: Pick, answered: int | None = None) -> Attempt:
    """One participant: joins, answers the first ``answered`` questions (all by default)."""
    attempt = attempts.start_attempt(
        db, locale="en", count=6, workshop=workshop, rng=random.Random(len(pick.__name__))
    )
    for item in attempt.items[:answered]:
        attempts.record_answer(db, item, pick(item.revision))
    return attempt


def keep_questions_with_a_wrong_choice(db) -> None:
    """These tests follow wrong answers; a "select all" question whose every choice is right
    has no wrong choice to follow, so it is kept out of the draw (as a draft)."""
    for question in db.scalars(select(Question).where(Question.status == "published")):
        if all(c.correct for c in question.current_revision.choices):
            question.status = "draft"
    db.commit()


def new_workshop(app, name: str = "lan", count: int = 6) -> Workshop:
    keep_questions_with_a_wrong_choice(get_session())
    owner = get_session().get(User, add_user(app, name))
    return workshops.create_workshop(
        get_session(),
        owner=owner,
        title="Lớp 10A",
        locale="en",
        topic_keys=["warning-signs", "online-risks", "getting-help"],
        question_count=count,
        rng=random.Random(11),
    )


@pytest.fixture
def room(app):
    """A workshop run twice: before, 3 right, 2 on the first wrong choice, 1 still reading;
    after, 4 right and 1 on the second wrong choice. Noise elsewhere must not leak in."""
    with app.app_context():
        db = get_session()
        workshop = new_workshop(app)
        for pick in (right, right, right, wrong(0), wrong(0)):
            take(db, workshop, pick)
        take(db, workshop, right, answered=0)
        workshops.start_after_round(db, workshop)
        for pick in (right, right, right, right, wrong(1)):
            take(db, workshop, pick)
        elsewhere = new_workshop(app, "minh")
        take(db, elsewhere, wrong(0))
        take(db, None, wrong(0))
        yield db, db.get(Workshop, workshop.id)


def test_joined_in_progress_and_finished_per_round(room):
    db, workshop = room
    counts = dashboard.round_counts(db, workshop.id)
    assert (counts["before"].joined, counts["before"].in_progress, counts["before"].finished) == (
        6,
        1,
        5,
    )
    assert (counts["after"].joined, counts["after"].in_progress, counts["after"].finished) == (
        5,
        0,
        5,
    )
    assert dashboard.joined_per_workshop(db, [workshop.id])[workshop.id].joined == 11


def test_topic_averages_per_round_and_their_deltas(room):
    db, workshop = room
    topics = dashboard.topic_averages(db, workshop)
    assert [t.key for t in topics] == ["warning-signs", "online-risks", "getting-help"]
    for topic in topics:
        assert topic.scores["before"].percent == 60
        assert topic.scores["after"].percent == 80
        assert topic.scores["before"].total == 5 * 2, "two questions per topic, five answers each"
        assert topic.delta == 20
    results = dashboard.workshop_results(db, workshop)
    assert {t.key: t.delta for t in results.topics} == dict.fromkeys(
        ["warning-signs", "online-risks", "getting-help"], 20
    )


def test_choice_shares_and_the_most_chosen_wrong_answer(room):
    db, workshop = room
    results = dashboard.question_results(db, workshop)
    assert [q.position for q in results] == list(range(1, 7))
    for question in results:
        assert question.answers("before") == question.answers("after") == 5
        assert question.scores["before"].percent == 60
        assert question.scores["after"].percent == 80
        assert question.delta == 20
        wrong_keys = [c.key for c in question.choices if not c.correct]
        by_key = {c.key: c for c in question.choices}
        first, second = wrong_keys[0], wrong_keys[min(1, len(wrong_keys) - 1)]
        assert question.share(by_key[first], "before") == 40
        assert question.most_chosen_wrong("before").key == first
        assert question.most_chosen_wrong("after").key == second
        assert question.share(by_key[second], "after") == 20
        for choice in question.choices:
            if choice.correct:
                assert choice.counts == {"before": 3, "after": 4}
    whole = dashboard.workshop_results(db, workshop)
    assert {q.key: q.delta for q in whole.questions} == {q.key: 20 for q in results}


def test_a_tie_goes_to_the_wrong_choice_listed_first_and_no_wrong_pick_means_none(app):
    with app.app_context():
        db = get_session()
        workshop = new_workshop(app)
        take(db, workshop, wrong(1))
        take(db, workshop, wrong(0))
        take(db, workshop, right)
        for question in dashboard.question_results(db, workshop):
            first_wrong = next(c for c in question.choices if not c.correct)
            assert question.most_chosen_wrong("before") is first_wrong
        everyone_right = new_workshop(app, "minh")
        take(db, everyone_right, right)
        for question in dashboard.question_results(db, everyone_right):
            assert question.most_chosen_wrong("before") is None


def test_a_workshop_with_nobody_yet_shows_zeros_not_errors(app):
    with app.app_context():
        db = get_session()
        workshop = new_workshop(app)
        results = dashboard.workshop_results(db, workshop)
        assert results.rounds == ["before"]
        assert not results.compared
        assert all(c.joined == 0 for c in results.counts.values())
        assert all(t.scores == {} and t.delta is None for t in results.topics)
        for question in results.questions:
            assert question.answers("before") == 0
            assert all(question.share(c, "before") == 0 for c in question.choices)
            assert question.most_chosen_wrong("before") is None


def test_unfinished_attempts_count_with_the_answers_they_have(app):
    with app.app_context():
        db = get_session()
        workshop = new_workshop(app, count=6)
        take(db, workshop, right, answered=3)
        counts = dashboard.round_counts(db, workshop.id)
        assert (counts["before"].joined, counts["before"].finished) == (1, 0)
        topics = dashboard.topic_averages(db, workshop)
        assert sum(t.scores["before"].total for t in topics if t.scores) == 3
        assert all(t.scores["before"].percent == 100 for t in topics if t.scores)


def test_answers_to_an_older_revision_count_under_the_same_choice(app):
    with app.app_context():
        db = get_session()
        workshop = new_workshop(app)
        take(db, workshop, wrong(0))
        question = db.get(Question, workshop.questions[0].question_id)
        old = question.current_revision
        new = QuestionRevision(question_id=question.id, number=old.number + 1, type=old.type)
        new.choices = [
            Choice(key=c.key, position=c.position, text=c.text, correct=c.correct)
            for c in old.choices
        ] + [Choice(key="z", position=99, text={"en": "New", "vi": "Mới"}, correct=False)]
        db.add(new)
        question.revision_number = new.number
        db.commit()
        db.expire_all()  # as a new request would see it
        take(db, workshop, wrong(0))
        result = next(q for q in dashboard.question_results(db, workshop) if q.key == question.key)
        first_wrong = next(c for c in old.choices if not c.correct).key
        assert [c.key for c in result.choices][-1] == "z"
        assert {c.key: c.counts.get("before", 0) for c in result.choices}[first_wrong] == 2
        assert result.answers("before") == 2


def test_admin_totals_count_every_attempt_workshop_or_not(room):
    db, _workshop = room
    totals = dashboard.admin_totals(db)
    assert totals.workshops == 2
    assert totals.attempts.joined == 11 + 2
    assert totals.attempts.finished == 10 + 2
    assert totals.in_workshops == 12
    assert totals.answers.total == 12 * 6
    assert totals.answers.correct == (3 + 4) * 6
    assert sum(t.scores["all"].total for t in totals.topics) == 12 * 6


# Charts ----------------------------------------------------------------------------------------

WORDS = charts.ChartWords(
    rounds={"before": "Before", "after": "After", "all": "All"},
    correct="Correct answer",
    most_chosen_wrong="Most chosen wrong answer",
    points=lambda change: f"{change:+d} points",
    no_answers="No answers yet",
)


def svg(markup: str) -> BeautifulSoup:
    soup = BeautifulSoup(markup, "html.parser")
    assert not soup.find_all(attrs={"style": True}), "no style attributes: the CSP forbids them"
    assert soup.find("script") is None
    return soup


def test_choice_chart_marks_the_right_and_the_most_chosen_wrong_answer_in_words(room):
    db, workshop = room
    results = dashboard.workshop_results(db, workshop)
    question = results.questions[0]
    soup = svg(charts.choice_chart(question, ["before"], WORDS, "en", "chart-q1"))
    chart = soup.find("svg")
    assert chart["role"] == "img"
    assert chart.find("title").get_text() == question.prompt["en"]
    rows = chart.find_all("g", class_="row")
    assert [r["data-key"] for r in rows] == [c.key for c in question.choices]
    highlighted = chart.find_all("g", class_="most-chosen-wrong")
    assert [g["data-key"] for g in highlighted] == [question.most_chosen_wrong("before").key]
    assert "▲ Most chosen wrong answer" in highlighted[0].get_text()
    assert highlighted[0].find("rect", fill="url(#chart-q1-hatch)") is not None
    assert chart.find("pattern", id="chart-q1-hatch") is not None
    for row in chart.find_all("g", class_="correct"):
        assert "✓ Correct answer" in row.get_text()
        assert row.find("text", class_="value").get_text() == "60% (3)"
    assert highlighted[0].find("text", class_="value").get_text() == "40% (2)"


def test_choice_chart_with_two_rounds_labels_each_bar(room):
    db, workshop = room
    question = next(
        q
        for q in dashboard.workshop_results(db, workshop).questions
        if sum(not c.correct for c in q.choices) >= 2
    )
    chart = svg(charts.choice_chart(question, ["before", "after"], WORDS, "en", "c")).svg
    correct = chart.find("g", class_="correct")
    assert [t.get_text() for t in correct.find_all("text", class_="round")] == ["Before", "After"]
    assert [t.get_text() for t in correct.find_all("text", class_="value")] == [
        "60% (3)",
        "80% (4)",
    ]
    highlighted = chart.find_all("g", class_="most-chosen-wrong")
    assert [g["data-key"] for g in highlighted] == [
        question.most_chosen_wrong("before").key,
        question.most_chosen_wrong("after").key,
    ]
    assert "▲ Most chosen wrong answer (Before)" in highlighted[0].get_text()
    assert "▲ Most chosen wrong answer (After)" in highlighted[1].get_text()


def test_topic_chart_shows_each_round_and_the_change(room):
    db, workshop = room
    results = dashboard.workshop_results(db, workshop)
    chart = svg(
        charts.topic_chart(results.topics, results.rounds, WORDS, "en", "topics", "Scores")
    ).svg
    rows = chart.find_all("g", class_="topic")
    assert [r["data-key"] for r in rows] == [t.key for t in results.topics]
    for row in rows:
        assert [t.get_text() for t in row.find_all("text", class_="value")] == ["60%", "80%"]
        assert "+20 points" in row.get_text()


def test_chart_text_is_escaped_and_long_labels_wrap(room):
    db, workshop = room
    question = dashboard.workshop_results(db, workshop).questions[0]
    long_text = "<b>Careful</b> & " + "a very long choice " * 10
    question.choices[0].text["en"] = long_text
    soup = svg(charts.choice_chart(question, ["before"], WORDS, "en", "q"))
    assert soup.find("b") is None
    first = soup.find("g", class_="row")
    lines = [t.get_text() for t in first.find_all("text") if "class" not in t.attrs]
    assert len(lines) >= 3
    assert " ".join(lines).startswith("<b>Careful</b> & a very long choice")


def test_changes_are_written_with_their_sign():
    assert [charts.signed(n) for n in (20, 0, -6)] == ["+20", "0", "\u22126"]
