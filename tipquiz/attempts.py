"""Storing attempts and answers, the part of a quiz that must never lose or double-count.

An answer is written once: the unique constraint on ``answers.item_id`` turns a double tap, a
reload that resends the form, or two tabs racing each other into a no-op that returns the
answer already stored.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from .live import shared_choice_order
from .models import (
    Answer,
    AnswerChoice,
    Attempt,
    AttemptQuestion,
    Choice,
    Question,
    QuestionRevision,
    Topic,
    Workshop,
    WorkshopQuestion,
    utcnow,
)
from .quiz import build_quiz, choice_order, grade_answer


def new_token() -> str:
    return secrets.token_urlsafe(32)


def published_pool(session: Session, topic_keys: list[str] | None = None) -> dict[str, list[int]]:
    """Published question ids by topic key; drafts and archived questions are never drawn."""
    query = (
        select(Topic.key, Question.id)
        .join(Question.topic)
        .where(Question.status == "published")
        .order_by(Topic.position, Question.position)
    )
    if topic_keys:
        query = query.where(Topic.key.in_(topic_keys))
    pool: dict[str, list[int]] = {}
    for topic_key, question_id in session.execute(query):
        pool.setdefault(topic_key, []).append(question_id)
    return pool


@dataclass(frozen=True)
class RevisionChoices:
    """What building an attempt needs of a question: its current revision, type, choice keys."""

    revision_id: int
    kind: str
    keys: list[str]


REVISION_CHOICES = (
    select(Question.id, QuestionRevision.id, QuestionRevision.type, Choice.key)
    .join(QuestionRevision, QuestionRevision.question_id == Question.id)
    .join(Choice, Choice.revision_id == QuestionRevision.id)
    .where(
        Question.id.in_(bindparam("ids", expanding=True)),
        QuestionRevision.number == Question.revision_number,
    )
    .order_by(Question.id, Choice.position, Choice.id)
)
WORKSHOP_QUESTION_IDS = (
    select(WorkshopQuestion.question_id)
    .where(WorkshopQuestion.workshop_id == bindparam("workshop"))
    .order_by(WorkshopQuestion.position)
)


def revision_choices(session: Session, question_ids: list[int]) -> dict[int, RevisionChoices]:
    """The current revision of each question and its choice keys, in one query of four columns.

    A join happens for every participant at once when a room arrives, so no ORM objects are
    built here.
    """
    rows = session.connection().execute(REVISION_CHOICES, {"ids": question_ids})
    found: dict[int, RevisionChoices] = {}
    for question_id, revision_id, kind, key in rows:
        found.setdefault(question_id, RevisionChoices(revision_id, kind, [])).keys.append(key)
    return found


def workshop_question_ids(session: Session, workshop: Workshop) -> list[int]:
    rows = session.connection().execute(WORKSHOP_QUESTION_IDS, {"workshop": workshop.id})
    return list(rows.scalars())


def start_attempt(
    session: Session,
    *,
    locale: str,
    count: int,
    rng: random.Random | None = None,
    workshop: Workshop | None = None,
) -> Attempt:
    """Create an attempt with its questions and choice orders fixed, so reloads look the same.

    Everything is read and decided first; the writing is then three statements (the attempt,
    its questions in one ``executemany``, the commit), so that on SQLite the write lock is held
    for as short a time as possible while a whole room joins at once.
    """
    rng = rng or random.Random(secrets.randbits(64))
    led = workshop is not None and workshop.mode == "led"
    if workshop is not None:
        question_ids = workshop_question_ids(session, workshop)
        if not led:
            rng.shuffle(question_ids)
    else:
        question_ids = build_quiz(published_pool(session), count, rng)
    revisions = revision_choices(session, question_ids)
    rows = [
        {
            "position": position,
            "revision_id": revisions[question_id].revision_id,
            # A led room talks about "answer B": every phone shows the workshop's order.
            "choice_order": shared_choice_order(
                workshop.id, question_id, revisions[question_id].kind, revisions[question_id].keys
            )
            if led
            else choice_order(revisions[question_id].kind, revisions[question_id].keys, rng),
        }
        for position, question_id in enumerate(question_ids, start=1)
    ]
    attempt = Attempt(
        token=new_token(),
        locale=locale,
        question_count=len(question_ids),
        workshop_id=workshop.id if workshop else None,
        round=workshop.current_round if workshop else None,
    )
    session.add(attempt)
    session.flush()
    if rows:
        for row in rows:
            row["attempt_id"] = attempt.id
        session.connection().execute(insert(AttemptQuestion.__table__), rows)
    session.commit()
    session.expire(attempt, ["items"])
    return attempt


# Statements every quiz page runs, built once: SQLAlchemy then computes their cache key once
# instead of on every request, which cost more than running them.
FIND_ATTEMPT = select(Attempt).where(Attempt.token == bindparam("token"))
_REVISION = joinedload(AttemptQuestion.revision)
_QUESTION = _REVISION.joinedload(QuestionRevision.question)
ATTEMPT_ITEM = (
    select(AttemptQuestion)
    .where(
        AttemptQuestion.attempt_id == bindparam("attempt"),
        AttemptQuestion.position == bindparam("position"),
    )
    .options(
        _REVISION.selectinload(QuestionRevision.choices),
        _QUESTION.joinedload(Question.topic),
        _QUESTION.selectinload(Question.sources),
        joinedload(AttemptQuestion.answer).selectinload(Answer.choices),
    )
)
NEXT_POSITION = (
    select(func.min(AttemptQuestion.position))
    .outerjoin(Answer, Answer.item_id == AttemptQuestion.id)
    .where(AttemptQuestion.attempt_id == bindparam("attempt"), Answer.id.is_(None))
)
ANSWERED_COUNT = select(func.count(Answer.id)).where(Answer.attempt_id == bindparam("attempt"))


def find_attempt(session: Session, token: str | None) -> Attempt | None:
    if not token:
        return None
    return session.scalar(FIND_ATTEMPT, {"token": token})


def attempt_item(session: Session, attempt: Attempt, position: int) -> AttemptQuestion | None:
    """One question of an attempt with everything its page shows, in four queries."""
    return session.scalar(ATTEMPT_ITEM, {"attempt": attempt.id, "position": position})


def next_position(session: Session, attempt: Attempt) -> int | None:
    """The first question not yet answered, or None when the attempt is complete."""
    return session.scalar(NEXT_POSITION, {"attempt": attempt.id})


def answered_count(session: Session, attempt: Attempt) -> int:
    return session.scalar(ANSWERED_COUNT, {"attempt": attempt.id}) or 0


@dataclass(frozen=True)
class AnswerTarget:
    """What storing an answer needs to know of a question of an attempt, and nothing more."""

    item_id: int
    attempt_id: int
    revision_id: int
    kind: str
    choice_ids: dict[str, int]
    correct_keys: frozenset[str]
    answer_id: int | None
    workshop_closed: bool = False
    # A facilitator-led room: its answers go through the room's page (``follow``), never here.
    led: bool = False


# The statements of the answer path, built once: a room of phones sends them hundreds of times
# a second, and building and fingerprinting a statement costs more than SQLite running it.
_ANSWERS, _ATTEMPTS = Answer.__table__, Attempt.__table__
ANSWER_TARGET = (
    select(
        AttemptQuestion.attempt_id,
        Workshop.is_open,
        Workshop.mode,
        AttemptQuestion.id.label("item_id"),
        AttemptQuestion.revision_id,
        QuestionRevision.type,
        Choice.id.label("choice_id"),
        Choice.key,
        Choice.correct,
        Answer.id.label("answer_id"),
    )
    .select_from(Attempt)
    .join(AttemptQuestion, AttemptQuestion.attempt_id == Attempt.id)
    .outerjoin(Workshop, Workshop.id == Attempt.workshop_id)
    .join(QuestionRevision, QuestionRevision.id == AttemptQuestion.revision_id)
    .join(Choice, Choice.revision_id == QuestionRevision.id)
    .outerjoin(Answer, Answer.item_id == AttemptQuestion.id)
    .where(Attempt.token == bindparam("token"), AttemptQuestion.position == bindparam("position"))
)
INSERT_ANSWER = insert(_ANSWERS).returning(_ANSWERS.c.id)
INSERT_ANSWER_CHOICES = insert(AnswerChoice.__table__)
# Locked before counting: of two last answers arriving at once, the second waits for the first
# to commit and then counts both. FOR NO KEY UPDATE does not conflict with the key-share locks
# the answers' foreign keys take, so it cannot deadlock on them; SQLite has one writer anyway.
LOCK_ATTEMPT = (
    select(_ATTEMPTS.c.id)
    .where(_ATTEMPTS.c.id == bindparam("attempt"))
    .with_for_update(key_share=True)
)
FINISH_ATTEMPT = (
    update(_ATTEMPTS)
    .where(
        _ATTEMPTS.c.id == bindparam("attempt"),
        _ATTEMPTS.c.finished_at.is_(None),
        select(func.count(_ANSWERS.c.id))
        .where(_ANSWERS.c.attempt_id == bindparam("attempt"))
        .scalar_subquery()
        >= _ATTEMPTS.c.question_count,
    )
    .values(finished_at=bindparam("now"))
)


def answer_target(session: Session, token: str | None, position: int) -> AnswerTarget | None:
    """The question at ``position`` of the attempt with this token, to grade and store.

    One query of a few columns, from the token in the participant's cookie to the choices,
    the answer already stored if any, and whether the attempt's workshop is closed.
    """
    if not token:
        return None
    # Core, not the ORM: no objects to build, nothing to track.
    rows = session.connection().execute(ANSWER_TARGET, {"token": token, "position": position}).all()
    if not rows:
        return None
    first = rows[0]
    return AnswerTarget(
        item_id=first.item_id,
        attempt_id=first.attempt_id,
        workshop_closed=first.is_open is False,
        led=first.mode == "led",
        revision_id=first.revision_id,
        kind=first.type,
        choice_ids={row.key: row.choice_id for row in rows},
        correct_keys=frozenset(row.key for row in rows if row.correct),
        answer_id=first.answer_id,
    )


def store_answer(session: Session, target: AnswerTarget, chosen: list[str]) -> bool:
    """Grade and store an answer once; True when it was stored now, False when it already was.

    Raises ``quiz.InvalidAnswer`` for an empty or forged choice; nothing is stored then. The
    grading happens before anything is written, and the write is three statements and a
    commit with no Python work between them: the answer, its choices in one ``executemany``,
    and marking the attempt finished when this was its last answer.
    """
    if target.answer_id is not None:
        return False
    grade = grade_answer(target.kind, target.correct_keys, target.choice_ids, chosen)
    picked = [{"choice_id": target.choice_ids[key]} for key in sorted(set(chosen))]
    answer = {
        "item_id": target.item_id,
        "attempt_id": target.attempt_id,
        "revision_id": target.revision_id,
        "correct": grade.correct,
        "answered_at": utcnow(),
    }
    try:
        conn = session.connection()
        answer_id = conn.execute(INSERT_ANSWER, answer).scalar_one()
        for row in picked:
            row["answer_id"] = answer_id
        if picked:
            conn.execute(INSERT_ANSWER_CHOICES, picked)
        conn.execute(LOCK_ATTEMPT, {"attempt": target.attempt_id})
        conn.execute(FINISH_ATTEMPT, {"attempt": target.attempt_id, "now": utcnow()})
        session.commit()
    except IntegrityError:
        session.rollback()
        if session.scalar(select(Answer.id).where(Answer.item_id == target.item_id)) is None:
            raise
        return False
    return True


def record_answer(session: Session, item: AttemptQuestion, chosen: list[str]) -> Answer:
    """Grade and store an answer once. A second submission returns the first answer unchanged.

    Raises ``quiz.InvalidAnswer`` for an empty or forged choice; nothing is stored then.
    """
    if item.answer is not None:
        return item.answer
    target = answer_target(session, item.attempt.token, item.position)
    if target is None:
        raise LookupError(f"no question {item.position} in attempt {item.attempt_id}")
    store_answer(session, target, chosen)
    answer = session.scalar(
        select(Answer).where(Answer.item_id == item.id).execution_options(populate_existing=True)
    )
    session.expire(item, ["answer"])
    attempt = session.get(Attempt, item.attempt_id)
    if attempt is not None:
        session.refresh(attempt, ["finished_at"])
    return answer


def attempt_results(session: Session, attempt: Attempt) -> list[tuple[str, bool]]:
    """(topic key, correct) for every answer of the attempt, in question order."""
    rows = session.execute(
        select(Topic.key, Answer.correct)
        .select_from(Answer)
        .join(AttemptQuestion, AttemptQuestion.id == Answer.item_id)
        .join(QuestionRevision, QuestionRevision.id == Answer.revision_id)
        .join(Question, Question.id == QuestionRevision.question_id)
        .join(Topic, Topic.id == Question.topic_id)
        .where(Answer.attempt_id == attempt.id)
        .order_by(AttemptQuestion.position)
    )
    return [(key, bool(correct)) for key, correct in rows]
