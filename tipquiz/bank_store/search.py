"""Finding questions for the admin's list: by words in either language, topic, type, status."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..bank import (
    LANGUAGES,
    PHRASE_MARK,
)
from ..models import (
    Question,
    QuestionRevision,
    Topic,
)
from .usage import (
    answer_counts,
)

VIETNAMESE_SHARE = 0.3


def fold(text: str) -> str:
    """Text for matching: no case, no accents, "đ" as "d", so "dau hieu" finds "Dấu hiệu"."""
    text = unicodedata.normalize("NFD", text.casefold()).replace("đ", "d")
    return "".join(c for c in text if not unicodedata.combining(c))


def _has_marks(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word.casefold())
    return "đ" in decomposed or any(unicodedata.combining(c) for c in decomposed)


def written_in_vietnamese(text: str) -> bool:
    """Whether a text reads as Vietnamese: most of its words carry Vietnamese accents.

    English texts here name Vietnamese people and places ("Hùng", "đồng"), so a few accented
    words do not count; a third of the words does.
    """
    words = text.split()
    return bool(words) and sum(map(_has_marks, words)) / len(words) >= VIETNAMESE_SHARE


def missing_languages(texts: Iterable[Mapping[str, str] | None]) -> set[str]:
    """Languages a set of texts lacks.

    Both languages are needed to save, so a translation never made usually shows up as the
    other language pasted into its box; texts of three words or more are judged by that.
    """
    missing = set()
    for text in texts:
        if not text:
            continue
        for lang in LANGUAGES:
            value = (text.get(lang) or "").strip()
            looks_other = len(value.split()) >= 3 and written_in_vietnamese(value) != (lang == "vi")
            if not value or looks_other:
                missing.add(lang)
    return missing


def question_texts(question: Question, revision: QuestionRevision) -> list[Mapping[str, str]]:
    texts = [question.prompt, question.explanation, *(c.text for c in revision.choices)]
    texts += [c.why for c in revision.choices if c.why]
    if revision.message:
        # A part is judged as it reads, with its phrases in place of their keys.
        phrases = {c.key: c.text for c in revision.choices}

        def placed(text: str, lang: str) -> str:
            return PHRASE_MARK.sub(lambda m: phrases.get(m.group(1), {}).get(lang, ""), text)

        texts += [
            {lang: placed(text, lang) for lang, text in p["text"].items()}
            for p in revision.message["parts"]
        ]
    return [question.scenario, *texts] if question.scenario else texts


@dataclass(frozen=True)
class QuestionFilter:
    text: str = ""
    topic: str | None = None
    kind: str | None = None
    status: str | None = None
    missing: str | None = None


@dataclass(frozen=True)
class QuestionRow:
    question: Question
    revision: QuestionRevision
    answers: int
    missing: frozenset[str]


def find_questions(session: Session, wanted: QuestionFilter) -> list[QuestionRow]:
    """Questions matching a search, in the order the bank lists them.

    Topic, type and status are filtered in SQL; the text search runs over the few hundred
    questions in Python so that it can ignore Vietnamese accents in both languages.
    """
    query = (
        select(Question, QuestionRevision)
        .join(Topic, Topic.id == Question.topic_id)
        .join(
            QuestionRevision,
            (QuestionRevision.question_id == Question.id)
            & (QuestionRevision.number == Question.revision_number),
        )
        .order_by(Topic.position, Topic.key, Question.position, Question.key)
        .options(
            selectinload(Question.topic),
            selectinload(Question.revisions).selectinload(QuestionRevision.choices),
        )
    )
    if wanted.topic:
        query = query.where(Topic.key == wanted.topic)
    if wanted.kind:
        query = query.where(QuestionRevision.type == wanted.kind)
    if wanted.status:
        query = query.where(Question.status == wanted.status)
    counts = answer_counts(session)
    needle = fold(wanted.text.strip())
    rows = []
    for question, revision in session.execute(query):
        texts = question_texts(question, revision)
        if needle:
            haystack = " ".join([question.key, *(fold(t[lang]) for t in texts for lang in t)])
            if needle not in fold(haystack):
                continue
        missing = frozenset(missing_languages(texts))
        if wanted.missing and wanted.missing not in missing:
            continue
        rows.append(QuestionRow(question, revision, counts.get(question.id, 0), missing))
    return rows


def status_counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Question.status, func.count(Question.id)).group_by(Question.status)
    )
    return dict(rows.all())
