"""Wording alone must not give answers away: a guesser who knows nothing scores about chance."""

from __future__ import annotations

import pytest
from question_cues import cue_problems, cue_statistics, has_absolute, has_hedge

from tipquiz.bank import ChoiceEntry, QuestionEntry, true_false_choices

TOPIC_KEYS = [
    "warning-signs",
    "online-risks",
    "getting-help",
    "safe-migration",
    "law-and-rights",
    "myths-and-facts",
]


def both(text: str) -> dict[str, str]:
    return {"en": text, "vi": text}


def single(key: str, texts: list[str], right: int) -> QuestionEntry:
    choices = [ChoiceEntry(chr(97 + i), both(t), i == right) for i, t in enumerate(texts)]
    return QuestionEntry(key, "single", both(key), both("x. y."), choices, ["s"])


def statement(key: str, text: str, answer: bool) -> QuestionEntry:
    return QuestionEntry(
        key, "true_false", both(text), both("x. y."), true_false_choices(answer), ["s"]
    )


def test_absolute_words_and_hedges_are_recognised_in_both_languages():
    assert has_absolute("You must always pay first.", "en")
    assert not has_absolute("Check the company's licence.", "en")
    assert has_absolute("Chỉ người lớn mới bị mua bán.", "vi")
    assert not has_absolute("Ghi lại địa chỉ công ty.", "vi")
    assert has_hedge("Anyone can call 111.", "en")
    assert has_hedge("Người lạ có thể liên hệ trước.", "vi")


def test_a_bank_whose_right_answers_are_the_long_ones_is_caught():
    questions = [
        single(f"q{i}", ["Short.", "No.", "Because the law protects every victim equally."], 2)
        for i in range(6)
    ]
    cues = cue_statistics(questions, "en")
    assert cues.longest_right == 6
    assert cues.length_ratio > 5
    assert any("longest choice in 6 of 6" in p for p in cue_problems(questions, whole_bank=False))


def test_statements_that_are_mostly_false_are_caught():
    questions = [statement(f"s{i}", f"Statement {i} is wrong.", False) for i in range(3)]
    questions.append(statement("s9", "Statement nine is right.", True))
    problems = cue_problems(questions, whole_bank=False)
    assert "en: 1 of 4 statements are true" in problems


@pytest.mark.parametrize("topic_key", TOPIC_KEYS)
def test_no_topic_gives_its_answers_away(bank, topic_key):
    topic = next(t for t in bank.topics if t.key == topic_key)
    assert cue_problems(topic.questions, whole_bank=False) == []


def test_the_whole_bank_gives_no_answers_away(bank):
    questions = [q for t in bank.topics for q in t.questions]
    assert cue_problems(questions, whole_bank=True) == []
