"""Reading, checking and writing the question bank files of ``questions/``.

The files are the project's source of truth for content, edited by people in a text editor, so
the reader's job is to find *every* mistake in one pass and say where it is (file and line)
rather than stop at the first. Nothing here touches the database or the web: ``bank_store``
moves a checked ``Bank`` in and out of the database.

The format is described in ``questions/README.md``.
"""

from __future__ import annotations

from ..vocabulary import QUESTION_TYPES, STATUSES
from .checker import (
    SELECT_ALL_PHRASES,
    choice_rule_errors,
    figures,
    read_bank,
    read_bank_files,
    repeats_select_all,
    unsourced_figures,
)
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
    PHRASE_MARK,
    SOURCES_FILE,
    TRUE_FALSE_LABELS,
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
    message_data,
    message_from_data,
    placed_phrases,
    split_phrases,
    true_false_choices,
)
from .writer import (
    write_bank,
)
from .yaml_lines import (
    MAX_NESTING,
    YAML_PROBLEMS,
    Node,
    parse_yaml,
    too_deep_line,
    yaml_problem,
)

__all__ = [
    "BANDS",
    "Bank",
    "BankError",
    "BankInvalid",
    "CHAT_SIDES",
    "ChoiceEntry",
    "DATE_PATTERN",
    "DEFAULT_SOURCE_LANGUAGE",
    "FactEntry",
    "KEY_PATTERN",
    "LANGUAGES",
    "MAX_CHOICES",
    "MAX_NESTING",
    "MAX_PHRASES",
    "MESSAGE_KINDS",
    "MessageEntry",
    "MessagePart",
    "N_",
    "Node",
    "PHRASE_MARK",
    "QUESTION_TYPES",
    "QuestionEntry",
    "SELECT_ALL_PHRASES",
    "SOURCES_FILE",
    "STATUSES",
    "SourceEntry",
    "TRUE_FALSE_LABELS",
    "Text",
    "TopicEntry",
    "YAML_PROBLEMS",
    "choice_rule_errors",
    "figures",
    "message_data",
    "message_from_data",
    "parse_yaml",
    "placed_phrases",
    "read_bank",
    "read_bank_files",
    "repeats_select_all",
    "split_phrases",
    "too_deep_line",
    "true_false_choices",
    "unsourced_figures",
    "write_bank",
    "yaml_problem",
]
