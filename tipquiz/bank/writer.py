"""Writing the bank back to YAML, in one canonical layout so a round trip is byte-identical."""

from __future__ import annotations

from typing import Any

import yaml

from .entries import (
    BANDS,
    DEFAULT_SOURCE_LANGUAGE,
    LANGUAGES,
    SOURCES_FILE,
    Bank,
    MessageEntry,
    QuestionEntry,
    SourceEntry,
    Text,
    TopicEntry,
    message_data,
)


class _BankDumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_BankDumper.add_representer(str, _represent_str)


def _dump(data: Any) -> str:
    return yaml.dump(
        data, Dumper=_BankDumper, allow_unicode=True, sort_keys=False, width=100, indent=2
    )


def _text(text: Text) -> dict[str, str]:
    """Multi-paragraph texts end with a newline so that they dump as clean ``|`` blocks."""
    return {lang: text[lang] + ("\n" if "\n" in text[lang] else "") for lang in LANGUAGES}


def write_bank(bank: Bank) -> dict[str, str]:
    """The bank as {file name: text}, in one canonical layout so exports are byte-stable."""
    files = {SOURCES_FILE: _dump({"sources": [_source_data(s) for s in bank.sources]})}
    for topic in bank.topics:
        files[f"{topic.key}.yaml"] = _dump(_topic_data(topic))
    return files


def _source_data(source: SourceEntry) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": source.key,
        "title": source.title,
    }
    if source.language != DEFAULT_SOURCE_LANGUAGE:
        data["language"] = source.language
    data["publisher"] = source.publisher
    if source.date:
        data["date"] = source.date
    data["url"] = source.url
    if source.notes:
        data["notes"] = list(source.notes)
    return data


def _topic_data(topic: TopicEntry) -> dict[str, Any]:
    return {
        "key": topic.key,
        "position": topic.position,
        "title": _text(topic.title),
        "summary": _text(topic.summary),
        "facts": [{"text": _text(f.text), "source": f.source} for f in topic.facts],
        "actions": [_text(a) for a in topic.actions],
        "feedback": {band: _text(topic.feedback[band]) for band in BANDS},
        "questions": [_question_data(q) for q in topic.questions],
    }


def _question_data(question: QuestionEntry) -> dict[str, Any]:
    data: dict[str, Any] = {"key": question.key, "type": question.type}
    if question.status != "published":
        data["status"] = question.status
    if question.scenario:
        data["scenario"] = _text(question.scenario)
    data["prompt"] = _text(question.prompt)
    if question.message is not None:
        data["message"] = _message_data(question.message)
    if question.type == "true_false":
        data["answer"] = "true" in question.correct_keys
    else:
        choices = []
        for choice in question.choices:
            item: dict[str, Any] = {"key": choice.key, "text": _text(choice.text)}
            if choice.correct:
                item["correct"] = True
            if choice.why:
                item["why"] = _text(choice.why)
            choices.append(item)
        data["choices"] = choices
    data["explanation"] = _text(question.explanation)
    data["sources"] = list(question.sources)
    return data


def _message_data(message: MessageEntry) -> dict[str, Any]:
    data = message_data(message)
    data["sender"] = _text(message.sender)
    if message.detail:
        data["detail"] = _text(message.detail)
    for item, part in zip(data["parts"], message.parts, strict=True):
        item["text"] = _text(part.text)
    return data
