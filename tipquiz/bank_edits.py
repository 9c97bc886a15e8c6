"""One change to the question bank, one function: check, save and log it together.

The admin editors, the bank upload and the command line each change the bank. Each change here
checks the whole bank as it would be afterwards (the same checker the files go through), saves
it through ``bank_store`` and writes its audit entry in the same transaction; the caller
commits, or rolls back on a refusal. Nothing else writes topics, questions or sources.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, bank_store
from .bank import Bank, BankError, QuestionEntry, SourceEntry, TopicEntry
from .models import Question, Source, Topic


class EditRefused(Exception):
    """The bank would not pass its checks after the change; nothing was written."""

    def __init__(self, errors: list[BankError]):
        super().__init__(f"{len(errors)} bank errors")
        self.errors = errors


class StillUsed(Exception):
    """A topic that still holds questions, or a source something cites, cannot be deleted."""


@dataclass(frozen=True)
class QuestionSaved:
    question: Question
    # True when what counts as correct changed: the question has a new revision.
    revised: bool


def _refuse_unless_valid(bank: Bank) -> None:
    errors = bank_store.bank_errors(bank)
    if errors:
        raise EditRefused(errors)


def save_question(
    session: Session,
    *,
    actor_id: int | None,
    question: Question | None,
    topic_key: str,
    entry: QuestionEntry,
) -> QuestionSaved:
    """Create a question (``question`` None) or change one, as ``entry`` says."""
    replaces = question.key if question else None
    _refuse_unless_valid(
        bank_store.bank_with_question(bank_store.export_bank(session), topic_key, entry, replaces)
    )
    before = audit.question_snapshot(question) if question else None
    topic = session.scalar(select(Topic).where(Topic.key == topic_key))
    saved, revised = bank_store.save_question(session, question, topic, entry)
    audit.record(
        session,
        user_id=actor_id,
        action="create" if question is None else "revise" if revised else "update",
        entity="question",
        entity_key=saved.key,
        old=before,
        new=audit.question_snapshot(saved),
    )
    return QuestionSaved(saved, revised)


def remove_question(session: Session, *, actor_id: int | None, question: Question) -> bool:
    """Delete a question nobody has seen, or archive one in use; True when archived."""
    before, key = audit.question_snapshot(question), question.key
    archived = bank_store.remove_question(session, question) == "archived"
    audit.record(
        session,
        user_id=actor_id,
        action="archive" if archived else "delete",
        entity="question",
        entity_key=key,
        old=before,
        new=audit.question_snapshot(question) if archived else None,
    )
    return archived


def save_topic(
    session: Session, *, actor_id: int | None, topic: Topic | None, entry: TopicEntry
) -> Topic:
    """Create a topic (``topic`` None) or change one, its learn page and feedback included."""
    replaces = topic.key if topic else None
    _refuse_unless_valid(
        bank_store.bank_with_topic(bank_store.export_bank(session), entry, replaces)
    )
    before = audit.topic_snapshot(topic) if topic else None
    saved = bank_store.save_topic(session, topic, entry)
    audit.record(
        session,
        user_id=actor_id,
        action="create" if topic is None else "update",
        entity="topic",
        entity_key=saved.key,
        old=before,
        new=audit.topic_snapshot(saved),
    )
    return saved


def delete_topic(session: Session, *, actor_id: int | None, topic: Topic) -> None:
    """Delete an empty topic; one that still holds questions raises ``StillUsed``."""
    if topic.questions:
        raise StillUsed(topic.key)
    before = audit.topic_snapshot(topic)
    key = topic.key
    session.delete(topic)
    session.flush()
    audit.record(
        session, user_id=actor_id, action="delete", entity="topic", entity_key=key, old=before
    )


def save_source(
    session: Session, *, actor_id: int | None, source: Source | None, entry: SourceEntry
) -> Source:
    """Create a source (``source`` None) or change one."""
    replaces = source.key if source else None
    _refuse_unless_valid(
        bank_store.bank_with_source(bank_store.export_bank(session), entry, replaces)
    )
    before = audit.source_snapshot(source) if source else None
    saved = bank_store.save_source(session, source, entry)
    audit.record(
        session,
        user_id=actor_id,
        action="create" if source is None else "update",
        entity="source",
        entity_key=saved.key,
        old=before,
        new=audit.source_snapshot(saved),
    )
    return saved


def delete_source(session: Session, *, actor_id: int | None, source: Source) -> None:
    """Delete a source nothing cites; a cited one raises ``StillUsed``."""
    if bank_store.source_citations(session, source.key):
        raise StillUsed(source.key)
    before = audit.source_snapshot(source)
    key = source.key
    session.delete(source)
    session.flush()
    audit.record(
        session, user_id=actor_id, action="delete", entity="source", entity_key=key, old=before
    )
