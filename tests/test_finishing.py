"""The last two answers of an attempt arriving at the same moment still finish it.

Each answer runs in its own thread on its own database connection. The two transactions are
held at the same point (both answers inserted, neither has looked at the attempt yet), which
is where PostgreSQL's snapshots used to leave each one counting 11 of 12.
"""

from __future__ import annotations

import threading

import pytest
from conftest import BACKENDS
from sqlalchemy import event, func, select

from tipquiz.attempts import record_answer, start_attempt
from tipquiz.db import get_engine, get_session
from tipquiz.models import Answer, Attempt, AttemptQuestion

ROUNDS = 6
POSTGRES = [b for b in BACKENDS if b == "postgresql"]


def items_of(session, attempt_id: int) -> list[AttemptQuestion]:
    return list(
        session.scalars(
            select(AttemptQuestion)
            .where(AttemptQuestion.attempt_id == attempt_id)
            .order_by(AttemptQuestion.position)
        )
    )


def answer_in_own_session(app, item_id: int, errors: list, racing: threading.local) -> None:
    racing.on = True
    try:
        with app.app_context():
            session = get_session()
            item = session.get(AttemptQuestion, item_id)
            choice = item.revision.choices[0].key
            record_answer(session, item, [choice])
    except Exception as exc:  # reported by the test, not lost in the thread
        errors.append(exc)


@pytest.mark.parametrize("backend", POSTGRES, indirect=True)
def test_two_last_answers_at_once_finish_the_attempt(app):
    with app.app_context():
        session = get_session()
        attempt_ids = [start_attempt(session, locale="en", count=4).id for _ in range(ROUNDS)]
        for attempt_id in attempt_ids:
            for item in items_of(session, attempt_id)[:-2]:
                record_answer(session, item, [item.revision.choices[0].key])
        last_two = {a: [i.id for i in items_of(session, a)[-2:]] for a in attempt_ids}

    barrier = threading.Barrier(2)
    racing = threading.local()

    def hold_both_before_the_attempt_is_read(_conn, _cursor, statement, *_args) -> None:
        if getattr(racing, "on", False) and statement.lstrip().startswith("SELECT attempts."):
            barrier.wait(timeout=10)

    engine = get_engine(app)
    event.listen(engine, "before_cursor_execute", hold_both_before_the_attempt_is_read)
    errors: list[Exception] = []
    try:
        for attempt_id in attempt_ids:
            barrier.reset()
            threads = [
                threading.Thread(target=answer_in_own_session, args=(app, i, errors, racing))
                for i in last_two[attempt_id]
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            assert not any(t.is_alive() for t in threads)
    finally:
        event.remove(engine, "before_cursor_execute", hold_both_before_the_attempt_is_read)
    assert errors == []

    with app.app_context():
        session = get_session()
        rows = session.execute(
            select(Attempt.id, Attempt.question_count, Attempt.finished_at).where(
                Attempt.id.in_(attempt_ids)
            )
        ).all()
        answered = dict(
            session.execute(
                select(Answer.attempt_id, func.count(Answer.id)).group_by(Answer.attempt_id)
            ).all()
        )
    assert all(answered[a] == count for a, count, _ in rows)
    unfinished = [a for a, _, finished in rows if finished is None]
    assert unfinished == [], f"{len(unfinished)} of {ROUNDS} complete attempts left unfinished"
