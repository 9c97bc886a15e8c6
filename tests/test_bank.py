"""The bank reader: every kind of mistake is found, with the file and line where it is."""

from __future__ import annotations

import pytest

from tipquiz.bank import (
    BankInvalid,
    figures,
    read_bank,
    read_bank_files,
    unsourced_figures,
    write_bank,
)

SOURCES = """\
sources:
  - key: seed-one
    title: "An article"
    publisher: A paper
    date: "2025-07-29"
    url: https://example.org/article
    notes:
      - "1,093 people in 2025"
  - key: seed-two
    title: "Another article"
    publisher: Another paper
    url: https://example.org/other
"""

TOPIC = """\
key: signs
position: 1
title: {en: Signs, vi: Dấu hiệu}
summary:
  en: |
    First paragraph.

    Second paragraph.
  vi: |
    Đoạn một.

    Đoạn hai.
facts:
  - text: {en: "296 in 2022", vi: "296 người năm 2022"}
    source: seed-one
actions:
  - {en: Ask questions, vi: Hãy hỏi}
feedback:
  low: {en: Keep going, vi: Cố lên}
  mid: {en: Good, vi: Tốt}
  high: {en: Great, vi: Tuyệt}
questions:
  - key: q-one
    type: single
    prompt: {en: "Which is a sign?", vi: "Đâu là dấu hiệu?"}
    choices:
      - key: a
        text: {en: Pay far above the work, vi: Lương cao bất thường}
        correct: true
      - key: b
        text: {en: A written contract, vi: Hợp đồng bằng văn bản}
    explanation: {en: "In 2022 there were 296.", vi: "Năm 2022 có 296."}
    sources: [seed-one]
  - key: q-two
    type: true_false
    answer: false
    prompt: {en: Only women are trafficked., vi: Chỉ phụ nữ bị mua bán.}
    explanation: {en: Men are too., vi: Nam giới cũng vậy.}
    sources: [seed-two]
  - key: q-three
    type: multiple
    status: draft
    scenario: {en: Lan gets a message., vi: Lan nhận tin nhắn.}
    prompt: {en: "Which are risky?", vi: "Điều nào rủi ro?"}
    choices:
      - key: a
        text: {en: Fee first, vi: Đóng phí trước}
        correct: true
      - key: b
        text: {en: Keep my passport, vi: Giữ hộ chiếu}
        correct: true
      - key: c
        text: {en: Licensed agency, vi: Công ty có giấy phép}
    explanation: {en: Both are signs., vi: Cả hai là dấu hiệu.}
    sources: [seed-one, seed-two]
"""


def files(**changes: str) -> dict[str, str]:
    base = {"sources.yaml": SOURCES, "signs.yaml": TOPIC}
    base.update(changes)
    return base


def errors_of(bank_files: dict[str, str]) -> list[str]:
    with pytest.raises(BankInvalid) as caught:
        read_bank_files(bank_files)
    return [str(e) for e in caught.value.errors]


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the n-th line containing ``needle``."""
    found = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return found[occurrence - 1]


def test_a_valid_bank_reads_into_entries():
    bank = read_bank_files(files())
    assert [s.key for s in bank.sources] == ["seed-one", "seed-two"]
    (topic,) = bank.topics
    assert topic.summary["en"] == "First paragraph.\n\nSecond paragraph."
    single, true_false, multiple = topic.questions
    assert single.correct_keys == {"a"}
    assert [c.key for c in true_false.choices] == ["true", "false"]
    assert true_false.correct_keys == {"false"}
    assert multiple.status == "draft"
    assert multiple.scenario == {"en": "Lan gets a message.", "vi": "Lan nhận tin nhắn."}


def test_the_real_bank_is_valid():
    bank = read_bank("questions")
    assert len(bank.topics) >= 3


@pytest.mark.parametrize(
    ("change", "needle", "message"),
    [
        (
            (
                "signs.yaml",
                "    correct: true\n      - key: b\n        text: {en: A written",
                "    correct: false\n      - key: b\n        text: {en: A written",
            ),
            "    choices:",
            "no choice is marked correct",
        ),
        (
            (
                "signs.yaml",
                "        text: {en: A written contract, vi: Hợp đồng bằng văn bản}",
                "        text: {en: A written contract, vi: Hợp đồng bằng văn bản}\n"
                "        correct: true",
            ),
            "    choices:",
            "exactly one correct choice",
        ),
        (
            (
                "signs.yaml",
                'prompt: {en: "Which is a sign?", vi: "Đâu là dấu hiệu?"}',
                'prompt: {en: "Which is a sign?"}',
            ),
            'prompt: {en: "Which is a sign?"}',
            "missing translation 'vi'",
        ),
        (
            ("signs.yaml", "sources: [seed-two]", "sources: [no-such-source]"),
            "  - key: q-two",
            "cites unknown source 'no-such-source'",
        ),
        (
            ("signs.yaml", "    source: seed-one", "    source: nowhere"),
            "    source: nowhere",
            "unknown source 'nowhere'",
        ),
        (
            ("signs.yaml", "  - key: q-two", "  - key: q-one"),
            "  - key: q-one",
            "duplicate question key 'q-one'",
        ),
        (
            ("signs.yaml", "    type: true_false", "    type: essay"),
            "    type: essay",
            "unknown question type 'essay'",
        ),
        (
            ("signs.yaml", "    answer: false", "    answer: maybe"),
            "    answer: maybe",
            "needs 'answer: true' or 'answer: false'",
        ),
        (
            ("signs.yaml", "    status: draft", "    status: someday"),
            "    status: someday",
            "unknown status 'someday'",
        ),
        (
            (
                "signs.yaml",
                "    sources: [seed-one, seed-two]",
                "    sources: [seed-one, seed-two]\n    colour: red",
            ),
            "    colour: red",
            "unknown field 'colour'",
        ),
        (
            (
                "signs.yaml",
                "prompt: {en: Only women are trafficked., vi: Chỉ phụ nữ bị mua bán.}",
                'prompt: {en: "Which is a sign?", vi: "Đâu là dấu hiệu?"}',
            ),
            "  - key: q-two",
            "has the same prompt as 'q-one'",
        ),
        (
            (
                "signs.yaml",
                'explanation: {en: "In 2022 there were 296.", vi: "Năm 2022 có 296."}',
                'explanation: {en: "In 2021 there were 296.", vi: "Năm 2021 có 296."}',
            ),
            "  - key: q-one",
            "figures 2021",
        ),
        (
            ("signs.yaml", "  - key: q-three", "  - key: Q three"),
            "  - key: Q three",
            "may use only a-z",
        ),
        (("signs.yaml", "key: signs\n", "key: other\n"), "key: other", "must match the file name"),
        (
            ("signs.yaml", "  high: {en: Great, vi: Tuyệt}\n", ""),
            "  low: {en: Keep going",
            "missing field 'high'",
        ),
        (
            ("signs.yaml", "    answer: false", "    answer: false\n    answer: true"),
            "    answer: true",
            "duplicate field 'answer'",
        ),
        (
            (
                "signs.yaml",
                "    choices:\n      - key: a\n        text: {en: Fee first",
                "    choices: [\n      - key: a\n        text: {en: Fee first",
            ),
            None,
            "not valid YAML",
        ),
        (
            ("sources.yaml", "    url: https://example.org/other", "    url: not a link"),
            "    url: not a link",
            "is not a web address",
        ),
        (
            ("sources.yaml", "  - key: seed-two", "  - key: seed-one"),
            "  - key: seed-one",
            "duplicate source key 'seed-one'",
        ),
        (
            ("sources.yaml", '    date: "2025-07-29"', '    date: "29 July"'),
            '    date: "29 July"',
            "date must be YYYY",
        ),
        (
            ("sources.yaml", '    title: "Another article"\n', ""),
            "  - key: seed-two",
            "missing field 'title'",
        ),
    ],
)
def test_each_mistake_is_reported_with_file_and_line(change, needle, message):
    name, old, new = change
    original = files()[name]
    assert old in original
    changed = original.replace(old, new, 1)
    errors = errors_of(files(**{name: changed}))
    matching = [e for e in errors if message in e]
    assert matching, errors
    if needle is not None:
        # A duplicate is reported where it is repeated, not where it first stood.
        occurrence = 2 if message.startswith("duplicate") and "key" in message else 1
        expected = f"{name}:{line_of(changed, needle, occurrence)}:"
        assert any(e.startswith(expected) for e in matching), (expected, matching)
    else:
        assert all(e.startswith(f"{name}:") for e in matching)


def test_every_error_in_every_file_is_reported_at_once():
    bad_topic = TOPIC.replace("type: essay", "").replace("    type: true_false", "    type: essay")
    bad_topic = bad_topic.replace("sources: [seed-two]", "sources: [ghost]")
    bad_sources = SOURCES.replace("url: https://example.org/other", "url: nope")
    errors = errors_of(files(**{"signs.yaml": bad_topic, "sources.yaml": bad_sources}))
    assert any(e.startswith("signs.yaml:") and "essay" in e for e in errors)
    assert any(e.startswith("sources.yaml:") and "web address" in e for e in errors)


def test_a_bank_without_sources_or_topics_is_refused():
    assert any("no sources.yaml" in e for e in errors_of({"signs.yaml": TOPIC}))
    assert any("no topic files" in e for e in errors_of({"sources.yaml": SOURCES}))


def test_question_keys_are_unique_across_files():
    other = TOPIC.replace("key: signs\n", "key: more\n", 1)
    other = other.replace("Which is a sign?", "Another prompt?").replace(
        "Đâu là dấu hiệu?", "Khác?"
    )
    other = other.replace("Only women are trafficked.", "X.").replace(
        "Chỉ phụ nữ bị mua bán.", "Y."
    )
    other = other.replace("Which are risky?", "Z?").replace("Điều nào rủi ro?", "W?")
    errors = errors_of(files(**{"more.yaml": other}))
    assert any("'q-one' is already used in more.yaml" in e for e in errors), errors


def test_written_bank_reads_back_the_same_and_is_stable():
    bank = read_bank_files(files())
    written = write_bank(bank)
    again = read_bank_files(written)
    assert again == bank
    assert write_bank(again) == written


def test_the_real_bank_survives_a_write_and_read():
    bank = read_bank("questions")
    assert read_bank_files(write_bank(bank)) == bank


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("1,093 victims in 2025", "en", {"1093", "2025"}),
        ("1.093 nạn nhân năm 2025", "vi", {"1093", "2025"}),
        ("about 11.3% of migrants", "en", {"11.3"}),
        ("khoảng 11,3% người di cư", "vi", {"11.3"}),
        ("296 and 978", "en", {"296", "978"}),
    ],
)
def test_figures_are_read_the_same_in_both_languages(text, lang, expected):
    assert figures(text, lang) == expected


def test_unsourced_figures_names_the_missing_ones():
    explanation = {"en": "From 296 to 1,093.", "vi": "Từ 296 lên 1.093."}
    facts = [{"en": "296 in 2022", "vi": "296 năm 2022"}]
    assert unsourced_figures(explanation, facts) == {"en": {"1093"}, "vi": {"1093"}}
    facts.append({"en": "1,093 in 2025", "vi": "1.093 năm 2025"})
    assert unsourced_figures(explanation, facts) == {}


def test_errors_name_the_field_they_are_about_whatever_their_wording():
    """Editors place a checker error next to its field by this name, not by its English text."""
    same_prompt = TOPIC.replace(
        'prompt: {en: "Which are risky?", vi: "Điều nào rủi ro?"}',
        'prompt: {en: "Which is a sign?", vi: "Đâu là dấu hiệu?"}',
    ).replace("    scenario: {en: Lan gets a message., vi: Lan nhận tin nhắn.}\n", "")
    unknown_source = TOPIC.replace("sources: [seed-two]", "sources: [nowhere]")
    bad_url = SOURCES.replace("url: https://example.org/other", "url: not-a-web-address")
    for changed, about in (
        ({"signs.yaml": same_prompt}, "prompt"),
        ({"signs.yaml": unknown_source}, "sources"),
        ({"sources.yaml": bad_url}, "url"),
    ):
        with pytest.raises(BankInvalid) as caught:
            read_bank_files(files(**changed))
        assert [e.about for e in caught.value.errors] == [about], caught.value.errors
