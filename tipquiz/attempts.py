"""Storing attempts and answers, the part of a quiz that must never lose or double-count.

An answer is written once: the unique constraint on ``answers.item_id`` turns a double tap, a
reload that resends the form, or two tabs racing each other into a no-op that returns the
answer already stored.
"""

from __future__ import annotations

import random
import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from .live import shared_choice_order
from .models import (
    Answer,
    AnswerChoice,
    Attempt,
    AttemptQuestion,
    Question,
    QuestionRevision,
    Topic,
    Workshop,
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


def current_revisions(session: Session, question_ids: list[int]) -> dict[int, QuestionRevision]:
    rows = session.scalars(
        select(QuestionRevision)
        .join(Question, Question.id == QuestionRevision.question_id)
        .where(
            Question.id.in_(question_ids),
            QuestionRevision.number == Question.revision_number,
        )
        .options(selectinload(QuestionRevision.choices))
    )
    return {r.question_id: r for r in rows}


def start_attempt(
    session: Session,
    *,
    locale: str,
    count: int,
    rng: random.Random | None = None,
    workshop: Workshop | None = None,
) -> Attempt:
    """Create an attempt with its questions and choice orders fixed, so reloads look the same."""
    rng = rng or random.Random(secrets.randbits(64))
    led = workshop is not None and workshop.mode == "led"
    if workshop is not None:
        question_ids = [wq.question_id for wq in workshop.questions]
        if not led:
            rng.shuffle(question_ids)
    else:
        question_ids = build_quiz(published_pool(session), count, rng)
    revisions = current_revisions(session, question_ids)
    attempt = Attempt(
        token=new_token(),
        locale=locale,
        question_count=len(question_ids),
        workshop_id=workshop.id if workshop else None,
        round=workshop.current_round if workshop else None,
    )
    for position, question_id in enumerate(question_ids, start=1):
        revision = revisions[question_id]
        keys = [c.key for c in revision.choices]
        if led:
            # A led room talks about "answer B": every phone shows the workshop's order.
            order = shared_choice_order(workshop.id, question_id, revision.type, keys)
        else:
            order = choice_order(revision.type, keys, rng)
        attempt.items.append(
            AttemptQuestion(position=position, revision_id=revision.id, choice_order=order)
        )
    session.add(attempt)
    session.commit()
    return attempt


def find_attempt(session: Session, token: str | None) -> Attempt | None:
    if not token:
        return None
    return session.scalar(select(Attempt).where(Attempt.token == token))


def attempt_item(session: Session, attempt: Attempt, position: int) -> AttemptQuestion | None:
    """One question of an attempt with everything its page shows, in four queries."""
    revision = joinedload(AttemptQuestion.revision)
    question = revision.joinedload(QuestionRevision.question)
    return session.scalar(
        select(AttemptQuestion)
        .where(AttemptQuestion.attempt_id == attempt.id, AttemptQuestion.position == position)
        .options(
            revision.selectinload(QuestionRevision.choices),
            question.joinedload(Question.topic),
            question.selectinload(Question.sources),
            joinedload(AttemptQuestion.answer).selectinload(Answer.choices),
        )
    )


def next_position(session: Session, attempt: Attempt) -> int | None:
    """The first question not yet answered, or None when the attempt is complete."""
    return session.scalar(
        select(func.min(AttemptQuestion.position))
        .outerjoin(Answer, Answer.item_id == AttemptQuestion.id)
        .where(AttemptQuestion.attempt_id == attempt.id, Answer.id.is_(None))
    )


def answered_count(session: Session, attempt: Attempt) -> int:
    return session.scalar(select(func.count(Answer.id)).where(Answer.attempt_id == attempt.id)) or 0


def record_answer(session: Session, item: AttemptQuestion, chosen: list[str]) -> Answer:
    """Grade and store an answer once. A second submission returns the first answer unchanged.

    Raises ``quiz.InvalidAnswer`` for an empty or forged choice; nothing is stored then.
    """
    if item.answer is not None:
        return item.answer
    revision = item.revision
    grade = grade_answer(
        revision.type, revision.correct_keys, [c.key for c in revision.choices], chosen
    )
    chosen_ids = [c.id for c in revision.choices if c.key in set(chosen)]
    answer = Answer(
        item_id=item.id,
        attempt_id=item.attempt_id,
        revision_id=revision.id,
        correct=grade.correct,
    )
    try:
        session.add(answer)
        session.flush()
        session.add_all(AnswerChoice(answer_id=answer.id, choice_id=cid) for cid in chosen_ids)
        # Locked before counting: of two last answers arriving at once, the second waits for
        # the first to commit and then counts both (FOR NO KEY UPDATE does not conflict with
        # the key-share locks the answers' foreign keys take, so it cannot deadlock on them).
        attempt = session.get(Attempt, item.attempt_id, with_for_update={"key_share": True})
        if attempt is not None and attempt.finished_at is None:
            done = answered_count(session, attempt)
            if done >= attempt.question_count:
                attempt.finished_at = utcnow()
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = session.scalar(select(Answer).where(Answer.item_id == item.id))
        if existing is None:
            raise
        return existing
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
