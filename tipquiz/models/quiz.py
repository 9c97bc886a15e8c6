"""Attempts and answers: what participants did, with nothing that says who they are.

An attempt is known only by a random token kept in the participant's signed cookie. One answer
per question per attempt is enforced by a unique constraint, so a double tap or a replayed
request can never count twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..vocabulary import LOCALES, ROUNDS
from .base import Base, one_of, utcnow
from .content import Choice, QuestionRevision


class Attempt(Base):
    __tablename__ = "attempts"
    __table_args__ = (
        Index("ix_attempts_workshop_round", "workshop_id", "round"),
        one_of("round", ROUNDS),
        one_of("locale", LOCALES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshops.id"))
    round: Mapped[str | None] = mapped_column(String(10))
    locale: Mapped[str] = mapped_column(String(5))
    question_count: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # Matching a workshop's "after" attempt to the same person's "before" attempt, anonymously:
    # the after attempt points at the before one (see ``tipquiz.pairing``). ``code_hash`` is a
    # keyed hash of a code the participant made up from things they remember, never the code.
    paired_attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("attempts.id", ondelete="SET NULL"), unique=True
    )
    paired_by: Mapped[str | None] = mapped_column(String(8))
    code_hash: Mapped[str | None] = mapped_column(String(64))

    items: Mapped[list[AttemptQuestion]] = relationship(
        back_populates="attempt", order_by="AttemptQuestion.position", cascade="all"
    )


class AttemptQuestion(Base):
    """One question as this attempt shows it, with its choices in the order first shown."""

    __tablename__ = "attempt_questions"
    __table_args__ = (
        UniqueConstraint("attempt_id", "position"),
        # What an answer's composite foreign key points at: see ``Answer``.
        UniqueConstraint("id", "attempt_id", "revision_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    position: Mapped[int]
    revision_id: Mapped[int] = mapped_column(ForeignKey("question_revisions.id"), index=True)
    choice_order: Mapped[list[str]]

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    revision: Mapped[QuestionRevision] = relationship()
    answer: Mapped[Answer | None] = relationship(back_populates="item", uselist=False)


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (
        # An answer copies its item's attempt and revision so that scores are counted from this
        # table's indexes alone; the database keeps the copies equal to the item's values.
        ForeignKeyConstraint(
            ["item_id", "attempt_id", "revision_id"],
            [
                "attempt_questions.id",
                "attempt_questions.attempt_id",
                "attempt_questions.revision_id",
            ],
            ondelete="CASCADE",
        ),
        # Totals over every answer are read from this index alone, without the table.
        Index("ix_answers_revision_correct", "revision_id", "correct"),
        # A workshop's scores and choice counts: found by attempt and read from the index alone
        # (SQLite keeps the row id in every index; PostgreSQL is told to include it).
        Index(
            "ix_answers_attempt_scores",
            "attempt_id",
            "revision_id",
            "correct",
            postgresql_include=["id"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(unique=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    revision_id: Mapped[int] = mapped_column(ForeignKey("question_revisions.id"))
    correct: Mapped[bool]
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[AttemptQuestion] = relationship(back_populates="answer")
    choices: Mapped[list[Choice]] = relationship(secondary="answer_choices")


class AnswerChoice(Base):
    __tablename__ = "answer_choices"

    answer_id: Mapped[int] = mapped_column(
        ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True
    )
    choice_id: Mapped[int] = mapped_column(ForeignKey("choices.id"), primary_key=True, index=True)
