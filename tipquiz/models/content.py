"""The question bank as stored: sources, topics, questions and their revisions.

A question's wording lives on ``Question`` and may be corrected in place. What decides
correctness (type, choices, which are correct) lives on a ``QuestionRevision``: changing it makes
a new revision, so every stored answer keeps pointing at the exact choices it was graded against.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint, and_
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from ..vocabulary import QUESTION_TYPES, STATUSES
from .base import Base, Text, one_of, utcnow

question_sources = Table(
    "question_sources",
    Base.metadata,
    Column("question_id", ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
    Column("source_id", ForeignKey("sources.id", ondelete="RESTRICT"), primary_key=True),
)


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(400))
    # The language the title is written in (BCP 47), so pages can mark it with lang="…".
    language: Mapped[str] = mapped_column(String(12), default="en", server_default="en")
    publisher: Mapped[str] = mapped_column(String(200))
    date: Mapped[str | None] = mapped_column(String(10))
    url: Mapped[str] = mapped_column(String(1000))
    notes: Mapped[list[Any]] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(default=0)


class Topic(Base):
    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[Text]
    summary: Mapped[Text]
    # [{"en", "vi"}, ...]
    actions: Mapped[list[Any]] = mapped_column(default=list)
    # {"low": {"en", "vi"}, "mid": {...}, "high": {...}}
    feedback: Mapped[dict[str, Any]]

    questions: Mapped[list[Question]] = relationship(
        back_populates="topic", order_by="Question.position"
    )
    facts: Mapped[list[Fact]] = relationship(order_by="Fact.position", cascade="all, delete-orphan")


class Fact(Base):
    """A key fact of a topic's learn page, with the source it comes from.

    A table of its own, not a list inside the topic, so that the database answers "which facts
    cite this source" and refuses to delete a source a fact still cites.
    """

    __tablename__ = "facts"
    __table_args__ = (UniqueConstraint("topic_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    position: Mapped[int]
    text: Mapped[Text]
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"), index=True
    )

    source: Mapped[Source] = relationship()


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (one_of("status", STATUSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default="published", index=True)
    scenario: Mapped[Text | None]
    prompt: Mapped[Text]
    explanation: Mapped[Text]
    revision_number: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    topic: Mapped[Topic] = relationship(back_populates="questions")
    sources: Mapped[list[Source]] = relationship(
        secondary=question_sources, order_by="Source.position"
    )
    revisions: Mapped[list[QuestionRevision]] = relationship(
        back_populates="question",
        order_by="QuestionRevision.number",
        cascade="all, delete-orphan",
    )
    current_revision: Mapped[QuestionRevision] = relationship(
        primaryjoin=lambda: and_(
            Question.id == foreign(QuestionRevision.question_id),
            Question.revision_number == foreign(QuestionRevision.number),
        ),
        viewonly=True,
        uselist=False,
    )


class QuestionRevision(Base):
    __tablename__ = "question_revisions"
    __table_args__ = (UniqueConstraint("question_id", "number"), one_of("type", QUESTION_TYPES))

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    number: Mapped[int]
    type: Mapped[str] = mapped_column(String(12))
    # Message questions only: how the message looks, its parts placing the choices ("phrases")
    # by key; see ``bank.MessageEntry``. Wording, so corrected in place like choice texts.
    message: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    question: Mapped[Question] = relationship(back_populates="revisions")
    choices: Mapped[list[Choice]] = relationship(
        back_populates="revision", order_by="Choice.position", cascade="all, delete-orphan"
    )

    @property
    def correct_keys(self) -> frozenset[str]:
        return frozenset(c.key for c in self.choices if c.correct)


class Choice(Base):
    __tablename__ = "choices"
    __table_args__ = (UniqueConstraint("revision_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("question_revisions.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[Text]
    correct: Mapped[bool] = mapped_column(default=False)
    # Message questions only: why this phrase is (or is not) a red flag.
    why: Mapped[Text | None]

    revision: Mapped[QuestionRevision] = relationship(back_populates="choices")
