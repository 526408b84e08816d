"""Parse YAML safely and remember where every key and value is, so problems can name a line.

PyYAML's `safe_load` forgets positions and silently keeps the last of two duplicate keys; here
the document is composed into nodes first (SafeLoader only), positions are collected from the
node marks, duplicate keys become problems, and only then is the plain document constructed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from superoptix.errors import Problem

PathPart = str | int
DocPath = tuple[PathPart, ...]

MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class Position:
    """1-based line and column."""

    line: int
    column: int


@dataclass
class Marks:
    """Document path -> position. Scalars point at their value, collections at their key."""

    positions: dict[DocPath, Position] = field(default_factory=dict)
    keys: dict[DocPath, Position] = field(default_factory=dict)

    def locate(self, path: DocPath) -> Position | None:
        """The position of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            found = self.positions.get(path[:end])
            if found is not None:
                return found
        return None

    def key(self, path: DocPath) -> Position | None:
        """Where the key of a mapping entry is written (falls back to `locate`)."""
        return self.keys.get(path) or self.locate(path)

    def line(self, path: DocPath) -> int | None:
        found = self.locate(path)
        return found.line if found else None


@dataclass
class ParsedYaml:
    data: Any
    marks: Marks
    problems: list[Problem]


def breadcrumb(path: DocPath) -> tuple[str, ...]:
    """`("conditions", 1, "agent")` -> `("conditions", "[1]", "agent")`."""
    return tuple(f"[{part}]" if isinstance(part, int) else str(part) for part in path)


def parse_yaml(text: str, file: str = "<input>") -> ParsedYaml:
    """Parse one YAML document; syntax errors and duplicate keys come back as problems."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return ParsedYaml(None, Marks(), [])
        marks = Marks()
        problems = list(_walk(loader, node, (), marks, file, frozenset()))
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        return ParsedYaml(None, Marks(), [_syntax_problem(exc, file)])
    except yaml.YAMLError as exc:
        return ParsedYaml(None, Marks(), [Problem(f"invalid YAML: {exc}", file=file)])
    finally:
        loader.dispose()
    return ParsedYaml(data, marks, problems)


def _position(mark: yaml.Mark) -> Position:
    return Position(mark.line + 1, mark.column + 1)


def _walk(
    loader: yaml.SafeLoader, node: yaml.Node, path: DocPath, marks: Marks, file: str,
    active: frozenset[int],
) -> Iterator[Problem]:
    marks.positions.setdefault(path, _position(node.start_mark))
    if id(node) in active:  # a recursive alias: positions of the first visit are enough
        return
    active = active | {id(node)}
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _walk(loader, item, (*path, index), marks, file, active)
    elif isinstance(node, yaml.MappingNode):
        yield from _walk_mapping(loader, node, path, marks, file, active)


def _walk_mapping(
    loader: yaml.SafeLoader, node: yaml.MappingNode, path: DocPath, marks: Marks, file: str,
    active: frozenset[int],
) -> Iterator[Problem]:
    seen: dict[Any, Position] = {}
    for key_node, value_node in node.value:
        if key_node.tag == MERGE_TAG:  # `<<: *base` entries are resolved by the constructor
            continue
        key = _key_of(loader, key_node)
        key_pos = _position(key_node.start_mark)
        child = (*path, key if isinstance(key, (str, int)) else str(key))
        if key in seen:
            yield Problem(
                f"duplicate key {key!r} (first defined at line {seen[key].line})",
                file=file, line=key_pos.line, column=key_pos.column, path=breadcrumb(child),
                hint="YAML keeps only the last value of a repeated key; remove or rename one",
            )
            continue
        seen[key] = key_pos
        marks.keys[child] = key_pos
        if isinstance(value_node, yaml.ScalarNode):
            marks.positions[child] = _position(value_node.start_mark)
        else:
            marks.positions[child] = key_pos
        yield from _walk(loader, value_node, child, marks, file, active)


def _key_of(loader: yaml.SafeLoader, key_node: yaml.Node) -> Any:
    if isinstance(key_node, yaml.ScalarNode):
        return loader.construct_object(key_node)
    return f"<complex key at line {key_node.start_mark.line + 1}>"


SYNTAX_HINTS = (
    ("'\\t'", "YAML does not allow tabs for indentation; indent with spaces"),
    ("mapping values are not allowed", "a value containing ': ' must be quoted, or the "
                                       "indentation is off"),
    ("could not find expected ':'", "a key is missing its ':' or a quote is not closed"),
    ("found undefined alias", "define the anchor (&name) before using the alias (*name)"),
    ("expected a single document", "put one orchestra per file; remove the '---' separator"),
    ("found unexpected end of stream", "a quote or bracket is not closed"),
    ("did not find expected key", "check the indentation of this block"),
    ("expected <block end>", "check the indentation: the keys of one mapping must line up"),
    ("expected ',' or ']'", "a flow list ([...]) is not closed or is missing a comma"),
    ("expected ',' or '}'", "a flow mapping ({...}) is not closed or is missing a comma"),
)


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str) -> Problem:
    text = " ".join(part for part in (exc.context, exc.problem) if part)
    mark = exc.problem_mark or exc.context_mark
    context = exc.context or ""
    left_open = "flow" in context or "quoted" in context or "end of stream" in text
    if exc.context_mark is not None and left_open:
        mark = exc.context_mark  # point at what was left open, not where the parser gave up
        if exc.problem_mark is not None:
            text += f" (the parser stopped at line {exc.problem_mark.line + 1})"
    hint = next((h for needle, h in SYNTAX_HINTS if needle in text), None)
    if "\t" in _line_of(mark) and hint is None:
        hint = "YAML does not allow tabs for indentation; indent with spaces"
    return Problem(
        f"YAML syntax error: {text or exc}",
        file=file,
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
        hint=hint,
    )


def _line_of(mark: yaml.Mark | None) -> str:
    if mark is None or mark.buffer is None:
        return ""
    buffer: str = mark.buffer
    start = buffer.rfind("\n", 0, mark.pointer) + 1
    end = buffer.find("\n", mark.pointer)
    return buffer[start:end if end >= 0 else len(buffer)]
