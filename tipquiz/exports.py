"""A workshop's results as CSV files a facilitator can open in Excel and read.

Every row carries the workshop's title and date and the round, so rows can be filtered, sorted
and pivoted without losing where they came from. Questions, choices and topics appear as their
text in the workshop's language, never as keys; the headers are in that language too (the
caller passes the words, so this module stays free of the web framework).

Participants stay anonymous: they are numbered 1, 2, 3… in the order they first joined, and a
person whose two rounds are paired keeps the same number in both. No token, code hash or
anything else stored about them leaves the database.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .dashboard import Score, WorkshopResults
from .models import (
    ROUNDS,
    Answer,
    AnswerChoice,
    Attempt,
    AttemptQuestion,
    Choice,
    Question,
    QuestionRevision,
    Text,
    Workshop,
    WorkshopQuestion,
)

CHOICE_SEPARATOR = " | "


@dataclass(frozen=True)
class ExportWords:
    """The words of the files, in the workshop's language."""

    question_header: list[str]
    answer_header: list[str]
    rounds: dict[str, str]
    yes: str
    no: str


def text_in(text: Text | None, locale: str) -> str:
    """A bilingual text in the workshop's language, or the other one where it is missing."""
    if not text:
        return ""
    return text.get(locale) or next((v for v in text.values() if v), "")


def workshop_date(workshop: Workshop) -> str:
    return workshop.created_at.strftime("%Y-%m-%d")


def answered_time(value: datetime) -> str:
    """A time spreadsheet programs read as one: "2026-07-30 08:15:02", in UTC."""
    return value.strftime("%Y-%m-%d %H:%M:%S")


def csv_bytes(header: list[str], rows: Iterable[list[object]]) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so spreadsheet programs read Vietnamese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


# Questions -------------------------------------------------------------------------------------


def question_rows(
    workshop: Workshop, results: WorkshopResults, topic_titles: dict[str, str], words: ExportWords
) -> Iterator[list[object]]:
    """One row per question, round and choice: the numbers behind the charts, in words."""
    locale = workshop.locale
    yes_no = {True: words.yes, False: words.no}
    for question in results.questions:
        for round_ in results.rounds:
            score = question.scores.get(round_, Score())
            wrong = question.most_chosen_wrong(round_)
            for choice in question.choices:
                yield [
                    workshop.title,
                    workshop_date(workshop),
                    words.rounds[round_],
                    question.position,
                    topic_titles.get(question.topic_key, question.topic_key),
                    text_in(question.prompt, locale),
                    score.total,
                    score.correct,
                    score.percent,
                    text_in(choice.text, locale),
                    yes_no[choice.correct],
                    choice.counts.get(round_, 0),
                    question.share(choice, round_),
                    yes_no[wrong is not None and wrong.key == choice.key],
                ]


# Answers ---------------------------------------------------------------------------------------


def participant_numbers(attempts: list[tuple[int, int | None]]) -> dict[int, int]:
    """Number each person 1, 2, 3… by their first attempt; a paired attempt takes its partner's.

    ``attempts`` are (attempt id, id of the attempt it is paired with, or None).
    """
    numbers: dict[int, int] = {}
    people = 0
    for attempt_id, partner in sorted(attempts):
        if partner is not None and partner in numbers:
            numbers[attempt_id] = numbers[partner]
        else:
            people += 1
            numbers[attempt_id] = people
    return numbers


@dataclass(frozen=True)
class _Answer:
    id: int
    attempt_id: int
    round: str
    revision_id: int
    question_id: int
    shown_at: int
    choice_order: list[str]
    correct: bool
    answered_at: datetime


def _answers(session: Session, workshop_id: int) -> list[_Answer]:
    rows = session.execute(
        select(
            Answer.id,
            Answer.attempt_id,
            Attempt.round,
            Answer.revision_id,
            QuestionRevision.question_id,
            AttemptQuestion.position,
            AttemptQuestion.choice_order,
            Answer.correct,
            Answer.answered_at,
        )
        .select_from(Answer)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(AttemptQuestion, AttemptQuestion.id == Answer.item_id)
        .join(QuestionRevision, QuestionRevision.id == Answer.revision_id)
        .where(Attempt.workshop_id == workshop_id)
    )
    return [_Answer(*row) for row in rows]


def _picked(session: Session, workshop_id: int) -> dict[int, set[int]]:
    rows = session.execute(
        select(AnswerChoice.answer_id, AnswerChoice.choice_id)
        .join(Answer, Answer.id == AnswerChoice.answer_id)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.workshop_id == workshop_id)
    )
    picked: dict[int, set[int]] = {}
    for answer_id, choice_id in rows:
        picked.setdefault(answer_id, set()).add(choice_id)
    return picked


def _choices(session: Session, revision_ids: set[int]) -> dict[int, dict[str, Choice]]:
    found: dict[int, dict[str, Choice]] = {}
    if revision_ids:
        for choice in session.scalars(select(Choice).where(Choice.revision_id.in_(revision_ids))):
            found.setdefault(choice.revision_id, {})[choice.key] = choice
    return found


def answer_rows(
    session: Session, workshop: Workshop, topic_titles: dict[str, str], words: ExportWords
) -> list[list[object]]:
    """Every answer of the workshop, one row each, by participant, round and question."""
    locale = workshop.locale
    attempts = session.execute(
        select(Attempt.id, Attempt.paired_attempt_id).where(Attempt.workshop_id == workshop.id)
    ).all()
    numbers = participant_numbers([(a, p) for a, p in attempts])
    answers = _answers(session, workshop.id)
    picked = _picked(session, workshop.id)
    choices = _choices(session, {a.revision_id for a in answers})
    asked = session.scalars(
        select(WorkshopQuestion)
        .where(WorkshopQuestion.workshop_id == workshop.id)
        .options(selectinload(WorkshopQuestion.question).selectinload(Question.topic))
    ).all()
    questions = {wq.question_id: wq for wq in asked}
    order = {round_: index for index, round_ in enumerate(ROUNDS)}
    answers.sort(
        key=lambda a: (
            numbers[a.attempt_id],
            order.get(a.round, 0),
            a.attempt_id,
            questions[a.question_id].position if a.question_id in questions else a.shown_at,
        )
    )
    rows = []
    for answer in answers:
        by_key = choices.get(answer.revision_id, {})
        shown = [by_key[k] for k in answer.choice_order if k in by_key]
        chosen = picked.get(answer.id, set())
        item = questions.get(answer.question_id)
        question = item.question if item else session.get(Question, answer.question_id)
        rows.append(
            [
                workshop.title,
                workshop_date(workshop),
                numbers[answer.attempt_id],
                words.rounds.get(answer.round, answer.round),
                item.position if item else "",
                answer.shown_at,
                topic_titles.get(question.topic.key, question.topic.key),
                text_in(question.prompt, locale),
                CHOICE_SEPARATOR.join(text_in(c.text, locale) for c in shown if c.id in chosen),
                words.yes if answer.correct else words.no,
                ", ".join(str(n) for n, c in enumerate(shown, start=1) if c.id in chosen),
                CHOICE_SEPARATOR.join(
                    f"{n}. {text_in(c.text, locale)}" for n, c in enumerate(shown, start=1)
                ),
                answered_time(answer.answered_at),
            ]
        )
    return rows
