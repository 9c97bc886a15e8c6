"""Checking bank files: every mistake in one pass, each with its file and line."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from ..vocabulary import QUESTION_TYPES, STATUSES
from .entries import (
    BANDS,
    CHAT_SIDES,
    DATE_PATTERN,
    DEFAULT_SOURCE_LANGUAGE,
    KEY_PATTERN,
    LANGUAGES,
    MAX_CHOICES,
    MAX_PHRASES,
    MESSAGE_KINDS,
    N_,
    SOURCES_FILE,
    Bank,
    BankError,
    BankInvalid,
    ChoiceEntry,
    FactEntry,
    MessageEntry,
    MessagePart,
    QuestionEntry,
    SourceEntry,
    Text,
    TopicEntry,
    placed_phrases,
    true_false_choices,
)
from .yaml_lines import (
    Node,
    parse_yaml,
)


class _Checker:
    """Walks the parsed files, building entries and collecting every error on the way."""

    def __init__(self) -> None:
        self.errors: list[BankError] = []

    def error(
        self, file: str, line: int, message: str, about: str | None = None, **params: Any
    ) -> None:
        self.errors.append(BankError(file, line, message, params, about))

    def mapping(self, value: Any, file: str, line: int, what: str) -> Node | None:
        if isinstance(value, Node):
            return value
        self.error(file, line, N_("%(what)s must be a mapping of fields"), what=what)
        return None

    def fields(
        self, node: Node, file: str, allowed: Iterable[str], required: Iterable[str]
    ) -> None:
        allowed = set(allowed)
        for key in node:
            if key not in allowed:
                self.error(file, node.line_of(key), N_("unknown field '%(field)s'"), field=key)
        for key in required:
            if key not in node:
                self.error(file, node.line, N_("missing field '%(field)s'"), field=key)

    def string(self, node: Node, key: str, file: str, required: bool = True) -> str | None:
        value = node.get(key)
        if value is None:
            if required and key in node:
                self.error(file, node.line_of(key), N_("'%(field)s' is empty"), field=key)
            return None
        if isinstance(value, date):
            value = value.isoformat()
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(file, node.line_of(key), N_("'%(field)s' must be text"), field=key)
            return None
        value = str(value).strip()
        if not value and required:
            self.error(file, node.line_of(key), N_("'%(field)s' is empty"), field=key)
            return None
        return value

    def key(self, node: Node, file: str) -> str | None:
        value = self.string(node, "key", file)
        if value is not None and not KEY_PATTERN.match(value):
            self.error(
                file,
                node.line_of("key"),
                N_("key '%(key)s' may use only a-z, 0-9 and '-'"),
                key=value,
            )
            return None
        return value

    def text(self, value: Any, file: str, line: int, what: str) -> Text | None:
        """A bilingual text: both languages present and not empty."""
        if isinstance(value, str):
            self.error(file, line, N_("%(what)s needs both 'en' and 'vi'"), what=what)
            return None
        node = self.mapping(value, file, line, what)
        if node is None:
            return None
        ok = True
        for key in node:
            if key not in LANGUAGES:
                self.error(file, node.line_of(key), N_("unknown language '%(lang)s'"), lang=key)
                ok = False
        for lang in LANGUAGES:
            item = node.get(lang)
            if lang not in node or item is None or (isinstance(item, str) and not item.strip()):
                self.error(
                    file,
                    node.line_of(lang),
                    N_("%(what)s: missing translation '%(lang)s'"),
                    what=what,
                    lang=lang,
                )
                ok = False
            elif not isinstance(item, str):
                self.error(
                    file,
                    node.line_of(lang),
                    N_("%(what)s: '%(lang)s' must be text"),
                    what=what,
                    lang=lang,
                )
                ok = False
        if not ok:
            return None
        return {lang: node[lang].strip() for lang in LANGUAGES}

    def text_field(self, node: Node, key: str, file: str, required: bool = True) -> Text | None:
        if key not in node or node[key] is None:
            if required:
                self.error(file, node.line_of(key), N_("missing field '%(field)s'"), field=key)
            return None
        return self.text(node[key], file, node.line_of(key), key)

    def listing(self, node: Node, key: str, file: str, required: bool = True) -> list[Any]:
        value = node.get(key)
        if value is None:
            if required:
                self.error(file, node.line_of(key), N_("missing field '%(field)s'"), field=key)
            return []
        if not isinstance(value, list):
            self.error(file, node.line_of(key), N_("'%(field)s' must be a list"), field=key)
            return []
        return value

    # sources.yaml

    def sources(self, data: Any, file: str) -> list[SourceEntry]:
        root = self.mapping(data, file, 1, "sources.yaml")
        if root is None:
            return []
        self.fields(root, file, ["sources"], ["sources"])
        entries: list[SourceEntry] = []
        seen: dict[str, int] = {}
        for item in self.listing(root, "sources", file):
            node = self.mapping(item, file, root.line_of("sources"), "a source")
            if node is None:
                continue
            self.fields(
                node,
                file,
                ["key", "title", "language", "publisher", "date", "url", "notes"],
                ["key", "title", "publisher", "url"],
            )
            language = self.source_language(node, file)
            key = self.key(node, file)
            title = self.string(node, "title", file)
            publisher = self.string(node, "publisher", file)
            url = self.string(node, "url", file)
            when = self.string(node, "date", file, required=False)
            if url is not None and not re.match(r"^https?://[^\s/]+\.[^\s]+$", url):
                self.error(
                    file, node.line_of("url"), N_("'%(url)s' is not a web address"), "url", url=url
                )
            if when is not None and not DATE_PATTERN.match(when):
                self.error(
                    file, node.line_of("date"), N_("date must be YYYY, YYYY-MM or YYYY-MM-DD")
                )
            notes = []
            for note in self.listing(node, "notes", file, required=False):
                if isinstance(note, str) and note.strip():
                    notes.append(note.strip())
                else:
                    self.error(file, node.line_of("notes"), N_("every note must be text"))
            if key is not None:
                if key in seen:
                    self.error(
                        file,
                        node.line_of("key"),
                        N_("duplicate source key '%(key)s' (first on line %(first)s)"),
                        key=key,
                        first=seen[key],
                    )
                seen.setdefault(key, node.line_of("key"))
            if None not in (key, title, publisher, url):
                entries.append(SourceEntry(key, title, publisher, url, when, notes, language))
        return entries

    def source_language(self, node: Node, file: str) -> str:
        """The title's language: optional, English when left out."""
        language = self.string(node, "language", file, required=False)
        if language is None:
            return DEFAULT_SOURCE_LANGUAGE
        if language not in LANGUAGES:
            self.error(
                file,
                node.line_of("language"),
                N_("unknown language '%(language)s' (use en or vi)"),
                language=language,
            )
        return language

    # <topic>.yaml

    def topic(self, data: Any, file: str) -> tuple[TopicEntry | None, dict[str, int], list[int]]:
        """Check one topic file; also return the lines of question keys and fact sources."""
        root = self.mapping(data, file, 1, "a topic file")
        if root is None:
            return None, {}, []
        self.fields(
            root,
            file,
            ["key", "position", "title", "summary", "facts", "actions", "feedback", "questions"],
            ["key", "title", "summary", "feedback", "questions"],
        )
        key = self.key(root, file)
        stem = Path(file).stem
        if key is not None and key != stem:
            self.error(
                file,
                root.line_of("key"),
                N_("topic key '%(key)s' must match the file name '%(stem)s'"),
                key=key,
                stem=stem,
            )
        position = root.get("position", 0)
        if isinstance(position, bool) or not isinstance(position, int):
            self.error(file, root.line_of("position"), N_("'position' must be a whole number"))
            position = 0
        title = self.text_field(root, "title", file)
        summary = self.text_field(root, "summary", file)
        facts = []
        for item in self.listing(root, "facts", file, required=False):
            node = self.mapping(item, file, root.line_of("facts"), "a fact")
            if node is None:
                continue
            self.fields(node, file, ["text", "source"], ["text", "source"])
            text = self.text_field(node, "text", file)
            source = self.string(node, "source", file)
            if text is not None and source is not None:
                facts.append((FactEntry(text, source), node.line_of("source")))
        actions = []
        for item in self.listing(root, "actions", file, required=False):
            text = self.text(item, file, root.line_of("actions"), "an action")
            if text is not None:
                actions.append(text)
        feedback: dict[str, Text] = {}
        node = self.mapping(root.get("feedback"), file, root.line_of("feedback"), "feedback")
        if node is not None:
            self.fields(node, file, BANDS, BANDS)
            for band in BANDS:
                text = self.text_field(node, band, file, required=False)
                if text is not None:
                    feedback[band] = text
        questions = []
        lines: dict[str, int] = {}
        for item in self.listing(root, "questions", file):
            node = self.mapping(item, file, root.line_of("questions"), "a question")
            if node is None:
                continue
            question = self.question(node, file)
            if question is not None:
                if question.key in lines:
                    self.error(
                        file,
                        node.line_of("key"),
                        N_("duplicate question key '%(key)s' (first on line %(first)s)"),
                        key=question.key,
                        first=lines[question.key],
                    )
                    continue
                lines[question.key] = node.line_of("key")
                questions.append(question)
        fact_lines = [line for _fact, line in facts]
        if None in (key, title, summary) or len(feedback) != len(BANDS):
            return None, lines, fact_lines
        entry = TopicEntry(
            key, position, title, summary, [f for f, _ in facts], actions, feedback, questions
        )
        return entry, lines, fact_lines

    def question(self, node: Node, file: str) -> QuestionEntry | None:
        self.fields(
            node,
            file,
            [
                "key",
                "type",
                "status",
                "scenario",
                "prompt",
                "choices",
                "answer",
                "message",
                "explanation",
                "sources",
            ],
            ["key", "type", "prompt", "explanation", "sources"],
        )
        key = self.key(node, file)
        kind = self.string(node, "type", file)
        if kind is not None and kind not in QUESTION_TYPES:
            self.error(
                file,
                node.line_of("type"),
                N_(
                    "unknown question type '%(type)s' (use single, multiple, true_false or message)"
                ),
                type=kind,
            )
            kind = None
        status = self.string(node, "status", file, required=False) or "published"
        if status not in STATUSES:
            self.error(
                file,
                node.line_of("status"),
                N_("unknown status '%(status)s' (use published or draft)"),
                status=status,
            )
        scenario = self.text_field(node, "scenario", file, required=False)
        prompt = self.text_field(node, "prompt", file)
        if prompt is not None and repeats_select_all(prompt):
            self.error(
                file,
                node.line_of("prompt"),
                N_('leave "Select all that apply" out of the prompt: the page says it'),
            )
        explanation = self.text_field(node, "explanation", file)
        choices = self.choices(node, file, kind)
        message = None
        if kind == "message":
            message = self.message(node, file)
        elif "message" in node:
            self.error(file, node.line_of("message"), N_("'message' is only for message questions"))
        sources = []
        for item in self.listing(node, "sources", file):
            if isinstance(item, str) and item.strip():
                sources.append(item.strip())
            else:
                self.error(file, node.line_of("sources"), N_("every source must be a source key"))
        if "sources" in node and isinstance(node["sources"], list) and not node["sources"]:
            self.error(file, node.line_of("sources"), N_("a question needs at least one source"))
        if None in (key, kind, prompt, explanation, choices) or not sources:
            return None
        if kind == "message" and message is None:
            return None
        return QuestionEntry(
            key, kind, prompt, explanation, choices, sources, status, scenario, message
        )

    def choices(self, node: Node, file: str, kind: str | None) -> list[ChoiceEntry] | None:
        if kind == "true_false":
            if "choices" in node:
                self.error(
                    file,
                    node.line_of("choices"),
                    N_("a true_false question takes 'answer', not 'choices'"),
                )
            answer = node.get("answer")
            if not isinstance(answer, bool):
                self.error(
                    file,
                    node.line_of("answer"),
                    N_("a true_false question needs 'answer: true' or 'answer: false'"),
                )
                return None
            return true_false_choices(answer)
        if "answer" in node:
            self.error(
                file, node.line_of("answer"), N_("'answer' is only for true_false questions")
            )
        items = self.listing(node, "choices", file)
        line = node.line_of("choices")
        choices: list[ChoiceEntry] = []
        seen: set[str] = set()
        ok = True
        for item in items:
            choice = self.mapping(item, file, line, "a choice")
            if choice is None:
                ok = False
                continue
            if kind == "message":
                self.fields(choice, file, ["key", "text", "correct", "why"], ["key", "text", "why"])
                why = self.text_field(choice, "why", file, required="why" in choice)
                ok = ok and why is not None
            else:
                self.fields(choice, file, ["key", "text", "correct"], ["key", "text"])
                why = None
            key = self.key(choice, file)
            text = self.text_field(choice, "text", file)
            correct = choice.get("correct", False)
            if not isinstance(correct, bool):
                self.error(file, choice.line_of("correct"), N_("'correct' must be true or false"))
                ok = False
            if key is not None and key in seen:
                self.error(
                    file, choice.line_of("key"), N_("duplicate choice key '%(key)s'"), key=key
                )
                ok = False
            if key is None or text is None:
                ok = False
                continue
            seen.add(key)
            choices.append(ChoiceEntry(key, text, correct is True, why))
        if not items:
            return None
        if kind == "message":
            if not 2 <= len(items) <= MAX_PHRASES:
                self.error(file, line, N_("a message question needs 2 to 10 phrases"))
                ok = False
        elif not 2 <= len(items) <= MAX_CHOICES:
            self.error(file, line, N_("a question needs 2 to 6 choices"))
            ok = False
        if not ok or kind is None:
            return None
        for message in choice_rule_errors(kind, [c.correct for c in choices]):
            self.error(file, line, message)
            ok = False
        return choices if ok else None

    def message(self, node: Node, file: str) -> MessageEntry | None:
        """The message of a message question; every phrase placed exactly once per language."""
        root = self.mapping(node.get("message"), file, node.line_of("message"), "'message'")
        if root is None:
            return None
        self.fields(root, file, ["kind", "sender", "detail", "parts"], ["kind", "sender", "parts"])
        kind = self.string(root, "kind", file)
        if kind is not None and kind not in MESSAGE_KINDS:
            self.error(
                file,
                root.line_of("kind"),
                N_("unknown message kind '%(kind)s' (use post, chat, sms or flyer)"),
                kind=kind,
            )
            kind = None
        sender = self.text_field(root, "sender", file)
        detail = self.text_field(root, "detail", file, required=False)
        parts: list[MessagePart] = []
        ok = None not in (kind, sender)
        raw = node.get("choices")
        keys = [c.get("key") for c in raw if isinstance(c, Node)] if isinstance(raw, list) else []
        keys = [str(k).strip() for k in keys if isinstance(k, str)]
        placed: dict[str, dict[str, int]] = {lang: {} for lang in LANGUAGES}
        items = self.listing(root, "parts", file)
        if "parts" in root and not items:
            self.error(file, root.line_of("parts"), N_("a message needs at least one part"))
            ok = False
        for item in items:
            part = self.mapping(item, file, root.line_of("parts"), "a part")
            if part is None:
                ok = False
                continue
            self.fields(part, file, ["from", "text"], ["text"])
            side = self.string(part, "from", file, required=False)
            if kind == "chat" and side not in CHAT_SIDES:
                self.error(
                    file,
                    part.line_of("from"),
                    N_("every bubble of a chat needs 'from: them' or 'from: me'"),
                    "parts",
                )
                ok = False
            elif kind is not None and kind != "chat" and "from" in part:
                self.error(
                    file, part.line_of("from"), N_("'from' is only for chat bubbles"), "parts"
                )
                ok = False
            text = self.text_field(part, "text", file)
            if text is None:
                ok = False
                continue
            for lang in LANGUAGES:
                for key in placed_phrases(text[lang]):
                    if key not in keys:
                        self.error(
                            file,
                            part.line_of("text"),
                            N_("the %(lang)s text places '[[%(key)s]]', which is no phrase"),
                            "parts",
                            lang=lang,
                            key=key,
                        )
                        ok = False
                    elif key in placed[lang]:
                        self.error(
                            file,
                            part.line_of("text"),
                            N_("phrase '%(key)s' is placed twice in the %(lang)s message"),
                            "parts",
                            lang=lang,
                            key=key,
                        )
                        ok = False
                    placed[lang][key] = part.line_of("text")
            parts.append(MessagePart(text, side if kind == "chat" else None))
        for key in dict.fromkeys(keys):
            for lang in LANGUAGES:
                if key not in placed[lang] and items:
                    self.error(
                        file,
                        node.line_of("choices"),
                        N_("phrase '%(key)s' is not placed in the %(lang)s message"),
                        "parts",
                        key=key,
                        lang=lang,
                    )
                    ok = False
        if not ok or kind is None or sender is None:
            return None
        return MessageEntry(kind, sender, parts, detail)


def choice_rule_errors(kind: str, correct_flags: list[bool]) -> list[str]:
    """The rule on correct choices, shared by the bank files and the admin editor."""
    count = sum(correct_flags)
    if kind == "message":
        errors = []
        if count == 0:
            errors.append(N_("no phrase is marked as a red flag"))
        if count == len(correct_flags):
            errors.append(N_("every phrase is a red flag: add an innocent one"))
        return errors
    if count == 0:
        return [N_("no choice is marked correct")]
    if kind == "single" and count != 1:
        return [N_("a single-choice question needs exactly one correct choice")]
    return []


# --- figures in explanations ----------------------------------------------------------------

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def figures(text: str, lang: str) -> set[str]:
    """Numbers in a text, written one way whatever the language's separators.

    English writes "1,093" and "11.3"; Vietnamese writes "1.093" and "11,3". Both become
    "1093" and "11.3" so that a figure can be found in the facts it came from.
    """
    found = set()
    thousands, decimal = (",", ".") if lang == "en" else (".", ",")
    for raw in _NUMBER.findall(text):
        parts = raw.split(thousands)
        if len(parts) > 1 and all(len(p.split(decimal)[0]) == 3 for p in parts[1:]):
            raw = "".join(parts)
        elif len(parts) > 1:
            found.update(p for p in parts if p)
            continue
        found.add(raw.replace(decimal, "."))
    return found


# The question page states this instruction under every "multiple" prompt.
SELECT_ALL_PHRASES = ("select all that apply", "chọn tất cả các đáp án đúng")


def repeats_select_all(prompt: Text) -> bool:
    """True when a prompt carries the instruction the page already gives, in either language."""
    return any(p in text.lower() for text in prompt.values() for p in SELECT_ALL_PHRASES)


def unsourced_figures(explanation: Text, references: Iterable[Text]) -> dict[str, set[str]]:
    """Figures in an explanation that appear in none of the texts it may rest on, by language."""
    references = list(references)
    missing = {}
    for lang in LANGUAGES:
        known: set[str] = set()
        for ref in references:
            known |= figures(ref.get(lang, ""), lang) | figures(ref.get("en", ""), "en")
        extra = figures(explanation.get(lang, ""), lang) - known
        if extra:
            missing[lang] = extra
    return missing


# --- the whole bank -----------------------------------------------------------------------


def read_bank(directory: str | Path) -> Bank:
    """Read and check every file of a bank folder; raise ``BankInvalid`` with all errors."""
    directory = Path(directory)
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.yaml"))}
    return read_bank_files(files)


def read_bank_files(files: Mapping[str, str]) -> Bank:
    """Check a bank given as {file name: text}: the same path for folders and uploads."""
    checker = _Checker()
    if SOURCES_FILE not in files:
        checker.error(SOURCES_FILE, 1, N_("the bank has no sources.yaml"))
        sources: list[SourceEntry] = []
    else:
        data, errors = parse_yaml(files[SOURCES_FILE], SOURCES_FILE)
        checker.errors += errors
        sources = checker.sources(data, SOURCES_FILE) if not errors else []
    source_keys = {s.key for s in sources}
    topics: list[TopicEntry] = []
    topic_files: dict[str, str] = {}
    question_places: dict[str, tuple[str, int]] = {}
    topic_names = sorted(n for n in files if n != SOURCES_FILE)
    if not topic_names:
        checker.error(SOURCES_FILE, 1, N_("the bank has no topic files"))
    for name in topic_names:
        data, errors = parse_yaml(files[name], name)
        checker.errors += errors
        if errors:
            continue
        topic, lines, fact_lines = checker.topic(data, name)
        for key, line in lines.items():
            if key in question_places:
                other, other_line = question_places[key]
                checker.error(
                    name,
                    line,
                    N_("question key '%(key)s' is already used in %(other)s line %(other_line)s"),
                    key=key,
                    other=other,
                    other_line=other_line,
                )
            else:
                question_places[key] = (name, line)
        if topic is None:
            continue
        if topic.key in topic_files:
            checker.error(name, 1, N_("topic '%(key)s' is defined twice"), key=topic.key)
            continue
        topic_files[topic.key] = name
        if SOURCES_FILE in files:
            for fact, line in zip(topic.facts, fact_lines, strict=True):
                if fact.source not in source_keys:
                    checker.error(name, line, N_("unknown source '%(key)s'"), key=fact.source)
            for question in topic.questions:
                for key in question.sources:
                    if key not in source_keys:
                        checker.error(
                            name,
                            lines[question.key],
                            N_("question '%(question)s' cites unknown source '%(key)s'"),
                            "sources",
                            question=question.key,
                            key=key,
                        )
        topics.append(topic)
    _check_prompts(checker, topics, topic_files, question_places)
    _check_figures(checker, topics, sources, question_places)
    if checker.errors:
        raise BankInvalid(checker.errors)
    topics.sort(key=lambda t: (t.position, t.key))
    return Bank(sources, topics)


def _check_prompts(checker, topics, topic_files, places) -> None:
    seen: dict[tuple[str, str], str] = {}
    for topic in topics:
        for question in topic.questions:
            for lang in LANGUAGES:
                norm = " ".join(question.prompt[lang].lower().split())
                if question.scenario:
                    norm = " ".join(question.scenario[lang].lower().split()) + " | " + norm
                if question.message:
                    body = " ".join(p.text[lang] for p in question.message.parts)
                    norm += " | " + " ".join(body.lower().split())
                other = seen.get((lang, norm))
                file, line = places[question.key]
                if other is not None:
                    checker.error(
                        file,
                        line,
                        N_("question '%(key)s' has the same prompt as '%(other)s'"),
                        "prompt",
                        key=question.key,
                        other=other,
                    )
                    break
                seen[(lang, norm)] = question.key


def _check_figures(checker, topics, sources, places) -> None:
    by_key = {s.key: s for s in sources}
    for topic in topics:
        for question in topic.questions:
            refs = [f.text for f in topic.facts if f.source in question.sources]
            for key in question.sources:
                if key in by_key:
                    refs += [{"en": note, "vi": note} for note in by_key[key].notes]
            missing = unsourced_figures(question.explanation, refs)
            if missing:
                file, line = places[question.key]
                numbers = ", ".join(sorted(set().union(*missing.values())))
                checker.error(
                    file,
                    line,
                    N_(
                        "question '%(key)s': the figures %(numbers)s in its explanation appear in "
                        "no fact of its topic or note of a source it cites"
                    ),
                    "explanation",
                    key=question.key,
                    numbers=numbers,
                )
