"""Moving a checked ``Bank`` into the database and back out, without breaking stored answers.

Import matches everything by its stable key, so it can be run again and again. A question whose
type, choices or correct answers change gets a new revision; answers already given stay with the
revision they were graded against. A question that leaves the files is archived if anyone has
answered it, and only deleted if nobody has.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy import case, delete, exists, func, select
from sqlalchemy.orm import Session, selectinload

from .bank import (
    LANGUAGES,
    N_,
    PHRASE_MARK,
    Bank,
    BankError,
    BankInvalid,
    ChoiceEntry,
    FactEntry,
    QuestionEntry,
    SourceEntry,
    TopicEntry,
    message_data,
    message_from_data,
    read_bank_files,
    write_bank,
)
from .models import (
    Answer,
    AnswerChoice,
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


# --- editing one thing at a time (the admin pages) ---------------------------------------------
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


@dataclass(frozen=True)
class Citations:
    questions: list[str]
    topics: list[str]

    def __bool__(self) -> bool:
        return bool(self.questions or self.topics)


def source_citations(session: Session, key: str) -> Citations:
    """Which questions and which topics' key facts cite a source: it cannot go while any do."""
    questions = session.scalars(
        select(Question.key).join(Question.sources).where(Source.key == key).order_by(Question.key)
    ).all()
    topics = session.scalars(
        select(Topic.key)
        .join(Fact, Fact.topic_id == Topic.id)
        .join(Source, Source.id == Fact.source_id)
        .where(Source.key == key)
        .group_by(Topic.key, Topic.position)
        .order_by(Topic.position)
    ).all()
    return Citations(list(questions), list(topics))


def citation_counts(session: Session) -> dict[int, int]:
    """How many questions cite each source, by source id."""
    rows = session.execute(
        select(question_sources.c.source_id, func.count()).group_by(question_sources.c.source_id)
    )
    return dict(rows.all())


def topic_question_counts(session: Session) -> dict[int, dict[str, int]]:
    """Questions per topic and status: {topic id: {status: count}}."""
    counts: dict[int, dict[str, int]] = {}
    rows = session.execute(
        select(Question.topic_id, Question.status, func.count(Question.id)).group_by(
            Question.topic_id, Question.status
        )
    )
    for topic_id, status, count in rows:
        counts.setdefault(topic_id, {})[status] = count
    return counts


def answer_counts(session: Session) -> dict[int, int]:
    """Answers stored per question, over all its revisions, by question id."""
    rows = session.execute(
        select(QuestionRevision.question_id, func.count(Answer.id))
        .join(Answer, Answer.revision_id == QuestionRevision.id)
        .group_by(QuestionRevision.question_id)
    )
    return dict(rows.all())


@dataclass(frozen=True)
class RevisionStats:
    revision: QuestionRevision
    answers: int
    correct: int
    picks: dict[int, int]


def revision_statistics(session: Session, question: Question) -> list[RevisionStats]:
    """Per revision: answers, how many were right, and how often each choice was picked.

    Each answer stays with the revision it was graded against, so an edit that changed the
    right answer does not move old picks onto new choices.
    """
    totals = {
        revision_id: (count, int(right or 0))
        for revision_id, count, right in session.execute(
            select(
                Answer.revision_id,
                func.count(Answer.id),
                func.sum(case((Answer.correct.is_(True), 1), else_=0)),
            )
            .join(QuestionRevision, QuestionRevision.id == Answer.revision_id)
            .where(QuestionRevision.question_id == question.id)
            .group_by(Answer.revision_id)
        )
    }
    picks = dict(
        session.execute(
            select(AnswerChoice.choice_id, func.count())
            .join(Choice, Choice.id == AnswerChoice.choice_id)
            .join(QuestionRevision, QuestionRevision.id == Choice.revision_id)
            .where(QuestionRevision.question_id == question.id)
            .group_by(AnswerChoice.choice_id)
        ).all()
    )
    revisions = session.scalars(
        select(QuestionRevision)
        .where(QuestionRevision.question_id == question.id)
        .order_by(QuestionRevision.number.desc())
        .options(selectinload(QuestionRevision.choices))
    )
    return [
        RevisionStats(
            revision,
            *totals.get(revision.id, (0, 0)),
            {c.id: picks.get(c.id, 0) for c in revision.choices},
        )
        for revision in revisions
    ]


# --- finding questions ------------------------------------------------------------------------

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


# --- import and export through the browser ---------------------------------------------------

MAX_UPLOAD_FILES = 100
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def bank_zip(files: Mapping[str, str]) -> bytes:
    """The bank files as a zip whose bytes depend only on their text, so exports compare equal."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name].encode("utf-8"))
    return buffer.getvalue()


class UploadRefused(Exception):
    """An upload that cannot even be read as bank files; every problem found is in ``errors``."""

    def __init__(self, errors: list[BankError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def _decode(name: str, data: bytes, errors: list[BankError]) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        errors.append(BankError(name, 0, N_("the file is not UTF-8 text")))
        return None


def _skipped(path: str) -> bool:
    """Folders and the hidden files some systems add to zips (``__MACOSX``, ``._name``)."""
    parts = path.split("/")
    return path.endswith("/") or any(p.startswith(".") or p == "__MACOSX" for p in parts)


def _unzip(
    name: str, data: bytes, files: dict[str, str], errors: list[BankError], budget: list[int]
) -> None:
    """Add the ``.yaml`` files of a zip, wherever they sit in it; guard against zip bombs.

    ``budget`` is the number of bytes still allowed, shared by all files of one upload.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError):
        errors.append(BankError(name, 0, N_("not a valid zip file")))
        return
    with archive:
        members = [i for i in archive.infolist() if not _skipped(i.filename)]
        members = [i for i in members if i.filename.endswith(".yaml")]
        if len(archive.infolist()) > MAX_UPLOAD_FILES * 2 or len(members) > MAX_UPLOAD_FILES:
            errors.append(
                BankError(
                    name,
                    0,
                    N_("the zip holds more than %(count)s files"),
                    {"count": MAX_UPLOAD_FILES},
                )
            )
            return
        if sum(i.file_size for i in members) > budget[0]:
            errors.append(_too_big(name))
            return
        for info in members:
            inner = info.filename.rsplit("/", 1)[-1]
            if info.flag_bits & 0x1:
                errors.append(BankError(inner, 0, N_("the file is encrypted")))
                continue
            try:
                with archive.open(info) as member:
                    content = member.read(budget[0] + 1)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
                errors.append(BankError(inner, 0, N_("the file is damaged in the zip")))
                continue
            if len(content) > budget[0]:
                errors.append(_too_big(name))
                return
            budget[0] -= len(content)
            _add(inner, _decode(inner, content, errors), files, errors)


def _too_many(name: str) -> BankError:
    """More files than any bank has, whether in zips, as plain parts, or both together."""
    return BankError(
        name, 0, N_("the upload holds more than %(count)s files"), {"count": MAX_UPLOAD_FILES}
    )


def _too_big(name: str) -> BankError:
    return BankError(
        name,
        0,
        N_("unpacked, the upload would be larger than %(size)s MB"),
        {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
    )


def _add(name: str, text: str | None, files: dict[str, str], errors: list[BankError]) -> None:
    if text is None:
        return
    if name in files:
        errors.append(
            BankError(name, 0, N_("the upload holds two files named %(name)s"), {"name": name})
        )
        return
    files[name] = text


def unpack_upload(uploads: Iterable[tuple[str, bytes]]) -> dict[str, str]:
    """Bank files from uploaded ``.yaml`` files and ``.zip`` archives, as {name: text}.

    Raises ``UploadRefused`` with every problem: a wrong kind of file, text that is not UTF-8,
    too many files, or more unpacked bytes than ``MAX_UPLOAD_BYTES``.
    """
    files: dict[str, str] = {}
    errors: list[BankError] = []
    budget = [MAX_UPLOAD_BYTES]
    uploads = list(uploads)
    plain = [name for name, _data in uploads if not name.lower().endswith(".zip")]
    if len(plain) > MAX_UPLOAD_FILES:
        raise UploadRefused([_too_many("-")])
    for raw_name, data in uploads:
        name = raw_name.replace("\\", "/").rsplit("/", 1)[-1]
        if name.lower().endswith(".zip"):
            _unzip(name, data, files, errors, budget)
        elif name.endswith(".yaml"):
            if len(data) > budget[0]:
                errors.append(_too_big(name))
                continue
            budget[0] -= len(data)
            _add(name, _decode(name, data, errors), files, errors)
        else:
            errors.append(
                BankError(name, 0, N_("only .yaml files and .zip archives can be imported"))
            )
    if not files and not errors:
        errors.append(BankError("-", 0, N_("the upload holds no .yaml file")))
    if len(files) > MAX_UPLOAD_FILES:
        errors.append(_too_many("-"))
    if errors:
        raise UploadRefused(errors)
    return files


@dataclass
class BankChange:
    """What an import did: the import report, and the files whose canonical text changed."""

    report: ImportReport
    old_files: dict[str, str]
    new_files: dict[str, str]


def import_bank_files(session: Session, uploaded: Mapping[str, str], *, whole: bool) -> BankChange:
    """Import uploaded files, all or nothing; raise ``BankInvalid`` with every error.

    Unless ``whole`` is set, the files replace only their namesakes in the current bank, and
    are checked together with the rest of it. The caller commits or rolls back.
    """
    before = write_bank(export_bank(session))
    files = dict(uploaded) if whole else {**before, **uploaded}
    bank = read_bank_files(files)
    report = import_bank(session, bank)
    session.expire_all()
    after = write_bank(export_bank(session))
    changed = sorted(n for n in {*before, *after} if before.get(n) != after.get(n))
    return BankChange(
        report,
        {n: before[n] for n in changed if n in before},
        {n: after[n] for n in changed if n in after},
    )
