"""Facilitator-led rooms: where the room is, and how the facilitator moves it on.

A led workshop is always in one phase: the lobby (phones join and wait), a question (open for
answers), its reveal (answering closed, the room's answers shown), or ended. The state is kept
on the workshop row, so several processes and servers agree on it, and every transition is a
compare-and-set on ``live_version``: an UPDATE that only succeeds when the version is still the
one the facilitator saw. A double click, or a projector and a phone pressing Next at once, then
moves the room one step, never two.

A time limit closes answering without anyone pressing Reveal. Nothing wakes up to do that: the
state is read as "reveal" once ``closes_at`` has passed (``RoomState.effective_phase``), and the
next transition starts from there.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.orm import Session

from .models import Answer, Attempt, AttemptQuestion, Workshop, utcnow

LOBBY, QUESTION, REVEAL, ENDED = "lobby", "question", "reveal", "ended"
SELF_PACED, LED = "self_paced", "led"
ACTIONS = ("start", "reveal", "next", "end")
# Seconds a question may stay open; None is no limit, the default.
TIME_LIMITS = (None, 20, 30, 45, 60, 90, 120)

STATE_COLUMNS = (
    Workshop.id,
    Workshop.phase,
    Workshop.live_position,
    Workshop.question_count,
    Workshop.closes_at,
    Workshop.live_version,
    Workshop.current_round,
)


@dataclass(frozen=True)
class RoomState:
    """One reading of a led workshop's state, as stored."""

    workshop_id: int
    phase: str
    position: int
    question_count: int
    closes_at: datetime | None
    version: int
    round: str

    def effective_phase(self, now: datetime) -> str:
        """The phase as the room lives it: a question whose time ran out is revealed."""
        if self.phase == QUESTION and self.closes_at is not None and now >= self.closes_at:
            return REVEAL
        return self.phase

    def answering_open(self, now: datetime, position: int) -> bool:
        return self.effective_phase(now) == QUESTION and position == self.position

    def tag(self, now: datetime) -> str:
        """Changes whenever what a phone shows changes: the version and the effective phase."""
        return f"{self.version}-{self.effective_phase(now)}"

    def seconds_left(self, now: datetime) -> int | None:
        if self.effective_phase(now) != QUESTION or self.closes_at is None:
            return None
        return max(0, int((self.closes_at - now).total_seconds() + 0.999))

    def next_action(self, now: datetime) -> str | None:
        """The one step that moves the room on from here (the → key and the big button)."""
        return {LOBBY: "start", QUESTION: "reveal", REVEAL: "next"}.get(self.effective_phase(now))

    def allows(self, action: str, now: datetime) -> bool:
        phase = self.effective_phase(now)
        if action == "start":
            return phase == LOBBY
        if action == "reveal":
            return phase == QUESTION
        if action == "next":
            return phase == REVEAL
        if action == "end":
            return phase != ENDED
        return False


def _state(row) -> RoomState:
    return RoomState(
        workshop_id=row.id,
        phase=row.phase,
        position=row.live_position,
        question_count=row.question_count,
        closes_at=row.closes_at,
        version=row.live_version,
        round=row.current_round,
    )


def room_state(session: Session, workshop_id: int) -> RoomState | None:
    row = session.execute(select(*STATE_COLUMNS).where(Workshop.id == workshop_id)).one_or_none()
    return None if row is None else _state(row)


# Built once: the statement every waiting phone's poll runs, so only its parameter changes.
STATE_BY_CODE = select(*STATE_COLUMNS).where(
    Workshop.code == bindparam("code"), Workshop.mode == LED
)


def room_state_by_code(connection: Connection | Session, code: str) -> RoomState | None:
    """One query on the unique index of codes: what every waiting phone asks again and again."""
    row = connection.execute(STATE_BY_CODE, {"code": code}).one_or_none()
    return None if row is None else _state(row)


def _values(state: RoomState, action: str, now: datetime, time_limit: int | None) -> dict:
    """The columns a transition writes; it must be allowed from ``state``."""
    if action == "end" or (action == "next" and state.position >= state.question_count):
        return {"phase": ENDED, "closes_at": None}
    if action in ("start", "next"):
        closes = now + timedelta(seconds=time_limit) if time_limit else None
        return {
            "phase": QUESTION,
            "live_position": state.position + 1,
            "opened_at": now,
            "closes_at": closes,
        }
    # Reveal, pressed or because the time ran out: the question closes now, at the latest.
    closes = min(state.closes_at, now) if state.closes_at else now
    return {"phase": REVEAL, "closes_at": closes}


class Conflict(Exception):
    """The room had already moved on (another click, another device) or cannot take the step."""


def advance(
    session: Session,
    workshop_id: int,
    action: str,
    expected_version: int,
    now: datetime | None = None,
) -> RoomState:
    """Take one step if the room is still at ``expected_version``; raise ``Conflict`` otherwise.

    The UPDATE carries the version in its WHERE clause, so of two requests made from the same
    page only the first changes anything, whichever process serves it.
    """
    now = now or utcnow()
    state = room_state(session, workshop_id)
    if state is None or state.version != expected_version or not state.allows(action, now):
        raise Conflict(action)
    time_limit = session.scalar(select(Workshop.time_limit).where(Workshop.id == workshop_id))
    values = _values(state, action, now, time_limit)
    result = session.execute(
        update(Workshop)
        .where(Workshop.id == workshop_id, Workshop.live_version == expected_version)
        .values(**values, live_version=expected_version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        raise Conflict(action)
    if values["phase"] == ENDED:
        _finish_attempts(session, workshop_id, state.round, now)
    session.commit()
    session.expire_all()
    found = room_state(session, workshop_id)
    assert found is not None
    return found


def _finish_attempts(session: Session, workshop_id: int, round_: str, now: datetime) -> None:
    """At the end every attempt of the round is over, answered in full or not."""
    session.execute(
        update(Attempt)
        .where(
            Attempt.workshop_id == workshop_id,
            Attempt.round == round_,
            Attempt.finished_at.is_(None),
        )
        .values(finished_at=now)
        .execution_options(synchronize_session=False)
    )


def back_to_lobby(workshop: Workshop) -> None:
    """A new round of a led workshop starts in the lobby again (the caller commits)."""
    workshop.phase = LOBBY
    workshop.live_position = 0
    workshop.opened_at = None
    workshop.closes_at = None
    workshop.live_version = Workshop.live_version + 1


def can_change_mode(session: Session, workshop: Workshop) -> bool:
    """Mode and time limit may change until the session starts.

    A self-paced workshop has started once anyone joined (their attempts have their own question
    order); a led one once the facilitator pressed Start.
    """
    if workshop.phase != LOBBY or workshop.live_position or workshop.current_round != "before":
        return False
    if workshop.mode == LED:
        return True
    joined = session.scalar(
        select(func.count(Attempt.id)).where(Attempt.workshop_id == workshop.id)
    )
    return not joined


def change_mode(session: Session, workshop: Workshop, mode: str, time_limit: int | None) -> None:
    if mode not in (SELF_PACED, LED) or time_limit not in TIME_LIMITS:
        raise ValueError("unknown mode or time limit")
    workshop.mode = mode
    workshop.time_limit = time_limit
    workshop.live_version = Workshop.live_version + 1
    session.commit()
    session.refresh(workshop)


def shared_choice_order(
    workshop_id: int, question_id: int, kind: str, keys: list[str]
) -> list[str]:
    """The same choice order on every phone and on the projector, so "B" is the same for all.

    Drawn from a generator seeded by the workshop and question, so it is random across
    workshops yet needs nothing stored.
    """
    if kind == "true_false":
        return list(keys)
    rng = random.Random(f"{workshop_id}:{question_id}")
    return rng.sample(list(keys), len(keys))


def letter(index: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[index]


@dataclass(frozen=True)
class Turnout:
    joined: int
    answered: int


def turnout(session: Session, state: RoomState) -> Turnout:
    """How many phones joined this round, and how many answered the question now shown."""
    joined = session.scalar(
        select(func.count(Attempt.id)).where(
            Attempt.workshop_id == state.workshop_id, Attempt.round == state.round
        )
    )
    answered = 0
    if state.position:
        answered = session.scalar(
            select(func.count(Answer.id))
            .select_from(Answer)
            .join(AttemptQuestion, AttemptQuestion.id == Answer.item_id)
            .join(Attempt, Attempt.id == Answer.attempt_id)
            .where(
                Attempt.workshop_id == state.workshop_id,
                Attempt.round == state.round,
                AttemptQuestion.position == state.position,
            )
        )
    return Turnout(joined or 0, answered or 0)
