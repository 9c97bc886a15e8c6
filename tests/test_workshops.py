"""Workshops as a domain: codes, fixed questions, rounds, who may see what; and joining one."""

from __future__ import annotations

import random
from collections import Counter
from itertools import chain

import pytest
from helpers import add_user, page, submit
from sqlalchemy import func, select

from tipquiz import attempts, workshops
from tipquiz.db import get_session
from tipquiz.models import Attempt, Question, Topic, User, Workshop
from tipquiz.participant import CODE_PATTERN


def user(app, name: str, role: str = "facilitator") -> User:
    user_id = add_user(app, name, role)
    return get_session().get(User, user_id)


def make(app, owner: User, **overrides) -> Workshop:
    values = {
        "title": "Lớp 10A",
        "locale": "vi",
        "topic_keys": ["warning-signs", "getting-help"],
        "question_count": 8,
        "rng": random.Random(5),
    }
    values.update(overrides)
    return workshops.create_workshop(get_session(), owner=owner, **values)


def scripted(codes: list[str]):
    """A ``choose`` that spells out the given codes one after the other."""
    letters = iter(chain.from_iterable(codes))
    return lambda _alphabet: next(letters)


def test_codes_use_six_characters_without_look_alikes():
    codes = {workshops.new_code() for _ in range(300)}
    assert len(codes) > 295
    for code in codes:
        assert CODE_PATTERN.match(code)
        assert not set(code) & set("01ILO")


def test_a_new_workshop_has_its_questions_drawn_from_its_topics(app):
    with app.app_context():
        workshop = make(app, user(app, "lan"))
        db = get_session()
        asked = db.scalars(
            select(Question).where(Question.id.in_([q.question_id for q in workshop.questions]))
        ).all()
        assert CODE_PATTERN.match(workshop.code)
        assert workshop.title == "Lớp 10A"
        assert workshop.is_open and workshop.current_round == "before"
        assert [q.position for q in workshop.questions] == list(range(1, 9))
        assert len(asked) == 8
        assert Counter(q.topic.key for q in asked) == {"warning-signs": 4, "getting-help": 4}
        assert workshop.topic_keys == ["warning-signs", "getting-help"]


def test_draft_questions_are_never_drawn_for_a_workshop(app):
    with app.app_context():
        db = get_session()
        signs = db.scalars(
            select(Question)
            .join(Question.topic)
            .where(Topic.key == "warning-signs")
            .order_by(Question.position)
        ).all()
        for question in signs[4:]:
            question.status = "draft"
        db.commit()
        workshop = make(app, user(app, "lan"), topic_keys=["warning-signs"], question_count=4)
        assert {q.question_id for q in workshop.questions} == {q.id for q in signs[:4]}
        with pytest.raises(workshops.NotEnoughQuestions) as refused:
            make(
                app,
                get_session().get(User, workshop.owner_id),
                topic_keys=["warning-signs"],
                question_count=5,
            )
        assert refused.value.available == 4


def test_too_many_questions_or_no_topic_is_refused_and_nothing_is_saved(app):
    with app.app_context():
        owner = user(app, "lan")
        available = workshops.available_questions(get_session(), ["getting-help"])
        with pytest.raises(workshops.NotEnoughQuestions):
            make(app, owner, topic_keys=["getting-help"], question_count=available + 1)
        with pytest.raises(workshops.NotEnoughQuestions):
            make(app, owner, topic_keys=[])
        assert get_session().scalar(select(func.count(Workshop.id))) == 0


def test_a_taken_code_is_skipped(app):
    with app.app_context():
        owner = user(app, "lan")
        first = make(app, owner, choose=scripted(["HNK4TP"]))
        second = make(app, owner, choose=scripted(["HNK4TP", "HNK4TP", "QRS234"]))
        assert (first.code, second.code) == ("HNK4TP", "QRS234")


def test_when_every_code_tried_is_taken_the_workshop_is_not_saved(app):
    with app.app_context():
        owner = user(app, "lan")
        make(app, owner, choose=scripted(["HNK4TP"]))
        with pytest.raises(workshops.NoFreeCode):
            make(app, owner, choose=scripted(["HNK4TP"] * workshops.CODE_TRIES))
        assert get_session().scalar(select(func.count(Workshop.id))) == 1


def test_close_reopen_and_the_after_round(app):
    with app.app_context():
        db = get_session()
        workshop = make(app, user(app, "lan"))
        workshops.close_workshop(db, workshop)
        assert not db.get(Workshop, workshop.id).is_open
        workshops.reopen_workshop(db, workshop)
        assert db.get(Workshop, workshop.id).is_open
        workshops.close_workshop(db, workshop)
        assert workshops.start_after_round(db, workshop) is True
        stored = db.get(Workshop, workshop.id)
        assert stored.current_round == "after"
        assert stored.is_open, "starting the after round lets people answer again"
        assert workshops.start_after_round(db, workshop) is False


def test_both_rounds_ask_the_same_questions(app):
    with app.app_context():
        db = get_session()
        workshop = make(app, user(app, "lan"))
        before = attempts.start_attempt(db, locale="vi", count=0, workshop=workshop)
        workshops.start_after_round(db, workshop)
        after = attempts.start_attempt(db, locale="vi", count=0, workshop=workshop)
        assert (before.round, after.round) == ("before", "after")

        def asked(attempt):
            return sorted(item.revision.question_id for item in attempt.items)

        assert asked(before) == asked(after) == sorted(q.question_id for q in workshop.questions)


def test_facilitators_see_their_own_workshops_and_admins_see_all(app):
    with app.app_context():
        db = get_session()
        lan, minh, admin = user(app, "lan"), user(app, "minh"), user(app, "boss", "admin")
        first = make(app, lan, title="Lan 1")
        second = make(app, lan, title="Lan 2")
        other = make(app, minh, title="Minh 1")
        assert [w.title for w in workshops.visible_workshops(db, lan)] == ["Lan 2", "Lan 1"]
        assert [w.title for w in workshops.visible_workshops(db, minh)] == ["Minh 1"]
        assert {w.id for w in workshops.visible_workshops(db, admin)} == {
            first.id,
            second.id,
            other.id,
        }
        assert workshops.find_visible_workshop(db, lan, first.id) is first
        assert workshops.find_visible_workshop(db, minh, first.id) is None
        assert workshops.find_visible_workshop(db, admin, other.id) is other
        assert workshops.find_visible_workshop(db, lan, 9999) is None


# Joining, as a participant sees it -----------------------------------------------------------


def workshop_code(app, **overrides) -> str:
    with app.app_context():
        return make(app, user(app, "lan"), **overrides).code


def test_a_workshop_link_opens_in_the_workshop_language(app):
    code = workshop_code(app, locale="vi")
    phone = app.test_client()
    soup = page(phone.get(f"/j/{code}", headers={"Accept-Language": "en"}))
    assert soup.html["lang"] == "vi"
    assert soup.find("h1").get_text(strip=True) == "Lớp 10A"
    response = submit(phone, f"/j/{code}", headers={"Accept-Language": "en"})
    assert response.location.endswith("/quiz/1")
    question = page(phone.get("/quiz/1", headers={"Accept-Language": "en"}))
    assert question.html["lang"] == "vi", "the quiz goes on in the workshop's language"
    with app.app_context():
        assert get_session().scalar(select(Attempt.locale)) == "vi"


def test_a_language_the_participant_chose_wins_over_the_workshop_language(app):
    code = workshop_code(app, locale="vi")
    phone = app.test_client()
    phone.get("/lang/en")
    assert page(phone.get(f"/j/{code}")).html["lang"] == "en"
    submit(phone, f"/j/{code}")
    assert page(phone.get("/quiz/1")).html["lang"] == "en"


def test_codes_are_forgiving_about_case_spaces_and_dashes(app):
    code = workshop_code(app)
    phone = app.test_client()
    typed = f" {code[:3].lower()}-{code[3:]} "
    response = phone.get("/join", query_string={"code": typed})
    assert response.status_code == 302
    assert response.location.endswith(f"/j/{code}")
    assert page(phone.get(response.location)).find("h1").get_text(strip=True) == "Lớp 10A"


def test_a_closed_workshop_takes_no_one_new(app):
    code = workshop_code(app, locale="en")
    with app.app_context():
        db = get_session()
        workshops.close_workshop(db, db.scalar(select(Workshop)))
    phone = app.test_client()
    response = phone.get(f"/j/{code}", headers={"Accept-Language": "en"})
    assert response.status_code == 410
    soup = page(response)
    assert "closed" in soup.find("p", class_="flash-error").get_text()
    assert soup.find("form", action=f"/j/{code}") is None
    token = page(phone.get("/")).find("input", attrs={"name": "csrf_token"})["value"]
    response = phone.post(f"/j/{code}", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.location.endswith(f"/j/{code}")
    with app.app_context():
        assert get_session().scalar(select(func.count(Attempt.id))) == 0
