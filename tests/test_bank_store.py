"""Loading the bank into the database and back, without breaking answers already stored."""

from __future__ import annotations

import copy

from sqlalchemy import func, select

from tipquiz import attempts
from tipquiz.bank import write_bank
from tipquiz.bank_store import export_bank, import_bank
from tipquiz.db import get_session
from tipquiz.models import Answer, Attempt, Question, QuestionRevision, Source, Topic


def counts(db):
    return tuple(
        db.scalar(select(func.count()).select_from(model))
        for model in (Topic, Question, QuestionRevision, Source)
    )


def test_import_twice_changes_nothing(empty_app, bank):
    with empty_app.app_context():
        db = get_session()
        first = import_bank(db, bank)
        db.commit()
        before = counts(db)
        second = import_bank(db, bank)
        db.commit()
        assert counts(db) == before
        assert len(first.created) == sum(len(t.questions) for t in bank.topics)
        assert second.created == second.revised == second.archived == second.deleted == []
        assert before[1] == before[2], "one revision per question"


def test_export_is_what_was_imported(empty_app, bank):
    with empty_app.app_context():
        db = get_session()
        import_bank(db, bank)
        db.commit()
        assert export_bank(db) == bank
        assert write_bank(export_bank(db)) == write_bank(bank)


def answer_quiz(db, count: int) -> Attempt:
    """Take a quiz of ``count`` questions (more than the bank has means all of them), all right."""
    attempt = attempts.start_attempt(db, locale="en", count=count)
    for item in attempt.items:
        attempts.record_answer(db, item, sorted(item.revision.correct_keys))
    return attempt


def test_changing_the_right_answer_makes_a_revision_and_keeps_old_scores(empty_app, bank):
    with empty_app.app_context():
        db = get_session()
        import_bank(db, bank)
        db.commit()
        attempt = answer_quiz(db, count=10_000)
        single = next(q for t in bank.topics for q in t.questions if q.type == "single")
        edited = copy.deepcopy(bank)
        entry = next(q for t in edited.topics for q in t.questions if q.key == single.key)
        old_right = next(c for c in entry.choices if c.correct)
        new_right = next(c for c in entry.choices if not c.correct)
        old_right.correct, new_right.correct = False, True
        entry.prompt["en"] += " (reworded)"
        report = import_bank(db, edited)
        db.commit()
        assert report.revised == [single.key]

        question = db.scalar(select(Question).where(Question.key == single.key))
        assert question.revision_number == 2
        assert question.prompt["en"].endswith("(reworded)")
        assert question.current_revision.correct_keys == {new_right.key}
        old = db.scalar(
            select(Answer)
            .join(QuestionRevision)
            .where(QuestionRevision.question_id == question.id, Answer.attempt_id == attempt.id)
        )
        assert old.correct is True
        assert old.revision_id != question.current_revision.id
        assert {c.key for c in old.choices} == {old_right.key}


def test_rewording_a_choice_does_not_make_a_revision(empty_app, bank):
    with empty_app.app_context():
        db = get_session()
        import_bank(db, bank)
        db.commit()
        edited = copy.deepcopy(bank)
        entry = edited.topics[0].questions[0]
        entry.choices[0].text["vi"] += " (sửa)"
        report = import_bank(db, edited)
        db.commit()
        assert report.revised == []
        question = db.scalar(select(Question).where(Question.key == entry.key))
        assert question.revision_number == 1
        assert question.current_revision.choices[0].text["vi"].endswith("(sửa)")


def test_a_question_removed_from_the_files_is_archived_if_answered(empty_app, bank):
    with empty_app.app_context():
        db = get_session()
        import_bank(db, bank)
        db.commit()
        attempt = answer_quiz(db, count=12)
        asked = {item.revision.question.key for item in attempt.items}
        edited = copy.deepcopy(bank)
        removed_asked = next(q for q in edited.topics[0].questions if q.key in asked)
        removed_unasked = next(q for t in edited.topics for q in t.questions if q.key not in asked)
        for topic in edited.topics:
            topic.questions = [
                q for q in topic.questions if q not in (removed_asked, removed_unasked)
            ]
        report = import_bank(db, edited)
        db.commit()
        assert report.archived == [removed_asked.key]
        kept = db.scalar(select(Question).where(Question.key == removed_asked.key))
        assert kept.status == "archived"
        assert db.scalar(select(func.count(Answer.id))) == len(attempt.items)
        assert report.deleted == [removed_unasked.key]
        assert db.scalar(select(Question).where(Question.key == removed_unasked.key)) is None
        pool = attempts.published_pool(db)
        assert kept.id not in {qid for ids in pool.values() for qid in ids}
