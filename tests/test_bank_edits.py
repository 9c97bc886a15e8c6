"""Changes to the bank, called directly: each checks the whole bank, saves, and logs itself."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from tipquiz import bank_edits, bank_store
from tipquiz.db import get_session
from tipquiz.models import AuditEntry, Question, Source, Topic


@pytest.fixture
def db(app):
    with app.app_context():
        yield get_session()


def audit_count(db) -> int:
    return db.scalar(select(func.count(AuditEntry.id)))


def test_a_change_that_breaks_the_bank_is_refused_and_writes_nothing(db):
    question = db.scalar(select(Question).where(Question.key == "ws-too-good-to-be-true"))
    entry = bank_store.question_entry(question)
    broken = replace(entry, sources=["no-such-source"])
    with pytest.raises(bank_edits.EditRefused) as refused:
        bank_edits.save_question(
            db, actor_id=None, question=question, topic_key="warning-signs", entry=broken
        )
    assert any("no-such-source" in str(e) for e in refused.value.errors)
    db.rollback()
    assert audit_count(db) == 0
    assert bank_store.question_entry(question).sources == entry.sources


def test_a_saved_change_carries_its_audit_entry(db):
    source = db.scalar(select(Source).where(Source.key == "seed-001-vietnamnews"))
    entry = replace(bank_store.source_entry(source), publisher="VNS")
    bank_edits.save_source(db, actor_id=None, source=source, entry=entry)
    db.commit()
    logged = db.scalar(select(AuditEntry))
    assert (logged.action, logged.entity, logged.entity_key) == (
        "update",
        "source",
        "seed-001-vietnamnews",
    )
    assert (logged.old, logged.new) == (
        {"publisher": "Viet Nam News (VNA/VNS)"},
        {"publisher": "VNS"},
    )


def test_what_is_still_used_cannot_be_deleted(db):
    topic = db.scalar(select(Topic).where(Topic.key == "warning-signs"))
    source = db.scalar(select(Source).where(Source.key == "seed-001-vietnamnews"))
    with pytest.raises(bank_edits.StillUsed):
        bank_edits.delete_topic(db, actor_id=None, topic=topic)
    with pytest.raises(bank_edits.StillUsed):
        bank_edits.delete_source(db, actor_id=None, source=source)
    assert audit_count(db) == 0


def test_an_unused_source_is_deleted_with_its_audit_entry(db):
    entry = replace(
        bank_store.source_entry(db.scalar(select(Source).order_by(Source.id))),
        key="spare-source",
        url="https://example.org/spare",
    )
    spare = bank_edits.save_source(db, actor_id=None, source=None, entry=entry)
    db.commit()
    bank_edits.delete_source(db, actor_id=None, source=spare)
    db.commit()
    assert db.scalar(select(Source).where(Source.key == "spare-source")) is None
    actions = db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["create", "delete"]
