"""YAML read with the line of every mapping key, so each error can say where it is."""

from __future__ import annotations

import re
from typing import Any

import yaml

from .entries import (
    N_,
    BankError,
)


class Node(dict):
    """A mapping read from YAML that remembers the line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int):
        self.key, self.line = key, line


class _ComplexKey(Exception):
    def __init__(self, line: int):
        self.line = line


class _LineLoader(yaml.SafeLoader):
    pass


# Deeper than any bank file needs; PyYAML builds nested values recursively, and far deeper
# nesting would exhaust Python's stack before anything could be checked.
MAX_NESTING = 50


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Node:
    loader.flatten_mapping(node)
    mapping = Node()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise _ComplexKey(key_node.start_mark.line + 1)
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in mapping:
            raise _DuplicateKey(str(key), line)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str, file: str) -> tuple[Any, list[BankError]]:
    """Parse one file; a syntax error becomes a ``BankError`` with the line YAML reports."""
    try:
        return yaml.load(text, Loader=_LineLoader), []  # noqa: S506 - SafeLoader subclass
    except _DuplicateKey as exc:
        return None, [BankError(file, exc.line, N_("duplicate field '%(key)s'"), {"key": exc.key})]
    except _ComplexKey as exc:
        return None, [BankError(file, exc.line, N_("a field name must be plain text"))]
    except RecursionError:
        line = too_deep_line(text)
        message = N_("lists and fields are nested more than %(depth)s levels deep")
        return None, [BankError(file, line, message, {"depth": MAX_NESTING})]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 1
        message, params = yaml_problem(getattr(exc, "problem", None) or str(exc))
        return None, [BankError(file, line, message, params)]


# PyYAML explains a syntax error in English; the usual ones get a message of our own, which the
# pages show in the user's language. Anything else gets a general hint.
YAML_PROBLEMS = (
    (
        re.compile(r"^mapping values are not allowed here"),
        N_("not valid YAML: a colon where none is expected (quote a text that contains ': ')"),
    ),
    (
        re.compile(r"^found character '(?P<char>.+)' that cannot start any token"),
        N_("not valid YAML: '%(char)s' cannot start a value here (indent with spaces, not tabs)"),
    ),
    (
        re.compile(r"^found unexpected end of stream"),
        N_("not valid YAML: a quotation mark is never closed"),
    ),
    (
        re.compile(r"^expected ',' or '(?P<char>[\]}])', but got"),
        N_("not valid YAML: a list or mapping is never closed with '%(char)s'"),
    ),
    (
        re.compile(r"^(expected <block end>|could not find expected ':'|did not find expected)"),
        N_("not valid YAML: the indentation does not line up"),
    ),
    (
        re.compile(r"^found unknown escape character '(?P<char>.+)'"),
        N_("not valid YAML: '\\%(char)s' is not an escape (write \\\\ for a backslash)"),
    ),
)


def yaml_problem(problem: str) -> tuple[str, dict[str, str]]:
    """Our message, and its parameters, for PyYAML's description of a syntax error."""
    for pattern, message in YAML_PROBLEMS:
        found = pattern.match(problem)
        if found:
            return message, found.groupdict()
    return N_("not valid YAML: check the indentation, colons and quotation marks here"), {}


def too_deep_line(text: str) -> int:
    """The line where nesting first goes deeper than ``MAX_NESTING``.

    Reading only the parser's events needs no recursion, so this works where loading failed.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_NESTING:
                    return event.start_mark.line + 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return mark.line + 1 if mark else 1
    return 1
