"""What uses what: citations of a source, counts per topic and source, each revision's answers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from ..models import (
    Answer,
    AnswerChoice,
    Choice,
    Fact,
    Question,
    QuestionRevision,
    Source,
    Topic,
    question_sources,
)


@dataclass(frozen=True)
class Citations:
    questions: list[str]
    topics: list[str]

    def __bool__(self) -> bool:
        return bool(self.questions or self.topics)


def source_citations(session: Session, key: str) -> Citations:
    """Which questions and which topics' key facts cite a source: it cannot go while any do."""
    questions = session.scalars(
        select(Question.key).join(Question.sources).where(Source.key == key).order_by(Question.key)
    ).all()
    topics = session.scalars(
        select(Topic.key)
        .join(Fact, Fact.topic_id == Topic.id)
        .join(Source, Source.id == Fact.source_id)
        .where(Source.key == key)
        .group_by(Topic.key, Topic.position)
        .order_by(Topic.position)
    ).all()
    return Citations(list(questions), list(topics))


def citation_counts(session: Session) -> dict[int, int]:
    """How many questions cite each source, by source id."""
    rows = session.execute(
        select(question_sources.c.source_id, func.count()).group_by(question_sources.c.source_id)
    )
    return dict(rows.all())


def topic_question_counts(session: Session) -> dict[int, dict[str, int]]:
    """Questions per topic and status: {topic id: {status: count}}."""
    counts: dict[int, dict[str, int]] = {}
    rows = session.execute(
        select(Question.topic_id, Question.status, func.count(Question.id)).group_by(
            Question.topic_id, Question.status
        )
    )
    for topic_id, status, count in rows:
        counts.setdefault(topic_id, {})[status] = count
    return counts


def answer_counts(session: Session) -> dict[int, int]:
    """Answers stored per question, over all its revisions, by question id."""
    rows = session.execute(
        select(QuestionRevision.question_id, func.count(Answer.id))
        .join(Answer, Answer.revision_id == QuestionRevision.id)
        .group_by(QuestionRevision.question_id)
    )
    return dict(rows.all())


@dataclass(frozen=True)
class RevisionStats:
    revision: QuestionRevision
    answers: int
    correct: int
    picks: dict[int, int]


def revision_statistics(session: Session, question: Question) -> list[RevisionStats]:
    """Per revision: answers, how many were right, and how often each choice was picked.

    Each answer stays with the revision it was graded against, so an edit that changed the
    right answer does not move old picks onto new choices.
    """
    totals = {
        revision_id: (count, int(right or 0))
        for revision_id, count, right in session.execute(
            select(
                Answer.revision_id,
                func.count(Answer.id),
                func.sum(case((Answer.correct.is_(True), 1), else_=0)),
            )
            .join(QuestionRevision, QuestionRevision.id == Answer.revision_id)
            .where(QuestionRevision.question_id == question.id)
            .group_by(Answer.revision_id)
        )
    }
    picks = dict(
        session.execute(
            select(AnswerChoice.choice_id, func.count())
            .join(Choice, Choice.id == AnswerChoice.choice_id)
            .join(QuestionRevision, QuestionRevision.id == Choice.revision_id)
            .where(QuestionRevision.question_id == question.id)
            .group_by(AnswerChoice.choice_id)
        ).all()
    )
    revisions = session.scalars(
        select(QuestionRevision)
        .where(QuestionRevision.question_id == question.id)
        .order_by(QuestionRevision.number.desc())
        .options(selectinload(QuestionRevision.choices))
    )
    return [
        RevisionStats(
            revision,
            *totals.get(revision.id, (0, 0)),
            {c.id: picks.get(c.id, 0) for c in revision.choices},
        )
        for revision in revisions
    ]
