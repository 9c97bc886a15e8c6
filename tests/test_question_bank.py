"""The question bank itself: complete, bilingual, sourced, and in our own words."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from seed_fingerprints import runs, seed_fingerprints, stored_fingerprints

from tipquiz.bank import (
    LANGUAGES,
    MESSAGE_KINDS,
    QUESTION_TYPES,
    Bank,
    QuestionEntry,
    unsourced_figures,
)

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
TOPICS = {
    "warning-signs",
    "online-risks",
    "getting-help",
    "safe-migration",
    "law-and-rights",
    "myths-and-facts",
}


def all_questions(bank: Bank):
    return [q for t in bank.topics for q in t.questions]


def message_texts(question: QuestionEntry):
    """The texts of a message question beyond the prompt and choices: the message and the whys."""
    if question.message is None:
        return []
    texts = [question.message.sender, *(p.text for p in question.message.parts)]
    if question.message.detail:
        texts.append(question.message.detail)
    return texts + [c.why for c in question.choices if c.why]


def test_six_topics_of_at_least_ten_questions(bank):
    assert {t.key for t in bank.topics} == TOPICS
    for topic in bank.topics:
        published = [q for q in topic.questions if q.status == "published"]
        assert len(published) >= 10, topic.key
    assert len(all_questions(bank)) >= 60


def test_each_topic_mixes_the_three_types(bank):
    for topic in bank.topics:
        types = Counter(q.type for q in topic.questions)
        assert {"single", "multiple", "true_false"} <= set(types) <= set(QUESTION_TYPES), topic.key


def test_at_least_twelve_message_questions_over_four_topics(bank):
    messages = [(t.key, q) for t in bank.topics for q in t.questions if q.type == "message"]
    assert len(messages) >= 12
    topics = {key for key, _ in messages}
    assert {"warning-signs", "online-risks", "safe-migration", "getting-help"} <= topics
    kinds = {q.message.kind for _, q in messages}
    assert kinds == set(MESSAGE_KINDS), "posts, chats, SMS and flyers all appear"
    for _, question in messages:
        flags = [c for c in question.choices if c.correct]
        innocent = [c for c in question.choices if not c.correct]
        assert len(flags) >= 2 and len(innocent) >= 2, question.key
        assert question.scenario, question.key


def test_message_questions_use_only_made_up_phone_numbers(bank):
    """A run of digits long enough to dial could belong to someone real: only "09xx xxx xxx"."""
    for topic in bank.topics:
        for question in topic.questions:
            if question.message is None:
                continue
            for text in message_texts(question):
                for lang in LANGUAGES:
                    digits = re.findall(r"\d[\d .-]{6,}\d", text[lang])
                    assert [d for d in digits if sum(c.isdigit() for c in d) >= 7] == [], (
                        question.key,
                        digits,
                    )


def test_at_least_a_third_are_scenarios(bank):
    questions = all_questions(bank)
    assert 3 * sum(1 for q in questions if q.scenario) >= len(questions)


def test_every_question_is_complete_in_both_languages(bank):
    for question in all_questions(bank):
        texts = [question.prompt, question.explanation] + [c.text for c in question.choices]
        if question.scenario:
            texts.append(question.scenario)
        if question.message is not None:
            # A message's header and a part made only of phrases may read the same in both.
            texts += [c.why for c in question.choices]
            for part in question.message.parts:
                assert all(part.text[lang].strip() for lang in LANGUAGES), question.key
        for text in texts:
            assert all(text[lang].strip() for lang in LANGUAGES), question.key
            assert text["en"] != text["vi"] or text["en"].isdigit(), question.key
        assert question.correct_keys, question.key
        if question.type not in ("multiple", "message"):
            assert len(question.correct_keys) == 1, question.key
        assert question.sources, question.key


def test_explanations_teach_in_a_few_sentences(bank):
    for question in all_questions(bank):
        for lang in LANGUAGES:
            text = question.explanation[lang]
            sentences = [s for s in text.replace("!", ".").replace("?", ".").split(". ") if s]
            assert 2 <= len(sentences) <= 5, (question.key, lang)
            assert len(text) <= 700, (question.key, lang)


def test_no_two_questions_share_a_prompt(bank):
    for lang in LANGUAGES:
        prompts = Counter(
            ((q.scenario or {}).get(lang, ""), q.prompt[lang].strip().lower())
            for q in all_questions(bank)
        )
        assert [p for p, n in prompts.items() if n > 1] == []


def test_every_source_is_cited_and_has_a_link(bank):
    cited = {key for q in all_questions(bank) for key in q.sources}
    cited |= {f.source for t in bank.topics for f in t.facts}
    for source in bank.sources:
        assert source.url.startswith(("https://", "http://")), source.key
        assert source.title and source.publisher, source.key
    assert {s.key for s in bank.sources} - cited == set()
    assert cited - {s.key for s in bank.sources} == set()


def test_every_topic_has_a_learn_page_and_feedback(bank):
    for topic in bank.topics:
        for lang in LANGUAGES:
            assert topic.summary[lang].count("\n\n") >= 1, (topic.key, "a few paragraphs")
        assert len(topic.facts) >= 5, topic.key
        assert len(topic.actions) >= 3, topic.key
        assert set(topic.feedback) == {"low", "mid", "high"}
        assert len({topic.feedback[b]["en"] for b in topic.feedback}) == 3, topic.key


def test_figures_in_explanations_come_from_a_cited_fact_or_source(bank):
    notes = {s.key: s.notes for s in bank.sources}
    for topic in bank.topics:
        for question in topic.questions:
            refs = [f.text for f in topic.facts if f.source in question.sources]
            refs += [{"en": n, "vi": n} for key in question.sources for n in notes[key]]
            assert unsourced_figures(question.explanation, refs) == {}, question.key


def our_texts(bank: Bank):
    """Every text we wrote, with where it stands, for the copied-words check."""
    for topic in bank.topics:
        yield f"{topic.key} summary", topic.summary
        for i, fact in enumerate(topic.facts):
            yield f"{topic.key} fact {i + 1}", fact.text
        for i, action in enumerate(topic.actions):
            yield f"{topic.key} action {i + 1}", action
        for band, text in topic.feedback.items():
            yield f"{topic.key} feedback {band}", text
        for question in topic.questions:
            yield f"{question.key} prompt", question.prompt
            yield f"{question.key} explanation", question.explanation
            if question.scenario:
                yield f"{question.key} scenario", question.scenario
            for choice in question.choices:
                yield f"{question.key} choice {choice.key}", choice.text
            for i, text in enumerate(message_texts(question)):
                yield f"{question.key} message text {i + 1}", text


def test_fingerprints_match_the_articles_where_they_are_at_hand():
    prints = stored_fingerprints()
    assert len(prints) > 1000
    if SEEDS.is_dir():
        assert seed_fingerprints(SEEDS) == prints


def test_no_run_of_twelve_words_is_copied_from_the_articles(bank):
    prints = stored_fingerprints()
    copied = [
        (where, words)
        for where, text in our_texts(bank)
        for lang in LANGUAGES
        for fingerprint, words in runs(text[lang])
        if fingerprint in prints
    ]
    assert copied == []


def test_the_copy_check_catches_a_copied_run_and_passes_a_reworded_one():
    article = (
        "Traffickers promised a well paid factory job abroad and then kept every worker's "
        "passport in a locked office far from the dormitory"
    )
    prints = {fp for fp, _ in runs(article)}
    copied = "Lan read that traffickers promised a well paid factory job abroad and then kept every"
    reworded = "Lan read about a job offer abroad where the boss took away everyone's passport"
    assert any(fp in prints for fp, _ in runs(copied))
    assert not any(fp in prints for fp, _ in runs(reworded))
