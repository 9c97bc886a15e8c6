"""Building a quiz and grading answers, tested without a database or a browser."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from tipquiz.quiz import InvalidAnswer, build_quiz, choice_order, grade_answer

POOL = {
    "signs": [f"s{i}" for i in range(10)],
    "online": [f"o{i}" for i in range(10)],
    "help": [f"h{i}" for i in range(10)],
    "migration": [f"m{i}" for i in range(10)],
    "law": [f"l{i}" for i in range(10)],
    "myths": [f"y{i}" for i in range(10)],
}


def topic_of(question: str) -> str:
    return next(t for t, items in POOL.items() if question in items)


@pytest.mark.parametrize("seed", range(20))
def test_twelve_questions_over_six_topics_gives_two_each(seed):
    quiz = build_quiz(POOL, 12, random.Random(seed))
    assert len(quiz) == len(set(quiz)) == 12
    assert Counter(topic_of(q) for q in quiz) == dict.fromkeys(POOL, 2)


@pytest.mark.parametrize("seed", range(20))
def test_uneven_counts_differ_by_at_most_one(seed):
    quiz = build_quiz(POOL, 10, random.Random(seed))
    counts = Counter(topic_of(q) for q in quiz)
    assert len(quiz) == 10
    assert max(counts.values()) - min(counts.values()) <= 1


def test_the_extra_question_goes_to_different_topics_over_many_quizzes():
    favoured = Counter()
    for seed in range(60):
        counts = Counter(topic_of(q) for q in build_quiz(POOL, 7, random.Random(seed)))
        favoured.update(t for t, n in counts.items() if n == 2)
    assert len(favoured) == len(POOL)


def test_a_small_topic_runs_out_and_the_others_fill_in():
    pool = {"small": ["x"], "big": [f"b{i}" for i in range(20)]}
    quiz = build_quiz(pool, 8, random.Random(1))
    assert len(quiz) == 8
    assert "x" in quiz


def test_asking_for_more_than_there_is_gives_everything_once():
    pool = {"a": ["a1", "a2"], "b": ["b1"]}
    assert sorted(build_quiz(pool, 12, random.Random(3))) == ["a1", "a2", "b1"]


def test_order_is_random_across_quizzes():
    orders = {tuple(build_quiz(POOL, 12, random.Random(seed))) for seed in range(10)}
    assert len(orders) == 10


def test_choices_are_shuffled_but_true_false_reads_true_then_false():
    keys = ["a", "b", "c", "d"]
    orders = {tuple(choice_order("single", keys, random.Random(s))) for s in range(30)}
    assert len(orders) > 5
    assert all(sorted(o) == keys for o in orders)
    assert choice_order("true_false", ["true", "false"], random.Random(1)) == ["true", "false"]


def test_single_choice_grading():
    assert grade_answer("single", {"b"}, "abcd", ["b"]).correct
    assert not grade_answer("single", {"b"}, "abcd", ["a"]).correct


def test_select_all_that_apply_is_all_or_nothing():
    correct = {"a", "c"}
    assert grade_answer("multiple", correct, "abcd", ["c", "a"]).correct
    assert not grade_answer("multiple", correct, "abcd", ["a"]).correct
    assert not grade_answer("multiple", correct, "abcd", ["a", "b", "c"]).correct
    assert grade_answer("multiple", correct, "abcd", ["a"]).correct_keys == correct


@pytest.mark.parametrize(
    ("kind", "chosen"),
    [
        ("single", []),
        ("single", ["a", "b"]),
        ("true_false", ["true", "false"]),
        ("multiple", []),
        ("multiple", ["a", "zzz"]),
        ("single", ["<script>"]),
    ],
)
def test_impossible_answers_are_refused(kind, chosen):
    keys = ["true", "false"] if kind == "true_false" else ["a", "b", "c"]
    with pytest.raises(InvalidAnswer):
        grade_answer(kind, {keys[0]}, keys, chosen)
