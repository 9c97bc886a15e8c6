"""The bank's entries (sources, topics, questions, messages) and its errors, as plain data."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..vocabulary import FILE_LANGUAGES

LANGUAGES = FILE_LANGUAGES
BANDS = ("low", "mid", "high")
SOURCES_FILE = "sources.yaml"
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
DATE_PATTERN = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
MAX_CHOICES = 6
# Message questions: how the message is drawn, and how a phrase is placed in its text.
MESSAGE_KINDS = ("post", "chat", "sms", "flyer")
CHAT_SIDES = ("them", "me")
MAX_PHRASES = 10
PHRASE_MARK = re.compile(r"\[\[([^\[\]]*)\]\]")
TRUE_FALSE_LABELS = {
    "true": {"en": "True", "vi": "Đúng"},
    "false": {"en": "False", "vi": "Sai"},
}


def N_(message: str) -> str:
    """Mark a message for translation without translating it here (no Flask in this module)."""
    return message


@dataclass(frozen=True)
class BankError:
    """One problem in one place of the bank; ``message`` is an English template for gettext."""

    file: str
    line: int
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)
    # The field of the entry the error is about ("prompt", "url", "parts"…), where it is one:
    # editors show the message next to that field, whatever its wording.
    about: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message % dict(self.params)}"


class BankInvalid(Exception):
    """Raised with every error found; the caller changes nothing."""

    def __init__(self, errors: list[BankError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


Text = dict[str, str]


DEFAULT_SOURCE_LANGUAGE = "en"


@dataclass
class SourceEntry:
    key: str
    title: str
    publisher: str
    url: str
    date: str | None = None
    notes: list[str] = field(default_factory=list)
    # The language of the title: most sources are English pages, a few Vietnamese articles.
    language: str = DEFAULT_SOURCE_LANGUAGE


@dataclass
class ChoiceEntry:
    key: str
    text: Text
    correct: bool = False
    # Message questions: why this phrase is, or is not, a red flag.
    why: Text | None = None


@dataclass
class MessagePart:
    """One paragraph of a post, SMS or flyer, or one bubble of a chat (``side`` them or me).

    Its text places phrases by key, ``[[key]]``, once each in each language.
    """

    text: Text
    side: str | None = None


@dataclass
class MessageEntry:
    kind: str
    sender: Text
    parts: list[MessagePart]
    detail: Text | None = None


def message_data(message: MessageEntry) -> dict[str, Any]:
    """The message as stored (JSON on the revision) and as written to the bank files."""
    data: dict[str, Any] = {"kind": message.kind, "sender": dict(message.sender)}
    if message.detail:
        data["detail"] = dict(message.detail)
    parts = []
    for part in message.parts:
        item: dict[str, Any] = {"from": part.side} if part.side else {}
        item["text"] = dict(part.text)
        parts.append(item)
    data["parts"] = parts
    return data


def message_from_data(data: Mapping[str, Any]) -> MessageEntry:
    return MessageEntry(
        kind=data["kind"],
        sender=dict(data["sender"]),
        parts=[MessagePart(dict(p["text"]), p.get("from")) for p in data["parts"]],
        detail=dict(data["detail"]) if data.get("detail") else None,
    )


def split_phrases(text: str) -> list[tuple[str, str | None]]:
    """A part's text as pieces: (plain text, None) and (phrase key, key) in reading order."""
    pieces: list[tuple[str, str | None]] = []
    last = 0
    for match in PHRASE_MARK.finditer(text):
        if match.start() > last:
            pieces.append((text[last : match.start()], None))
        pieces.append((match.group(1).strip(), match.group(1).strip()))
        last = match.end()
    if last < len(text):
        pieces.append((text[last:], None))
    return pieces


def placed_phrases(text: str) -> list[str]:
    return [key for _piece, key in split_phrases(text) if key is not None]


@dataclass
class QuestionEntry:
    key: str
    type: str
    prompt: Text
    explanation: Text
    choices: list[ChoiceEntry]
    sources: list[str]
    status: str = "published"
    scenario: Text | None = None
    message: MessageEntry | None = None

    @property
    def correct_keys(self) -> frozenset[str]:
        return frozenset(c.key for c in self.choices if c.correct)


@dataclass
class FactEntry:
    text: Text
    source: str


@dataclass
class TopicEntry:
    key: str
    position: int
    title: Text
    summary: Text
    facts: list[FactEntry]
    actions: list[Text]
    feedback: dict[str, Text]
    questions: list[QuestionEntry]


@dataclass
class Bank:
    sources: list[SourceEntry]
    topics: list[TopicEntry]

    def source_keys(self) -> set[str]:
        return {s.key for s in self.sources}


def true_false_choices(answer: bool) -> list[ChoiceEntry]:
    """True/false questions store two ordinary choices so that grading has one path."""
    return [
        ChoiceEntry("true", dict(TRUE_FALSE_LABELS["true"]), answer is True),
        ChoiceEntry("false", dict(TRUE_FALSE_LABELS["false"]), answer is False),
    ]
