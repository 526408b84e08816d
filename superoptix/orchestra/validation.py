"""Validate an orchestra file completely: YAML syntax, schema, then meaning. All problems at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from superoptix.errors import Problem
from superoptix.orchestra.semantic import (
    check_conditions,
    check_counts,
    check_files,
    check_references,
)
from superoptix.orchestra.semantic_agents import check_agents
from superoptix.orchestra.semantic_dataflow import check_data_passing
from superoptix.orchestra.semantic_plugins import check_metrics, check_strategy
from superoptix.orchestra.validation_common import Checker
from superoptix.orchestra.validation_schema import schema_problems
from superoptix.orchestra.yaml_marks import Marks, parse_yaml
from superoptix.plugins import add_import_dir


@dataclass
class Validation:
    """The outcome of validating one file; `agents` holds the agents built while checking."""

    file: str
    document: dict[str, Any] | None = None
    marks: Marks = field(default_factory=Marks)
    problems: list[Problem] = field(default_factory=list)
    agents: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_file(path: str | Path, *, instantiate: bool = True) -> list[Problem]:
    """Every problem of the orchestra file at `path`; an empty list when it is valid."""
    return validate_path(path, instantiate=instantiate).problems


def validate_path(path: str | Path, *, instantiate: bool = True) -> Validation:
    file = str(path)
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Validation(file, problems=[Problem("file not found", file=file)])
    except (OSError, UnicodeDecodeError) as exc:
        return Validation(file, problems=[Problem(f"cannot read the file: {exc}", file=file)])
    add_import_dir(source.resolve().parent)  # `class: my_agents:Agent` next to the file just works
    return validate_text(text, file=file, base_dir=source.resolve().parent, instantiate=instantiate)


def validate_text(
    text: str, *, file: str = "<input>", base_dir: Path | None = None, instantiate: bool = True
) -> Validation:
    """Validate YAML text. `instantiate=False` skips building agents (and so the data-flow check)."""
    parsed = parse_yaml(text, file)
    result = Validation(file, marks=parsed.marks, problems=list(parsed.problems))
    if parsed.data is None and not parsed.problems:
        result.problems.append(Problem(
            "the file is empty", file=file, line=1, column=1,
            hint="an orchestra needs at least `name:` and `agents:`",
        ))
    if parsed.data is None:
        return result
    result.problems.extend(schema_problems(parsed.data, parsed.marks, file))
    if isinstance(parsed.data, Mapping):
        ck = Checker(file, base_dir or Path.cwd(), parsed.marks)
        result.agents = _semantic_checks(parsed.data, ck, instantiate=instantiate)
        result.problems.extend(ck.problems)
        result.document = dict(parsed.data)
    result.problems = _ordered(result.problems)
    return result


def _semantic_checks(doc: Mapping[str, Any], ck: Checker, *, instantiate: bool) -> dict[str, Any]:
    check_references(doc, ck)
    check_conditions(doc, ck)
    check_counts(doc, ck)
    check_files(doc, ck)
    check_metrics(doc, ck)
    check_strategy(doc, ck)
    agents = check_agents(doc, ck, instantiate=instantiate)
    check_data_passing(doc, agents, ck)
    return agents


def _ordered(problems: list[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.line or 0, p.column or 0))
