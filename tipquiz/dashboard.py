"""What a facilitator sees of a workshop, and an admin of everything: counts and scores.

Every figure is counted by the database with GROUP BY; Python only arranges the handful of rows
that come back. The queries start from a workshop's attempts, so their cost follows the size of
the workshop, not of the whole table (see the indexes on ``attempts`` and ``answers``).

Rules the numbers follow:

- A topic's or question's score is the share of correct answers among the answers given to
  it, so an unfinished attempt counts with the answers it has. In a workshop everyone gets the
  same questions, so this equals the average of the participants' scores.
- A choice's share is the share of the question's answers that picked it; in "select all that
  apply" questions one answer picks several choices, so the shares can add up to over 100 %.
- The most-chosen wrong answer is the wrong choice picked most often; a tie goes to the choice
  listed first. A question where nobody picked a wrong choice has none.
- A delta is the "after" percentage minus the "before" one, in percentage points, and exists
  only when both rounds have answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from .models import (
    ROUNDS,
    Answer,
    AnswerChoice,
    Attempt,
    Choice,
    Question,
    QuestionRevision,
    Text,
    Topic,
    Workshop,
    WorkshopQuestion,
)
from .scoring import percent

CORRECT = func.sum(case((Answer.correct, 1), else_=0))


@dataclass(frozen=True)
class Score:
    correct: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return percent(self.correct, self.total)


@dataclass(frozen=True)
class RoundCounts:
    joined: int = 0
    finished: int = 0

    @property
    def in_progress(self) -> int:
        return self.joined - self.finished


def delta(scores: dict[str, Score]) -> int | None:
    """After minus before, in percentage points; None until both rounds have answers."""
    before, after = scores.get(ROUNDS[0]), scores.get(ROUNDS[-1])
    if not before or not after or not before.total or not after.total:
        return None
    return after.percent - before.percent


@dataclass(frozen=True)
class TopicAverage:
    key: str
    title: Text
    scores: dict[str, Score]

    @property
    def delta(self) -> int | None:
        return delta(self.scores)


@dataclass(frozen=True)
class ChoiceTally:
    key: str
    text: Text
    correct: bool
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class QuestionResult:
    position: int
    key: str
    topic_key: str
    type: str
    prompt: Text
    scores: dict[str, Score]
    choices: list[ChoiceTally]

    @property
    def delta(self) -> int | None:
        return delta(self.scores)

    def answers(self, round_: str) -> int:
        return self.scores.get(round_, Score()).total

    def share(self, choice: ChoiceTally, round_: str) -> int:
        return percent(choice.counts.get(round_, 0), self.answers(round_))

    def most_chosen_wrong(self, round_: str) -> ChoiceTally | None:
        wrong = [c for c in self.choices if not c.correct and c.counts.get(round_, 0)]
        return max(wrong, key=lambda c: c.counts[round_], default=None)


@dataclass(frozen=True)
class WorkshopResults:
    current_round: str
    counts: dict[str, RoundCounts]
    topics: list[TopicAverage]
    questions: list[QuestionResult]

    @property
    def rounds(self) -> list[str]:
        """The rounds to show, in order: those anyone joined, and the one running now."""
        return [r for r in ROUNDS if self.counts[r].joined or r == self.current_round]

    @property
    def compared(self) -> bool:
        """Whether both rounds have participants, so that deltas mean something."""
        return all(self.counts[r].joined for r in ROUNDS)


def round_counts(session: Session, workshop_id: int) -> dict[str, RoundCounts]:
    """Joined and finished attempts per round; both rounds are always present."""
    rows = session.execute(
        select(Attempt.round, func.count(Attempt.id), func.count(Attempt.finished_at))
        .where(Attempt.workshop_id == workshop_id)
        .group_by(Attempt.round)
    )
    found = {round_: RoundCounts(joined, finished) for round_, joined, finished in rows}
    return {r: found.get(r, RoundCounts()) for r in ROUNDS}


def joined_per_workshop(session: Session, workshop_ids: list[int]) -> dict[int, RoundCounts]:
    """People who joined each listed workshop, and those who finished a round.

    Someone whose after round is paired with their before round is one person, not two: a
    pair's after attempt is not counted, and counts as finished only if its before did not.
    """
    if not workshop_ids:
        return {}
    before = aliased(Attempt)
    paired_after_finished = and_(Attempt.finished_at.is_not(None), before.finished_at.is_not(None))
    rows = session.execute(
        select(
            Attempt.workshop_id,
            func.count(Attempt.id) - func.count(Attempt.paired_attempt_id),
            func.count(Attempt.finished_at) - func.count(case((paired_after_finished, 1))),
        )
        .outerjoin(before, before.id == Attempt.paired_attempt_id)
        .where(Attempt.workshop_id.in_(workshop_ids))
        .group_by(Attempt.workshop_id)
    )
    found = {workshop_id: RoundCounts(joined, finished) for workshop_id, joined, finished in rows}
    return {i: found.get(i, RoundCounts()) for i in workshop_ids}


def _workshop_answers(workshop_id: int, *columns: Any) -> Select:
    """Answers of a workshop's attempts with their round and revision: the score queries' base."""
    return (
        select(*columns)
        .select_from(Answer)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(QuestionRevision, QuestionRevision.id == Answer.revision_id)
        .where(Attempt.workshop_id == workshop_id)
    )


def topic_averages(session: Session, workshop: Workshop) -> list[TopicAverage]:
    """Score per topic and round, for every topic the workshop asks about, in topic order."""
    rows = session.execute(
        _workshop_answers(workshop.id, Attempt.round, Question.topic_id, CORRECT, func.count())
        .join(Question, Question.id == QuestionRevision.question_id)
        .group_by(Attempt.round, Question.topic_id)
    )
    scores: dict[int, dict[str, Score]] = {}
    for round_, topic_id, correct, total in rows:
        scores.setdefault(topic_id, {})[round_] = Score(int(correct or 0), total)
    asked = (
        select(Question.topic_id)
        .join(WorkshopQuestion, WorkshopQuestion.question_id == Question.id)
        .where(WorkshopQuestion.workshop_id == workshop.id)
    )
    topics = session.scalars(select(Topic).where(Topic.id.in_(asked)).order_by(Topic.position))
    return [TopicAverage(t.key, t.title, scores.get(t.id, {})) for t in topics]


def question_scores(session: Session, workshop_id: int) -> dict[int, dict[str, Score]]:
    """Correct and total answers per question (by id) and round."""
    rows = session.execute(
        _workshop_answers(
            workshop_id, Attempt.round, QuestionRevision.question_id, CORRECT, func.count()
        ).group_by(Attempt.round, QuestionRevision.question_id)
    )
    scores: dict[int, dict[str, Score]] = {}
    for round_, question_id, correct, total in rows:
        scores.setdefault(question_id, {})[round_] = Score(int(correct or 0), total)
    return scores


def choice_counts(session: Session, workshop_id: int) -> dict[int, dict[str, int]]:
    """How often each choice (by id) was picked, per round."""
    rows = session.execute(
        select(Attempt.round, AnswerChoice.choice_id, func.count())
        .select_from(AnswerChoice)
        .join(Answer, Answer.id == AnswerChoice.answer_id)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.workshop_id == workshop_id)
        .group_by(Attempt.round, AnswerChoice.choice_id)
    )
    counts: dict[int, dict[str, int]] = {}
    for round_, choice_id, count in rows:
        counts.setdefault(choice_id, {})[round_] = count
    return counts


def _answered_choices(session: Session, choice_ids: Iterable[int]) -> list[Choice]:
    ids = list(choice_ids)
    if not ids:
        return []
    return list(
        session.scalars(
            select(Choice).where(Choice.id.in_(ids)).options(selectinload(Choice.revision))
        )
    )


def _tallies(
    current: list[Choice], answered: list[Choice], counts: dict[int, dict[str, int]]
) -> list[ChoiceTally]:
    """One tally per choice key, in the current revision's order.

    Answers graded against an older revision of the question count under the same key; a key
    the current revision dropped is listed after the others with its last wording.
    """
    by_key: dict[str, ChoiceTally] = {
        c.key: ChoiceTally(c.key, c.text, c.correct, {}) for c in current
    }
    for choice in sorted(answered, key=lambda c: c.revision.number, reverse=True):
        tally = by_key.setdefault(
            choice.key, ChoiceTally(choice.key, choice.text, choice.correct, {})
        )
        for round_, count in counts.get(choice.id, {}).items():
            tally.counts[round_] = tally.counts.get(round_, 0) + count
    return list(by_key.values())


def workshop_questions(session: Session, workshop_id: int) -> list[WorkshopQuestion]:
    return list(
        session.scalars(
            select(WorkshopQuestion)
            .where(WorkshopQuestion.workshop_id == workshop_id)
            .order_by(WorkshopQuestion.position)
            .options(
                selectinload(WorkshopQuestion.question).selectinload(Question.topic),
                selectinload(WorkshopQuestion.question)
                .selectinload(Question.current_revision)
                .selectinload(QuestionRevision.choices),
            )
        )
    )


def question_results(session: Session, workshop: Workshop) -> list[QuestionResult]:
    """Per question, in the workshop's order: scores per round and each choice's picks."""
    scores = question_scores(session, workshop.id)
    counts = choice_counts(session, workshop.id)
    answered: dict[int, list[Choice]] = {}
    for choice in _answered_choices(session, counts):
        answered.setdefault(choice.revision.question_id, []).append(choice)
    results = []
    for item in workshop_questions(session, workshop.id):
        question = item.question
        results.append(
            QuestionResult(
                position=item.position,
                key=question.key,
                topic_key=question.topic.key,
                type=question.current_revision.type,
                prompt=question.prompt,
                scores=scores.get(question.id, {}),
                choices=_tallies(
                    question.current_revision.choices, answered.get(question.id, []), counts
                ),
            )
        )
    return results


def workshop_results(session: Session, workshop: Workshop) -> WorkshopResults:
    return WorkshopResults(
        current_round=workshop.current_round,
        counts=round_counts(session, workshop.id),
        topics=topic_averages(session, workshop),
        questions=question_results(session, workshop),
    )


def results_as_dict(results: WorkshopResults) -> dict[str, Any]:
    """The results as plain data, for the live update's JSON and anyone else who reads it."""

    def scores(values: dict[str, Score]) -> dict[str, dict[str, int]]:
        return {
            r: {"correct": s.correct, "answers": s.total, "percent": s.percent}
            for r, s in values.items()
        }

    rounds = results.rounds
    return {
        "rounds": rounds,
        "counts": {
            r: {"joined": c.joined, "in_progress": c.in_progress, "finished": c.finished}
            for r, c in results.counts.items()
        },
        "topics": [
            {"key": t.key, "scores": scores(t.scores), "delta": t.delta} for t in results.topics
        ],
        "questions": [
            {
                "position": q.position,
                "key": q.key,
                "topic": q.topic_key,
                "scores": scores(q.scores),
                "delta": q.delta,
                "most_chosen_wrong": {
                    r: (w.key if (w := q.most_chosen_wrong(r)) else None) for r in rounds
                },
                "choices": [
                    {
                        "key": c.key,
                        "correct": c.correct,
                        "picked": {r: c.counts.get(r, 0) for r in rounds},
                        "percent": {r: q.share(c, r) for r in rounds},
                    }
                    for c in q.choices
                ],
            }
            for q in results.questions
        ],
    }


# Admin totals --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    workshops: int
    attempts: RoundCounts
    in_workshops: int
    answers: Score
    topics: list[TopicAverage]


def admin_totals(session: Session) -> Totals:
    """Everything stored, workshop or not: attempts, answers and the score per topic.

    Answers are first counted per question revision and correctness, which the database reads
    from the index on exactly those columns without touching the table.
    """
    joined, finished, in_workshops = session.execute(
        select(
            func.count(Attempt.id), func.count(Attempt.finished_at), func.count(Attempt.workshop_id)
        )
    ).one()
    per_revision = (
        select(Answer.revision_id, Answer.correct, func.count().label("answers"))
        .group_by(Answer.revision_id, Answer.correct)
        .subquery()
    )
    rows = session.execute(
        select(
            Question.topic_id,
            func.sum(case((per_revision.c.correct, per_revision.c.answers), else_=0)),
            func.sum(per_revision.c.answers),
        )
        .select_from(per_revision)
        .join(QuestionRevision, QuestionRevision.id == per_revision.c.revision_id)
        .join(Question, Question.id == QuestionRevision.question_id)
        .group_by(Question.topic_id)
    )
    scores = {topic_id: Score(int(c or 0), int(n or 0)) for topic_id, c, n in rows}
    topics = [
        TopicAverage(t.key, t.title, {"all": scores[t.id]})
        for t in session.scalars(select(Topic).order_by(Topic.position))
        if t.id in scores
    ]
    return Totals(
        workshops=session.scalar(select(func.count(Workshop.id))) or 0,
        attempts=RoundCounts(joined, finished),
        in_workshops=in_workshops,
        answers=Score(
            sum(s.correct for s in scores.values()), sum(s.total for s in scores.values())
        ),
        topics=topics,
    )
