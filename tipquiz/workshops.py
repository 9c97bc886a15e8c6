"""Workshops as a facilitator runs them: a join code, a fixed question set, two rounds.

The questions are drawn once, when the workshop is created, so that everyone in it answers the
same ones and the "before" and "after" rounds can be compared question by question.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .attempts import published_pool
from .live import back_to_lobby
from .models import ROUNDS, Attempt, User, Workshop, WorkshopQuestion, utcnow
from .quiz import build_quiz

# No look-alikes: no I/1/L, no O/0. Codes are read aloud, projected and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
CODE_TRIES = 10
MIN_QUESTIONS = 4
MAX_QUESTIONS = 30
# A closed workshop's code answers "closed" this long, then "no such workshop", so that codes
# of old workshops cannot be found by guessing.
CODE_KEPT_AFTER_CLOSING = timedelta(days=30)


class NotEnoughQuestions(ValueError):
    """The chosen topics hold fewer published questions than the workshop asks for."""

    def __init__(self, available: int) -> None:
        super().__init__(f"only {available} published questions")
        self.available = available


class NoFreeCode(RuntimeError):
    """Every code tried was taken; with 31⁶ codes this means something else is wrong."""


def new_code(choose: Callable[[str], str] = secrets.choice) -> str:
    return "".join(choose(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_taken(session: Session, code: str) -> bool:
    return session.scalar(select(Workshop.id).where(Workshop.code == code)) is not None


def available_questions(session: Session, topic_keys: list[str]) -> int:
    """How many published questions the topics hold: the most a workshop on them can ask."""
    return sum(len(ids) for ids in published_pool(session, topic_keys).values())


def create_workshop(
    session: Session,
    *,
    owner: User,
    title: str,
    locale: str,
    topic_keys: list[str],
    question_count: int,
    mode: str = "self_paced",
    time_limit: int | None = None,
    rng: random.Random | None = None,
    choose: Callable[[str], str] = secrets.choice,
) -> Workshop:
    """Create an open workshop in its "before" round, with its questions drawn and a free code.

    A code that another workshop took in the meantime makes the insert fail on the unique
    constraint; the workshop is then saved again with a fresh code.
    """
    rng = rng or random.Random(secrets.randbits(64))
    pool = published_pool(session, topic_keys)
    available = sum(len(ids) for ids in pool.values())
    if not topic_keys or available < question_count:
        raise NotEnoughQuestions(available)
    question_ids = build_quiz(pool, question_count, rng)
    for _ in range(CODE_TRIES):
        code = new_code(choose)
        if code_taken(session, code):
            continue
        workshop = Workshop(
            code=code,
            title=title.strip(),
            locale=locale,
            owner_id=owner.id,
            topic_keys=[key for key in pool if key in topic_keys],
            question_count=len(question_ids),
            current_round=ROUNDS[0],
            is_open=True,
            mode=mode,
            time_limit=time_limit,
            questions=[
                WorkshopQuestion(position=position, question_id=question_id)
                for position, question_id in enumerate(question_ids, start=1)
            ],
        )
        session.add(workshop)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            continue
        return workshop
    raise NoFreeCode


def close_workshop(session: Session, workshop: Workshop) -> None:
    """A closed workshop takes no new participants and no new answers; its results stay."""
    workshop.is_open = False
    workshop.closed_at = utcnow()
    session.commit()


def reopen_workshop(session: Session, workshop: Workshop) -> None:
    workshop.is_open = True
    workshop.closed_at = None
    session.commit()


def code_expired(workshop: Workshop, now: datetime | None = None) -> bool:
    """Whether the workshop has been closed long enough for its code to stop answering."""
    if workshop.is_open or workshop.closed_at is None:
        return False
    return (now or utcnow()) - workshop.closed_at > CODE_KEPT_AFTER_CLOSING


def start_after_round(session: Session, workshop: Workshop) -> bool:
    """Switch to the "after" round and open the workshop; False if it was already running.

    Whoever joins from now on answers the same questions again as part of the "after" round.
    Attempts already started keep the round they began in, so neither round is mixed up.
    """
    if workshop.current_round == ROUNDS[-1]:
        return False
    workshop.current_round = ROUNDS[-1]
    workshop.is_open = True
    workshop.closed_at = None
    if workshop.mode == "led":
        back_to_lobby(workshop)
    session.commit()
    session.refresh(workshop)
    return True


def visible_workshops(session: Session, user: User) -> list[Workshop]:
    """Newest first: a facilitator's own workshops; every workshop for an admin."""
    query = select(Workshop).order_by(Workshop.created_at.desc(), Workshop.id.desc())
    if not user.is_admin:
        query = query.where(Workshop.owner_id == user.id)
    return list(session.scalars(query))


def find_visible_workshop(session: Session, user: User, workshop_id: int) -> Workshop | None:
    """The workshop if this user may see it; None for someone else's, exactly as if missing."""
    workshop = session.get(Workshop, workshop_id)
    if workshop is None or not (user.is_admin or workshop.owner_id == user.id):
        return None
    return workshop


def after_round_open(workshop: Workshop | None, attempt: Attempt) -> bool:
    """True when this phone finished the "before" round and the "after" round now takes people."""
    return (
        workshop is not None
        and workshop.is_open
        and attempt.round == ROUNDS[0]
        and workshop.current_round == ROUNDS[-1]
    )
