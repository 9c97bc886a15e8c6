"""Moving the whole bank between its files and the database: import, export, the revision rule."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session, selectinload

from ..bank import (
    Bank,
    ChoiceEntry,
    FactEntry,
    QuestionEntry,
    SourceEntry,
    TopicEntry,
    message_data,
    message_from_data,
)
from ..models import (
    AttemptQuestion,
    Choice,
    Fact,
    Question,
    QuestionRevision,
    Source,
    Topic,
    WorkshopQuestion,
    question_sources,
)


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    revised: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} questions created, {len(self.updated)} updated, "
            f"{len(self.revised)} given a new revision, {len(self.archived)} archived, "
            f"{len(self.deleted)} deleted"
        )


def revision_signature(kind: str, choices: list[tuple[str, bool]]) -> tuple:
    """What decides grading; two revisions with the same signature grade alike."""
    return (kind, tuple(sorted(choices)))


def question_in_use(session: Session, question: Question) -> bool:
    """Whether an attempt has shown this question or a workshop plans to: then it must not be
    deleted, only archived."""
    shown = (
        select(AttemptQuestion.id)
        .join(QuestionRevision)
        .where(QuestionRevision.question_id == question.id)
    )
    planned = select(WorkshopQuestion.id).where(WorkshopQuestion.question_id == question.id)
    return bool(session.scalar(select(exists(shown) | exists(planned))))


def import_bank(session: Session, bank: Bank) -> ImportReport:
    """Make the database say what the bank says. The caller commits or rolls back."""
    report = ImportReport()
    sources = _import_sources(session, bank.sources)
    topics = {t.key: t for t in session.scalars(select(Topic))}
    questions = {
        q.key: q
        for q in session.scalars(
            select(Question).options(
                selectinload(Question.revisions).selectinload(QuestionRevision.choices),
                selectinload(Question.sources),
            )
        )
    }
    seen: set[str] = set()
    for topic_entry in bank.topics:
        topic = topics.get(topic_entry.key)
        if topic is None:
            topic = Topic(key=topic_entry.key)
            session.add(topic)
            topics[topic.key] = topic
        with session.no_autoflush:
            _fill_topic(topic, topic_entry, sources)
        for position, entry in enumerate(topic_entry.questions, start=1):
            seen.add(entry.key)
            question = questions.get(entry.key)
            if question is None:
                question = Question(key=entry.key, revision_number=0)
                session.add(question)
                report.created.append(entry.key)
            else:
                report.updated.append(entry.key)
            question.topic = topic
            question.position = position
            revised = apply_question(question, entry, [sources[k] for k in entry.sources])
            if revised:
                report.revised.append(entry.key)
    session.flush()
    for key, question in questions.items():
        if key in seen:
            continue
        if question_in_use(session, question):
            if question.status != "archived":
                question.status = "archived"
                report.archived.append(key)
        else:
            session.delete(question)
            report.deleted.append(key)
    session.flush()
    bank_keys = {t.key for t in bank.topics}
    for key, topic in topics.items():
        if key not in bank_keys and not session.scalar(
            select(exists().where(Question.topic_id == topic.id))
        ):
            session.delete(topic)
    cited = select(question_sources.c.source_id).union(select(Fact.source_id))
    session.execute(
        delete(Source).where(Source.key.not_in(bank.source_keys()), Source.id.not_in(cited))
    )
    session.flush()
    return report


def _import_sources(session: Session, entries: list[SourceEntry]) -> dict[str, Source]:
    sources = {s.key: s for s in session.scalars(select(Source))}
    for position, entry in enumerate(entries, start=1):
        source = sources.get(entry.key)
        if source is None:
            source = Source(key=entry.key)
            session.add(source)
            sources[entry.key] = source
        source.title = entry.title
        source.language = entry.language
        source.publisher = entry.publisher
        source.date = entry.date
        source.url = entry.url
        source.notes = list(entry.notes)
        source.position = position
    return sources


def _fill_topic(topic: Topic, entry: TopicEntry, sources: dict[str, Source]) -> None:
    topic.position = entry.position
    topic.title = dict(entry.title)
    topic.summary = dict(entry.summary)
    # Facts are rewritten in place, position by position, so that no two rows of one topic
    # ever hold the same position while the change is flushed.
    for position, fact in enumerate(entry.facts, start=1):
        if position <= len(topic.facts):
            row = topic.facts[position - 1]
        else:
            row = Fact(position=position)
            topic.facts.append(row)
        row.text = dict(fact.text)
        row.source = sources[fact.source]
    del topic.facts[len(entry.facts) :]
    topic.actions = [dict(a) for a in entry.actions]
    topic.feedback = {band: dict(text) for band, text in entry.feedback.items()}


def apply_question(question: Question, entry: QuestionEntry, sources: list[Source]) -> bool:
    """Copy an entry onto a question; return True when grading changed (a new revision).

    Wording is corrected in place, on the question and on the current revision's choices.
    Anything that changes which answers are right starts a new revision instead.
    """
    question.status = entry.status
    question.scenario = dict(entry.scenario) if entry.scenario else None
    question.prompt = dict(entry.prompt)
    question.explanation = dict(entry.explanation)
    question.sources = sources
    current = next((r for r in question.revisions if r.number == question.revision_number), None)
    wanted = revision_signature(entry.type, [(c.key, c.correct) for c in entry.choices])
    message = message_data(entry.message) if entry.message else None
    if current is not None:
        have = revision_signature(current.type, [(c.key, c.correct) for c in current.choices])
        if have == wanted:
            by_key = {c.key: c for c in current.choices}
            for position, choice in enumerate(entry.choices, start=1):
                by_key[choice.key].text = dict(choice.text)
                by_key[choice.key].position = position
                by_key[choice.key].why = dict(choice.why) if choice.why else None
            current.message = message
            return False
    question.revision_number = (current.number if current else 0) + 1
    question.revisions.append(
        QuestionRevision(
            number=question.revision_number,
            type=entry.type,
            message=message,
            choices=[
                Choice(
                    key=c.key,
                    position=i,
                    text=dict(c.text),
                    correct=c.correct,
                    why=dict(c.why) if c.why else None,
                )
                for i, c in enumerate(entry.choices, start=1)
            ],
        )
    )
    return current is not None


def export_bank(session: Session) -> Bank:
    """Read the whole bank back out of the database, in the order the site shows it."""
    sources = [
        SourceEntry(s.key, s.title, s.publisher, s.url, s.date, list(s.notes or []), s.language)
        for s in session.scalars(select(Source).order_by(Source.position, Source.key))
    ]
    topics = []
    for topic in session.scalars(
        select(Topic)
        .order_by(Topic.position, Topic.key)
        .options(
            selectinload(Topic.questions)
            .selectinload(Question.revisions)
            .selectinload(QuestionRevision.choices),
            selectinload(Topic.questions).selectinload(Question.sources),
        )
    ):
        topics.append(
            TopicEntry(
                key=topic.key,
                position=topic.position,
                title=dict(topic.title),
                summary=dict(topic.summary),
                facts=[FactEntry(dict(f.text), f.source.key) for f in topic.facts],
                actions=[dict(a) for a in topic.actions],
                feedback={band: dict(text) for band, text in topic.feedback.items()},
                questions=[question_entry(q) for q in topic.questions],
            )
        )
    return Bank(sources, topics)


def question_entry(question: Question) -> QuestionEntry:
    revision = next(r for r in question.revisions if r.number == question.revision_number)
    return QuestionEntry(
        key=question.key,
        type=revision.type,
        prompt=dict(question.prompt),
        explanation=dict(question.explanation),
        choices=[
            ChoiceEntry(c.key, dict(c.text), c.correct, dict(c.why) if c.why else None)
            for c in revision.choices
        ],
        sources=[s.key for s in question.sources],
        status=question.status,
        scenario=dict(question.scenario) if question.scenario else None,
        message=message_from_data(revision.message) if revision.message else None,
    )
