"""Rows of test or training data, split into an agent's inputs and its expected outputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dspy

from superoptix.errors import ConfigError, Problem


@dataclass(frozen=True)
class Case:
    """One example: its position in the data, the agent's inputs, and the expected outputs."""

    index: int
    inputs: dict[str, Any]
    expected: dict[str, Any]

    def example(self) -> dspy.Example:
        return dspy.Example(**self.inputs, **self.expected).with_inputs(*self.inputs)


def expected_fields(row: Mapping[str, Any], inputs: Sequence[str], outputs: Sequence[str] | None) -> list[str]:
    if outputs:
        return [name for name in outputs if name in row]
    return [name for name in row if name not in inputs]


def build_cases(
    rows: Sequence[Mapping[str, Any]],
    input_fields: Sequence[str] | None,
    output_fields: Sequence[str] | None = None,
    source: str = "<data>",
) -> list[Case]:
    """Check every row before any model call; raise one ConfigError listing every bad row.

    `input_fields=None` makes every column that is not an expected output an input.
    """
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence):
        raise ConfigError(Problem(f"expected a list of examples, got {type(rows).__name__}", file=source))
    if not rows:
        raise ConfigError(Problem("there are no examples", file=source))
    problems, cases = [], []
    for index, row in enumerate(rows):
        where = (f"[{index}]",)
        if not isinstance(row, Mapping):
            problems.append(Problem(f"expected a mapping of fields, got {type(row).__name__}",
                                    file=source, path=where))
            continue
        expected = expected_fields(row, input_fields or (), output_fields)
        inputs = list(input_fields) if input_fields is not None else [k for k in row if k not in expected]
        missing = [name for name in inputs if name not in row]
        if missing:
            problems.append(Problem(f"missing input field(s) {missing}", file=source, path=where,
                                    hint=f"each example needs the agent's inputs {inputs}"))
        if not expected:
            wanted = list(output_fields) if output_fields else "a field that is not an input"
            problems.append(Problem("no expected output field", file=source, path=where,
                                    hint=f"give an expected value for {wanted}"))
        if not missing and expected:
            cases.append(Case(index, {k: row[k] for k in inputs}, {k: row[k] for k in expected}))
    if problems:
        raise ConfigError(problems)
    return cases
