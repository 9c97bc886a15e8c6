"""Did the same people learn? The paired before/after statistics of a workshop.

Comparing the before group's average with the after group's says little: the groups differ by
whoever came late or left early. Here only people whose two rounds are paired (see
``pairing``) and finished count, and each is compared with themselves:

- A person's score is the share of the workshop's questions they answered right, in percent;
  their gain is the after score minus the before score, in percentage points.
- The mean gain comes with a 95 % confidence interval from Student's t distribution with n − 1
  degrees of freedom: mean ± t(0.975, n − 1) · sd / √n, sd being the sample standard deviation
  of the gains (divided by n − 1). It needs two pairs; with gains all equal it has no width.
- The paired effect size is Cohen's d_z = mean gain / sd of the gains: how many standard
  deviations of the individual changes the average change is. None when the gains do not vary.
- Per question, McNemar's exact test over the pairs: b people went from wrong to right, c from
  right to wrong; under "no change" each of the b + c who changed is equally likely to have gone
  either way, so the two-sided p-value is min(1, 2 · P(X ≤ min(b, c))) for X ~ Binomial(b + c,
  ½), and 1 when nobody changed.
- Below ``ENOUGH_PAIRS`` pairs the numbers are shown with a warning that they mean little.

The distributions are written here rather than taken from scipy, a large dependency for two
functions; the tests check them against printed table values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import (
    ROUNDS,
    Answer,
    Attempt,
    Question,
    QuestionRevision,
    Text,
    Topic,
    Workshop,
    WorkshopQuestion,
)

ENOUGH_PAIRS = 5
CONFIDENCE = 0.95


# Distributions ---------------------------------------------------------------------------------


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function, by the modified Lentz method."""
    tiny, epsilon = 1e-300, 1e-15
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= d * c
        if abs(d * c - 1.0) < epsilon:
            break
    return result


def regularized_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b), the cumulative distribution of the beta distribution."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    # The continued fraction converges fast only on one side of the mean; use symmetry.
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T ≤ t) for Student's t distribution with ``df`` degrees of freedom."""
    tail = 0.5 * regularized_beta(df / (df + t * t), df / 2.0, 0.5)
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The t with P(T ≤ t) = p, found by bisection on the distribution function."""
    if not 0.0 < p < 1.0 or df <= 0:
        raise ValueError("p must lie strictly between 0 and 1, and df be positive")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        low, high = high, high * 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
        if high - low < 1e-12:
            break
    return (low + high) / 2.0


def mcnemar_p(wrong_to_right: int, right_to_wrong: int) -> float:
    """McNemar's exact two-sided p-value for the people who changed, one way or the other."""
    changed = wrong_to_right + right_to_wrong
    if changed == 0:
        return 1.0
    fewer = min(wrong_to_right, right_to_wrong)
    tail = sum(math.comb(changed, k) for k in range(fewer + 1)) / 2**changed
    return min(1.0, 2.0 * tail)


# Gains -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gain:
    """The paired change of n people, in percentage points."""

    n: int
    mean: float | None
    sd: float | None
    low: float | None  # the 95 % confidence interval of the mean
    high: float | None
    effect_size: float | None  # Cohen's d_z
    improved: int
    same: int
    worse: int


def paired_gain(before: Sequence[float], after: Sequence[float]) -> Gain:
    """Mean gain, its confidence interval and effect size, and who improved, of paired scores."""
    if len(before) != len(after):
        raise ValueError("paired scores come in pairs")
    gains = [a - b for b, a in zip(before, after, strict=True)]
    n = len(gains)
    improved = sum(g > 0 for g in gains)
    worse = sum(g < 0 for g in gains)
    counts = {"improved": improved, "same": n - improved - worse, "worse": worse}
    if n == 0:
        return Gain(0, None, None, None, None, None, **counts)
    mean = sum(gains) / n
    if n == 1:
        return Gain(1, mean, None, None, None, None, **counts)
    sd = math.sqrt(sum((g - mean) ** 2 for g in gains) / (n - 1))
    margin = t_quantile(1 - (1 - CONFIDENCE) / 2, n - 1) * sd / math.sqrt(n)
    effect = mean / sd if sd > 0 else None
    return Gain(n, mean, sd, mean - margin, mean + margin, effect, **counts)


def mean(values: Iterable[float]) -> float | None:
    found = list(values)
    return sum(found) / len(found) if found else None


# A workshop ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicChange:
    key: str
    title: Text
    before: float | None  # the paired people's mean score in the topic, in percent
    after: float | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True)
class QuestionChange:
    position: int
    key: str
    prompt: Text
    both_right: int
    wrong_to_right: int
    right_to_wrong: int
    both_wrong: int

    @property
    def p_value(self) -> float:
        return mcnemar_p(self.wrong_to_right, self.right_to_wrong)


@dataclass(frozen=True)
class PairedResults:
    paired: int
    by_device: int
    by_code: int
    only_before: int
    only_after: int
    before: float | None  # the paired people's mean score, in percent
    after: float | None
    gain: Gain
    topics: list[TopicChange]
    questions: list[QuestionChange]

    @property
    def enough(self) -> bool:
        return self.paired >= self.needed

    @property
    def needed(self) -> int:
        """How many pairs it takes before the numbers mean much."""
        return ENOUGH_PAIRS


@dataclass(frozen=True)
class _Attempt:
    id: int
    round: str
    finished: bool
    partner: int | None
    paired_by: str | None


def _complete_pairs(attempts: list[_Attempt]) -> list[tuple[_Attempt, _Attempt]]:
    """(before, after) for every pair whose two rounds were both finished."""
    by_id = {a.id: a for a in attempts}
    pairs = []
    for after in attempts:
        before = by_id.get(after.partner) if after.partner else None
        if before is not None and before.finished and after.finished:
            pairs.append((before, after))
    return pairs


def _workshop_attempts(session: Session, workshop_id: int) -> list[_Attempt]:
    rows = session.execute(
        select(
            Attempt.id,
            Attempt.round,
            Attempt.finished_at.is_not(None),
            Attempt.paired_attempt_id,
            Attempt.paired_by,
        )
        .where(Attempt.workshop_id == workshop_id)
        .order_by(Attempt.id)
    )
    return [_Attempt(i, r, bool(f), p, by) for i, r, f, p, by in rows]


def _answers(session: Session, attempt_ids: list[int]) -> dict[int, dict[int, bool]]:
    """Correct or not, by attempt and question id, for the given attempts."""
    found: dict[int, dict[int, bool]] = {i: {} for i in attempt_ids}
    if not attempt_ids:
        return found
    rows = session.execute(
        select(Answer.attempt_id, QuestionRevision.question_id, Answer.correct)
        .join(QuestionRevision, QuestionRevision.id == Answer.revision_id)
        .where(Answer.attempt_id.in_(attempt_ids))
    )
    for attempt_id, question_id, correct in rows:
        found[attempt_id][question_id] = bool(correct)
    return found


def _score(answers: dict[int, bool], question_ids: Iterable[int]) -> float | None:
    asked = [answers[q] for q in question_ids if q in answers]
    return 100.0 * sum(asked) / len(asked) if asked else None


def paired_results(session: Session, workshop: Workshop) -> PairedResults:
    """The paired before/after statistics of one workshop, from its finished pairs."""
    attempts = _workshop_attempts(session, workshop.id)
    pairs = _complete_pairs(attempts)
    in_pairs = {a.id for pair in pairs for a in pair}
    finished = [a for a in attempts if a.finished and a.id not in in_pairs]
    answers = _answers(session, sorted(in_pairs))
    asked = session.execute(
        select(WorkshopQuestion.position, Question)
        .join(Question, Question.id == WorkshopQuestion.question_id)
        .where(WorkshopQuestion.workshop_id == workshop.id)
        .order_by(WorkshopQuestion.position)
    ).all()
    question_ids = [q.id for _, q in asked]
    before = [_score(answers[b.id], question_ids) or 0.0 for b, _ in pairs]
    after = [_score(answers[a.id], question_ids) or 0.0 for _, a in pairs]
    return PairedResults(
        paired=len(pairs),
        by_device=sum(a.paired_by == "device" for _, a in pairs),
        by_code=sum(a.paired_by == "code" for _, a in pairs),
        only_before=sum(a.round == ROUNDS[0] for a in finished),
        only_after=sum(a.round == ROUNDS[-1] for a in finished),
        before=mean(before),
        after=mean(after),
        gain=paired_gain(before, after),
        topics=_topic_changes(session, asked, pairs, answers),
        questions=[_question_change(p, q, pairs, answers) for p, q in asked],
    )


def _topic_changes(session, asked, pairs, answers) -> list[TopicChange]:
    by_topic: dict[int, list[int]] = {}
    for _, question in asked:
        by_topic.setdefault(question.topic_id, []).append(question.id)
    topics = session.scalars(
        select(Topic).where(Topic.id.in_(by_topic)).order_by(Topic.position)
    ).all()
    changes = []
    for topic in topics:
        ids = by_topic[topic.id]
        before = mean(s for b, _ in pairs if (s := _score(answers[b.id], ids)) is not None)
        after = mean(s for _, a in pairs if (s := _score(answers[a.id], ids)) is not None)
        changes.append(TopicChange(topic.key, topic.title, before, after))
    return changes


def _question_change(position, question, pairs, answers) -> QuestionChange:
    counts = {(True, True): 0, (False, True): 0, (True, False): 0, (False, False): 0}
    for before, after in pairs:
        was, now = answers[before.id].get(question.id), answers[after.id].get(question.id)
        if was is not None and now is not None:
            counts[(was, now)] += 1
    return QuestionChange(
        position=position,
        key=question.key,
        prompt=question.prompt,
        both_right=counts[(True, True)],
        wrong_to_right=counts[(False, True)],
        right_to_wrong=counts[(True, False)],
        both_wrong=counts[(False, False)],
    )
