"""Shared by the validation passes: locating a problem in the file, "did you mean" hints."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from superoptix.errors import Problem
from superoptix.orchestra.yaml_marks import DocPath, Marks, breadcrumb


def did_you_mean(word: str, options: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def problem_at(
    marks: Marks, file: str, path: DocPath, message: str, hint: str | None = None,
    *, key: bool = False,
) -> Problem:
    """A problem at `path`: at its key when `key`, else at its value (or nearest ancestor)."""
    where = marks.key(path) if key else marks.locate(path)
    return Problem(
        message, file=file, line=where.line if where else None,
        column=where.column if where else None, path=breadcrumb(path), hint=hint,
    )


@dataclass
class Checker:
    """Collects the problems of one file; semantic checks report through it."""

    file: str
    base_dir: Path
    marks: Marks
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: DocPath, message: str, hint: str | None = None, *, key: bool = False) -> None:
        self.problems.append(problem_at(self.marks, self.file, path, message, hint, key=key))

    def resolve_path(self, relative: str) -> Path:
        """Paths in the file are relative to the file's directory."""
        candidate = Path(relative).expanduser()
        return candidate if candidate.is_absolute() else self.base_dir / candidate


def mapping(value: Any) -> Mapping[str, Any]:
    """`value` if it is a mapping, else an empty one: later passes tolerate schema errors."""
    return value if isinstance(value, Mapping) else {}


def items(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else []
