"""A whole room arriving at once: joins and answers written with few, short statements."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import event, func, select

from tipquiz import attempts
from tipquiz.db import get_engine, get_session
from tipquiz.models import Answer, AnswerChoice, Attempt, AttemptQuestion, Question
from tipquiz.quiz import InvalidAnswer


class Statements:
    """The SQL statements an app's engine runs, with how many parameter sets each had."""

    def __init__(self, engine):
        self.seen: list[tuple[str, int]] = []
        event.listen(engine, "before_cursor_execute", self.record)

    def record(self, _conn, _cursor, statement, parameters, _context, executemany):
        self.seen.append((statement.split()[0].upper(), len(parameters) if executemany else 1))

    def writes(self) -> list[tuple[str, int]]:
        return [(verb, n) for verb, n in self.seen if verb in ("INSERT", "UPDATE", "DELETE")]


def test_a_join_writes_its_questions_in_one_statement_and_they_are_right(app):
    with app.app_context():
        db = get_session()
        statements = Statements(get_engine(app))
        attempt = attempts.start_attempt(db, locale="vi", count=12, rng=random.Random(7))
        assert statements.writes() == [("INSERT", 1), ("INSERT", 12)]
        assert len(statements.seen) <= 6, statements.seen

        items = db.scalars(
            select(AttemptQuestion)
            .where(AttemptQuestion.attempt_id == attempt.id)
            .order_by(AttemptQuestion.position)
        ).all()
        assert [i.position for i in items] == list(range(1, 13))
        assert [i.id for i in attempt.items] == [i.id for i in items]
        topics = {}
        for item in items:
            revision = item.revision
            question = db.get(Question, revision.question_id)
            assert revision.number == question.revision_number, "the current revision"
            assert question.status == "published"
            keys = [c.key for c in sorted(revision.choices, key=lambda c: (c.position, c.id))]
            assert sorted(item.choice_order) == sorted(keys)
            if revision.type == "true_false":
                assert item.choice_order == keys, "True before False"
            topics[question.topic_id] = topics.get(question.topic_id, 0) + 1
        assert sorted(topics.values()) == [2, 2, 2, 2, 2, 2]


def store(db, attempt, position, keys):
    target = attempts.answer_target(db, attempt.token, position)
    return attempts.store_answer(db, target, keys)


def right_keys(db, attempt, position) -> list[str]:
    return sorted(attempts.answer_target(db, attempt.token, position).correct_keys)


def test_an_answer_is_three_writes_and_stored_once(app):
    with app.app_context():
        db = get_session()
        attempt = attempts.start_attempt(db, locale="vi", count=12, rng=random.Random(3))
        statements = Statements(get_engine(app))
        assert store(db, attempt, 1, right_keys(db, attempt, 1)) is True
        verbs = [verb for verb, _n in statements.writes()]
        assert verbs == ["INSERT", "INSERT", "UPDATE"]
        assert store(db, attempt, 1, right_keys(db, attempt, 1)) is False, "a double tap"
        answer = db.scalar(select(Answer))
        assert answer.correct is True
        assert db.scalar(select(func.count()).select_from(AnswerChoice)) == len(
            right_keys(db, attempt, 1)
        )


def test_a_forged_answer_stores_nothing(app):
    with app.app_context():
        db = get_session()
        attempt = attempts.start_attempt(db, locale="vi", count=4, rng=random.Random(5))
        for keys in ([], ["no-such-key"]):
            with pytest.raises(InvalidAnswer):
                store(db, attempt, 1, keys)
        assert db.scalar(select(func.count(Answer.id))) == 0
        assert attempts.answer_target(db, attempt.token, 99) is None


def test_the_last_answer_and_only_the_last_finishes_the_attempt(app):
    with app.app_context():
        db = get_session()
        attempt = attempts.start_attempt(db, locale="vi", count=4, rng=random.Random(9))
        for position in range(1, 5):
            db.expire_all()
            assert db.get(Attempt, attempt.id).finished_at is None
            store(db, attempt, position, right_keys(db, attempt, position))
        db.expire_all()
        assert db.get(Attempt, attempt.id).finished_at is not None
        assert db.scalar(select(func.count(Answer.id))) == 4


def test_a_pooled_connection_is_pinged_only_after_sitting_idle(tmp_path, monkeypatch):
    import sqlite3

    from sqlalchemy import create_engine, text

    from tipquiz.db import ping_when_idle

    engine = create_engine(f"sqlite:///{tmp_path / 'ping.sqlite'}", pool_size=1)
    ping_when_idle(engine, idle_seconds=30)
    pings: list[object] = []
    dead = {"now": False}

    def do_ping(connection):
        pings.append(connection)
        if dead["now"]:
            raise sqlite3.OperationalError("server closed the connection unexpectedly")
        return True

    monkeypatch.setattr(engine.dialect, "do_ping", do_ping)
    for _ in range(3):
        with engine.connect() as conn:
            assert conn.execute(text("select 1")).scalar() == 1
    assert pings == [], "a connection used a moment ago is not pinged"

    def age_pool(seconds: float) -> None:
        for record in list(engine.pool._pool.queue):
            record.info["returned_at"] -= seconds

    age_pool(60)
    with engine.connect() as conn:
        first = conn.connection.dbapi_connection
        assert conn.execute(text("select 1")).scalar() == 1
    assert len(pings) == 1, "one idle for a minute is"

    age_pool(60)
    dead["now"] = True
    with engine.connect() as conn:
        dead["now"] = False
        assert conn.execute(text("select 1")).scalar() == 1
        assert conn.connection.dbapi_connection is not first, "a dead one is replaced"
    engine.dispose()
