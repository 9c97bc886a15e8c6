"""Item statistics for the people who keep the question bank, as Moodle's quiz statistics give.

For each question revision (what was graded), over every answer stored or over one workshop's:

- **Facility**: the share of answers that were right, in percent.
- **Discrimination**: how well the question separates those who did well on the rest of their
  quiz from those who did not: the correlation, over the attempts that answered it, between
  being right on this question (1 or 0) and the share right on the attempt's *other* answers,
  times 100 (Moodle's discrimination index). Leaving the question out of the rest score keeps
  it from correlating with itself; using shares, not counts, makes quizzes of 12 and of 30
  questions comparable. Only attempts with at least two answers have a rest score.
- **Each choice's share**: the share of answers that picked it ("select all" answers pick
  several, so the shares can add up to more than 100).

Flags, once a revision has ``MIN_ANSWERS`` answers (fewer say little): too easy (more than 90 %
right), too hard (fewer than 20 % right), negative discrimination (those who did worse
elsewhere got it right more often: a key or wording to check), and a wrong choice nobody picked
(a distractor that distracts nobody).

Every count comes from the database with GROUP BY; Python only combines a few sums per revision.
The correlation is computed from five sums per revision, so no answer is read twice in Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Float, Select, case, cast, func, select
from sqlalchemy.orm import Session, selectinload

from .models import Answer, AnswerChoice, Attempt, Question, QuestionRevision, Text

MIN_ANSWERS = 20
TOO_EASY = 90.0
TOO_HARD = 20.0
FLAGS = ("too_easy", "too_hard", "negative_discrimination", "unpicked_choice")
SORT_KEYS = ("question", "topic", "answers", "facility", "discrimination", "flags")


@dataclass(frozen=True)
class ChoiceShare:
    key: str
    text: Text
    correct: bool
    picked: int
    share: float


@dataclass(frozen=True)
class ItemStatistics:
    question_key: str
    prompt: Text
    topic_key: str
    topic_title: Text
    topic_position: int
    question_position: int
    revision: int
    current: bool
    type: str
    answers: int
    correct: int
    discrimination: float | None
    choices: list[ChoiceShare]

    @property
    def facility(self) -> float | None:
        return 100.0 * self.correct / self.answers if self.answers else None

    @property
    def unpicked(self) -> list[ChoiceShare]:
        return [c for c in self.choices if not c.correct and c.picked == 0]

    @property
    def flags(self) -> list[str]:
        """What needs an author's look, in the order of ``FLAGS``; none below MIN_ANSWERS."""
        if self.answers < MIN_ANSWERS or self.facility is None:
            return []
        found = []
        if self.facility > TOO_EASY:
            found.append("too_easy")
        if self.facility < TOO_HARD:
            found.append("too_hard")
        if self.discrimination is not None and self.discrimination < 0:
            found.append("negative_discrimination")
        if self.unpicked:
            found.append("unpicked_choice")
        return found


# Arithmetic ------------------------------------------------------------------------------------


def correlation(n: int, sum_x: float, sum_y: float, sum_yy: float, sum_xy: float) -> float | None:
    """Pearson's r of a 0/1 variable x with y, from sums (x² = x, so Σx² = Σx).

    None when either variable does not vary, or there are fewer than two observations.
    """
    if n < 2:
        return None
    variance_x = n * sum_x - sum_x * sum_x
    variance_y = n * sum_yy - sum_y * sum_y
    if variance_x <= 0 or variance_y <= 1e-12:
        return None
    return (n * sum_xy - sum_x * sum_y) / math.sqrt(variance_x * variance_y)


def sort_items(items: list[ItemStatistics], key: str, descending: bool) -> list[ItemStatistics]:
    """Sorted by one column; items with no value in it (no answers yet) always come last."""
    if key not in SORT_KEYS:
        key = "question"
    values = {
        "question": lambda i: (i.topic_position, i.question_position, i.revision),
        "topic": lambda i: (i.topic_position, i.question_position, i.revision),
        "answers": lambda i: i.answers,
        "facility": lambda i: i.facility,
        "discrimination": lambda i: i.discrimination,
        "flags": lambda i: len(i.flags),
    }[key]
    present = [i for i in items if values(i) is not None]
    missing = [i for i in items if values(i) is None]
    return sorted(present, key=values, reverse=descending) + missing


# Queries ---------------------------------------------------------------------------------------


def _scoped(query: Select, workshop_id: int | None) -> Select:
    """Answers of one workshop's attempts only, when a workshop is given."""
    if workshop_id is None:
        return query
    return query.join(Attempt, Attempt.id == Answer.attempt_id).where(
        Attempt.workshop_id == workshop_id
    )


def _facility(session: Session, workshop_id: int | None) -> dict[int, tuple[int, int]]:
    """(answers, right) per revision id."""
    right = func.sum(case((Answer.correct, 1), else_=0))
    query = select(Answer.revision_id, func.count(), right).group_by(Answer.revision_id)
    rows = session.execute(_scoped(query.select_from(Answer), workshop_id))
    return {revision_id: (n, int(c or 0)) for revision_id, n, c in rows}


def _discrimination(session: Session, workshop_id: int | None) -> dict[int, float | None]:
    """The item–rest correlation per revision id, ×100, from five sums the database adds up."""
    totals_query = select(
        Answer.attempt_id.label("attempt_id"),
        func.count().label("n"),
        func.sum(case((Answer.correct, 1), else_=0)).label("right"),
    ).select_from(Answer)
    totals = (
        _scoped(totals_query, workshop_id)
        .group_by(Answer.attempt_id)
        .having(func.count() >= 2)
        .subquery()
    )
    x = case((Answer.correct, 1.0), else_=0.0)
    rest = (cast(totals.c.right, Float) - x) / (cast(totals.c.n, Float) - 1.0)
    rows = session.execute(
        select(
            Answer.revision_id,
            func.count(),
            func.sum(x),
            func.sum(rest),
            func.sum(rest * rest),
            func.sum(x * rest),
        )
        .join(totals, totals.c.attempt_id == Answer.attempt_id)
        .group_by(Answer.revision_id)
    )
    found = {}
    for revision_id, n, sx, sy, syy, sxy in rows:
        r = correlation(n, float(sx or 0), float(sy or 0), float(syy or 0), float(sxy or 0))
        found[revision_id] = None if r is None else 100.0 * r
    return found


def _choice_counts(session: Session, workshop_id: int | None) -> dict[int, int]:
    query = select(AnswerChoice.choice_id, func.count()).select_from(AnswerChoice)
    if workshop_id is not None:
        query = query.join(Answer, Answer.id == AnswerChoice.answer_id)
    rows = session.execute(_scoped(query, workshop_id).group_by(AnswerChoice.choice_id))
    return dict(rows.all())


def item_statistics(session: Session, workshop_id: int | None = None) -> list[ItemStatistics]:
    """Statistics of every question revision answered (in one workshop, if given)."""
    facility = _facility(session, workshop_id)
    if not facility:
        return []
    discrimination = _discrimination(session, workshop_id)
    picked = _choice_counts(session, workshop_id)
    revisions = session.scalars(
        select(QuestionRevision)
        .where(QuestionRevision.id.in_(facility))
        .options(
            selectinload(QuestionRevision.choices),
            selectinload(QuestionRevision.question).selectinload(Question.topic),
        )
    )
    items = []
    for revision in revisions:
        answers, right = facility[revision.id]
        question = revision.question
        items.append(
            ItemStatistics(
                question_key=question.key,
                prompt=question.prompt,
                topic_key=question.topic.key,
                topic_title=question.topic.title,
                topic_position=question.topic.position,
                question_position=question.position,
                revision=revision.number,
                current=revision.number == question.revision_number,
                type=revision.type,
                answers=answers,
                correct=right,
                discrimination=discrimination.get(revision.id),
                choices=[
                    ChoiceShare(
                        c.key,
                        c.text,
                        c.correct,
                        picked.get(c.id, 0),
                        100.0 * picked.get(c.id, 0) / answers,
                    )
                    for c in revision.choices
                ],
            )
        )
    return sort_items(items, "question", descending=False)
