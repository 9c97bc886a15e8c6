"""Cue statistics: how much of a question's answer its wording gives away to a test-wise guesser.

A participant who knows nothing about trafficking should score no better than chance. The
classic give-aways are measured here over a set of questions: the right answer as the longest
choice, absolute words ("only", "always", "never") marking the wrong choices and hedges ("can",
"may") the right ones, true/false statements that are mostly false, and "select all that apply"
questions that always have the same number of right answers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from tipquiz.bank import LANGUAGES, QuestionEntry

CHOICE_TYPES = ("single", "multiple")

ABSOLUTE = {
    "en": re.compile(
        r"\b(only|always|never|must|all|none|nothing|nobody|no one|every|everyone|everything|"
        r"cannot|can't|guaranteed?|completely|certainly|definitely|no right|impossible)\b",
        re.IGNORECASE,
    ),
    # Vietnamese words are syllables: match them between spaces or punctuation, and leave out
    # "địa chỉ" (address), where "chỉ" does not mean "only".
    "vi": re.compile(
        r"(?<![\wà-ỹ])(?<!địa )(chỉ|luôn|luôn luôn|không bao giờ|tất cả|mọi|bắt buộc|chắc chắn|"
        r"hoàn toàn|không ai|không có gì|không thể|không hề)(?![\wà-ỹ])",
        re.IGNORECASE,
    ),
}
HEDGE = {
    "en": re.compile(r"\b(can|may|might|could|some|sometimes|often|usually|even)\b", re.I),
    "vi": re.compile(
        r"(?<![\wà-ỹ])(có thể|một số|đôi khi|thường|kể cả|ngay cả)(?![\wà-ỹ])", re.IGNORECASE
    ),
}


def has_absolute(text: str, lang: str) -> bool:
    return bool(ABSOLUTE[lang].search(text))


def has_hedge(text: str, lang: str) -> bool:
    return bool(HEDGE[lang].search(text))


@dataclass(frozen=True)
class Cues:
    """What wording alone tells a guesser, over one set of questions, in one language."""

    single_count: int
    # Single-choice questions whose right answer is the strictly longest choice.
    longest_right: int
    # Mean length of right choices over the mean length of wrong ones (1.0: no cue).
    length_ratio: float
    # Share of right and of wrong choices holding an absolute word.
    absolute_right: float
    absolute_wrong: float
    # Share of true and of false true/false statements holding an absolute word / a hedge.
    absolute_true: float
    absolute_false: float
    hedge_true: float
    hedge_false: float
    true_count: int
    false_count: int
    # (number of choices, number right) for each "select all that apply" question.
    multiple_patterns: Counter
    # Bank position of the right choice in single-choice questions.
    right_positions: Counter


def share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def cue_statistics(questions: Iterable[QuestionEntry], lang: str) -> Cues:
    questions = list(questions)
    singles = [q for q in questions if q.type == "single"]
    longest_right = 0
    for q in singles:
        lengths = [len(c.text[lang]) for c in q.choices]
        right = next(i for i, c in enumerate(q.choices) if c.correct)
        if all(lengths[right] > n for i, n in enumerate(lengths) if i != right):
            longest_right += 1
    right_choices = [c for q in questions if q.type in CHOICE_TYPES for c in q.choices if c.correct]
    wrong_choices = [
        c for q in questions if q.type in CHOICE_TYPES for c in q.choices if not c.correct
    ]

    def mean_length(choices) -> float:
        return sum(len(c.text[lang]) for c in choices) / len(choices) if choices else 0.0

    statements = [q for q in questions if q.type == "true_false"]
    true_ones = [q for q in statements if "true" in q.correct_keys]
    false_ones = [q for q in statements if "false" in q.correct_keys]

    def statement(q: QuestionEntry) -> str:
        return q.prompt[lang]

    return Cues(
        single_count=len(singles),
        longest_right=longest_right,
        length_ratio=(mean_length(right_choices) / mean_length(wrong_choices))
        if wrong_choices
        else 1.0,
        absolute_right=share([has_absolute(c.text[lang], lang) for c in right_choices]),
        absolute_wrong=share([has_absolute(c.text[lang], lang) for c in wrong_choices]),
        absolute_true=share([has_absolute(statement(q), lang) for q in true_ones]),
        absolute_false=share([has_absolute(statement(q), lang) for q in false_ones]),
        hedge_true=share([has_hedge(statement(q), lang) for q in true_ones]),
        hedge_false=share([has_hedge(statement(q), lang) for q in false_ones]),
        true_count=len(true_ones),
        false_count=len(false_ones),
        multiple_patterns=Counter(
            (len(q.choices), len(q.correct_keys)) for q in questions if q.type == "multiple"
        ),
        right_positions=Counter(
            next(i for i, c in enumerate(q.choices) if c.correct) for q in singles
        ),
    )


def cue_problems(questions: Iterable[QuestionEntry], *, whole_bank: bool) -> list[str]:
    """Every give-away found, in words; empty when wording alone tells a guesser nothing.

    A topic holds only a handful of questions of each type, so its limits are looser than the
    whole bank's; both are well inside what an honest test shows.
    """
    questions = [q for q in questions if q.status == "published"]
    problems: list[str] = []
    for lang in LANGUAGES:
        cues = cue_statistics(questions, lang)
        # Chance is about one in four; allow a little over that.
        most_longest = 0.34 if whole_bank else 0.4
        if cues.single_count and cues.longest_right > most_longest * cues.single_count:
            problems.append(
                f"{lang}: the right answer is the longest choice in {cues.longest_right} of "
                f"{cues.single_count} single-choice questions"
            )
        if not 0.8 <= cues.length_ratio <= 1.2:
            problems.append(f"{lang}: right choices are {cues.length_ratio:.2f}× as long as wrong")
        gap = 0.15 if whole_bank else 0.25
        if abs(cues.absolute_right - cues.absolute_wrong) > gap:
            problems.append(
                f"{lang}: absolute words in {cues.absolute_right:.0%} of right choices and "
                f"{cues.absolute_wrong:.0%} of wrong ones"
            )
        statements = cues.true_count + cues.false_count
        if statements >= 4:
            tf_gap = 0.35 if whole_bank else 0.5
            if abs(cues.absolute_true - cues.absolute_false) > tf_gap:
                problems.append(
                    f"{lang}: absolute words in {cues.absolute_true:.0%} of true statements and "
                    f"{cues.absolute_false:.0%} of false ones"
                )
            if abs(cues.hedge_true - cues.hedge_false) > tf_gap:
                problems.append(
                    f"{lang}: hedges in {cues.hedge_true:.0%} of true statements and "
                    f"{cues.hedge_false:.0%} of false ones"
                )
        if statements and not 0.4 <= cues.true_count / statements <= 0.6:
            problems.append(f"{lang}: {cues.true_count} of {statements} statements are true")
        if whole_bank:
            patterns = cues.multiple_patterns
            rights = Counter(right for _, right in patterns.elements())
            total = sum(patterns.values())
            if patterns.most_common(1)[0][1] > total / 3:
                problems.append(f"{lang}: select-all questions repeat one shape: {patterns}")
            if 1 not in rights:
                problems.append(f"{lang}: no select-all question has exactly one right choice")
            if not any(n == right for n, right in patterns.elements()):
                problems.append(f"{lang}: no select-all question has every choice right")
            if cues.right_positions.most_common(1)[0][1] > 0.4 * cues.single_count:
                problems.append(
                    f"{lang}: right answers sit in one position too often: {cues.right_positions}"
                )
    return sorted(set(problems))
