"""Scores per topic and the feedback band they fall in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

LOW_BELOW = 50
HIGH_FROM = 80


def score_band(percent: int) -> str:
    """Which feedback a topic score gets: under 50 % low, 80 % and over high, else mid."""
    if percent < LOW_BELOW:
        return "low"
    if percent >= HIGH_FROM:
        return "high"
    return "mid"


def percent(correct: int, total: int) -> int:
    """A whole percentage, rounded half up, so 2 of 3 shows as 67 %."""
    if total <= 0:
        return 0
    return (200 * correct + total) // (2 * total)


@dataclass(frozen=True)
class TopicScore:
    topic: str
    correct: int
    total: int

    @property
    def percent(self) -> int:
        return percent(self.correct, self.total)

    @property
    def band(self) -> str:
        return score_band(self.percent)


def topic_scores(
    results: Iterable[tuple[str, bool]], order: Iterable[str] = ()
) -> list[TopicScore]:
    """Per-topic tallies of (topic, correct) pairs, in ``order`` first and then as met."""
    tally: dict[str, list[int]] = {key: [0, 0] for key in order}
    for topic, correct in results:
        counts = tally.setdefault(topic, [0, 0])
        counts[0] += int(bool(correct))
        counts[1] += 1
    return [TopicScore(t, c, n) for t, (c, n) in tally.items() if n]
