"""The review at the end of a quiz: every answered question with what was chosen and why.

The results page says "review the questions you missed"; this gives the participant the means:
each question with their answer, the right one and the explanation, the missed ones first so
that the page leads with what there is to learn.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from .models import Answer, Attempt, AttemptQuestion, Question, QuestionRevision

Text = dict[str, str]
# The results page reviews a whole default quiz of 12; a longer workshop quiz (up to 30) shows
# fewer there, because its topic list is longer too, and continues on a second page: each page
# keeps within the 15 KB budget.
WHOLE_QUIZ = 12
START_OF_LONG_QUIZ = 8


def on_results_page(total: int) -> int:
    """How many reviewed questions the results page shows for a quiz of ``total`` questions."""
    return total if total <= WHOLE_QUIZ else START_OF_LONG_QUIZ


@dataclass(frozen=True)
class ReviewedChoice:
    key: str
    text: Text
    correct: bool
    picked: bool


@dataclass(frozen=True)
class ReviewedQuestion:
    position: int
    topic_key: str
    scenario: Text | None
    prompt: Text
    explanation: Text
    correct: bool
    choices: tuple[ReviewedChoice, ...]


def missed_first(questions: Iterable[ReviewedQuestion]) -> list[ReviewedQuestion]:
    """Missed questions first, then the right ones; each group in the order they were asked."""
    return sorted(questions, key=lambda q: (q.correct, q.position))


def review_question(item: AttemptQuestion) -> ReviewedQuestion | None:
    """One answered question as the review shows it, choices in the order first shown."""
    answer = item.answer
    if answer is None:
        return None
    revision = item.revision
    question = revision.question
    by_key = {c.key: c for c in revision.choices}
    picked = {c.key for c in answer.choices}
    choices = tuple(
        ReviewedChoice(key, by_key[key].text, by_key[key].correct, key in picked)
        for key in item.choice_order
        if key in by_key
    )
    return ReviewedQuestion(
        position=item.position,
        topic_key=question.topic.key,
        scenario=question.scenario,
        prompt=question.prompt,
        explanation=question.explanation,
        correct=answer.correct,
        choices=choices,
    )


def answer_review(session: Session, attempt: Attempt) -> list[ReviewedQuestion]:
    """Every answered question of the attempt, missed ones first, in a handful of queries."""
    revision = joinedload(AttemptQuestion.revision)
    items = session.scalars(
        select(AttemptQuestion)
        .where(AttemptQuestion.attempt_id == attempt.id)
        .options(
            revision.selectinload(QuestionRevision.choices),
            revision.joinedload(QuestionRevision.question).joinedload(Question.topic),
            joinedload(AttemptQuestion.answer).selectinload(Answer.choices),
        )
    ).unique()
    reviewed = (review_question(item) for item in items)
    return missed_first(q for q in reviewed if q is not None)
