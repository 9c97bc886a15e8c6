"""Building a quiz and grading an answer: pure functions, no database and no web.

Kept apart from storage (``attempts``) so that the rules can be read and tested on their own.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T", bound=Hashable)


def build_quiz(pool: Mapping[str, Sequence[T]], count: int, rng: random.Random) -> list[T]:
    """Draw ``count`` questions spread as evenly as possible over the topics, in random order.

    Topics take turns, each giving one random question per turn, so twelve questions over six
    topics gives two of each; a topic with too few questions simply drops out of later turns.
    The topics that get one more than the others when ``count`` does not divide evenly are
    chosen at random, so no topic is always favoured.
    """
    remaining = {topic: rng.sample(list(items), len(items)) for topic, items in pool.items()}
    order = [topic for topic in remaining if remaining[topic]]
    rng.shuffle(order)
    chosen: list[T] = []
    while len(chosen) < count and order:
        for topic in list(order):
            if len(chosen) == count:
                break
            chosen.append(remaining[topic].pop())
            if not remaining[topic]:
                order.remove(topic)
    rng.shuffle(chosen)
    return chosen


def choice_order(kind: str, keys: Sequence[str], rng: random.Random) -> list[str]:
    """The order choices are shown in; true/false always reads "True" then "False", and a
    message's phrases stay where the message places them."""
    if kind in ("true_false", "message"):
        return list(keys)
    return rng.sample(list(keys), len(keys))


@dataclass(frozen=True)
class Grade:
    correct: bool
    correct_keys: frozenset[str]


class InvalidAnswer(ValueError):
    """The submitted choices cannot be an answer to this question (nothing chosen, forged keys)."""


def grade_answer(
    kind: str, correct_keys: Collection[str], all_keys: Collection[str], chosen: Collection[str]
) -> Grade:
    """Grade one answer. "Select all that apply" is all-or-nothing: the exact set, no more.

    A message question is graded the same way: right when every red flag is tapped and no
    innocent phrase is. Tapping nothing is a real answer there ("I see nothing wrong"), and a
    wrong one, since every message has a red flag; so it is stored, not refused.

    Raises ``InvalidAnswer`` for something no honest form could send, so it is never stored.
    """
    chosen_set = frozenset(chosen)
    if not chosen_set and kind != "message":
        raise InvalidAnswer("no choice")
    if not chosen_set <= frozenset(all_keys):
        raise InvalidAnswer("unknown choice")
    if kind in ("single", "true_false") and len(chosen_set) != 1:
        raise InvalidAnswer("one choice only")
    correct = frozenset(correct_keys)
    return Grade(chosen_set == correct, correct)
