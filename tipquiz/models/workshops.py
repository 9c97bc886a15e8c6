"""Workshops: a facilitator's session with a join code and a fixed set of questions.

The question set is fixed when the workshop is created so that its "before" and "after"
rounds ask exactly the same questions and can be compared.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..vocabulary import LOCALES, MODES, PHASES, ROUNDS
from .accounts import User
from .base import Base, one_of, utcnow
from .content import Question


class Workshop(Base):
    __tablename__ = "workshops"
    __table_args__ = (
        one_of("current_round", ROUNDS),
        one_of("locale", LOCALES),
        one_of("mode", MODES),
        one_of("phase", PHASES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(5))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    topic_keys: Mapped[list[str]]
    question_count: Mapped[int]
    current_round: Mapped[str] = mapped_column(String(10), default="before")
    is_open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When it was last closed: its code stops answering some time after (``workshops``).
    closed_at: Mapped[datetime | None]
    # Facilitator-led rooms: the state every phone and projector follows. It lives here, not in
    # a process's memory, so that any server answers alike; ``live_version`` changes with every
    # transition, which makes each one a compare-and-set (see ``tipquiz.live``).
    mode: Mapped[str] = mapped_column(String(12), default="self_paced", server_default="self_paced")
    phase: Mapped[str] = mapped_column(String(10), default="lobby", server_default="lobby")
    live_position: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    opened_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    time_limit: Mapped[int | None]
    live_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    owner: Mapped[User] = relationship()
    questions: Mapped[list[WorkshopQuestion]] = relationship(
        order_by="WorkshopQuestion.position", cascade="all, delete-orphan"
    )


class WorkshopQuestion(Base):
    __tablename__ = "workshop_questions"
    __table_args__ = (UniqueConstraint("workshop_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    position: Mapped[int]
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))

    question: Mapped[Question] = relationship()
