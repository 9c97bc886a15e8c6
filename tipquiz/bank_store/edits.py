"""Changing one topic, question or source in the database, checked against the whole bank."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..bank import (
    Bank,
    BankError,
    BankInvalid,
    FactEntry,
    QuestionEntry,
    SourceEntry,
    TopicEntry,
    read_bank_files,
    write_bank,
)
from ..models import (
    Question,
    Source,
    Topic,
)
from .sync import (
    _fill_topic,
    apply_question,
    question_in_use,
)

#
# An edit in the browser goes through the same checker as the files: the bank as it would be
# after the edit is written out and read back, so the database never holds a bank that
# ``bank check`` would refuse, and an export can always be imported again.


def topic_entry(topic: Topic, questions: list[QuestionEntry] | None = None) -> TopicEntry:
    return TopicEntry(
        key=topic.key,
        position=topic.position,
        title=dict(topic.title),
        summary=dict(topic.summary),
        facts=[FactEntry(dict(f.text), f.source.key) for f in topic.facts],
        actions=[dict(a) for a in topic.actions],
        feedback={band: dict(text) for band, text in topic.feedback.items()},
        questions=list(questions or []),
    )


def source_entry(source: Source) -> SourceEntry:
    return SourceEntry(
        source.key,
        source.title,
        source.publisher,
        source.url,
        source.date,
        list(source.notes),
        source.language,
    )


def bank_errors(bank: Bank) -> list[BankError]:
    """Every error ``bank check`` would report for this bank once written to files."""
    try:
        read_bank_files(write_bank(bank))
    except BankInvalid as exc:
        return exc.errors
    return []


def bank_with_question(
    bank: Bank, topic_key: str, entry: QuestionEntry, replaces: str | None = None
) -> Bank:
    """The bank with one question added (``replaces`` None) or changed, possibly moved topic.

    A changed question keeps its place in its topic; a new or moved one goes last.
    """
    topics = []
    for topic in bank.topics:
        questions, placed = [], False
        for question in topic.questions:
            if replaces is not None and question.key == replaces:
                if topic.key == topic_key:
                    questions.append(entry)
                    placed = True
                continue
            questions.append(question)
        if topic.key == topic_key and not placed:
            questions.append(entry)
        topics.append(replace(topic, questions=questions))
    return Bank(list(bank.sources), topics)


def bank_with_topic(bank: Bank, entry: TopicEntry, replaces: str | None = None) -> Bank:
    """The bank with one topic added or changed; a changed topic keeps its questions."""
    topics = []
    for topic in bank.topics:
        if replaces is not None and topic.key == replaces:
            topics.append(replace(entry, questions=list(topic.questions)))
        else:
            topics.append(topic)
    if replaces is None:
        topics.append(replace(entry, questions=[]))
    return Bank(list(bank.sources), topics)


def bank_with_source(bank: Bank, entry: SourceEntry, replaces: str | None = None) -> Bank:
    if replaces is None:
        return Bank([*bank.sources, entry], list(bank.topics))
    sources = [entry if s.key == replaces else s for s in bank.sources]
    return Bank(sources, list(bank.topics))


def next_question_position(session: Session, topic: Topic) -> int:
    if topic.id is None:
        return 1
    highest = session.scalar(
        select(func.max(Question.position)).where(Question.topic_id == topic.id)
    )
    return (highest or 0) + 1


def save_question(
    session: Session, question: Question | None, topic: Topic, entry: QuestionEntry
) -> tuple[Question, bool]:
    """Create or change one question; True when grading changed and a new revision began.

    The revision rule is ``apply_question``'s, the same one import uses.
    """
    sources = {
        s.key: s for s in session.scalars(select(Source).where(Source.key.in_(entry.sources)))
    }
    if question is None or question.topic_id != topic.id:
        position = next_question_position(session, topic)
        if question is None:
            question = Question(key=entry.key, revision_number=0)
            session.add(question)
        question.topic = topic
        question.position = position
    revised = apply_question(question, entry, [sources[k] for k in entry.sources])
    session.flush()
    return question, revised


def save_topic(session: Session, topic: Topic | None, entry: TopicEntry) -> Topic:
    sources = {s.key: s for s in session.scalars(select(Source))}
    if topic is None:
        topic = Topic(key=entry.key)
        session.add(topic)
    with session.no_autoflush:
        _fill_topic(topic, entry, sources)
    session.flush()
    return topic


def save_source(session: Session, source: Source | None, entry: SourceEntry) -> Source:
    if source is None:
        highest = session.scalar(select(func.max(Source.position)))
        source = Source(key=entry.key, position=(highest or 0) + 1)
        session.add(source)
    source.title = entry.title
    source.language = entry.language
    source.publisher = entry.publisher
    source.date = entry.date
    source.url = entry.url
    source.notes = list(entry.notes)
    session.flush()
    return source


def remove_question(session: Session, question: Question) -> str:
    """Delete a question nobody has seen; archive one that has answers, keeping them scored."""
    if question_in_use(session, question):
        question.status = "archived"
        session.flush()
        return "archived"
    session.delete(question)
    session.flush()
    return "deleted"
