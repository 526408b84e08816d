"""Workflow conditions are CEL expressions, compiled once; config text is never run as Python."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from superoptix.errors import InvalidInputError

ALLOWED_VARIABLES = frozenset({"input"})
# CEL's standard functions and macros; operators (`_==_`, `@in`, `!_`...) are always allowed.
STANDARD_FUNCTIONS = frozenset({
    "size", "contains", "startsWith", "endsWith", "matches", "int", "uint", "double", "string",
    "bool", "bytes", "type", "dyn", "duration", "timestamp", "has", "all", "exists", "exists_one",
    "map", "filter", "max", "min", "lowerAscii", "upperAscii", "trim", "split", "join", "replace",
    "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear", "getFullYear", "getHours",
    "getMilliseconds", "getMinutes", "getMonth", "getSeconds",
})


class ConditionError(InvalidInputError):
    """A condition does not compile, or cannot be evaluated against the given input."""


@dataclass(frozen=True)
class Condition:
    source: str
    program: Any

    def evaluate(self, input_data: Mapping[str, Any]) -> bool:
        """True or False; a missing field or a type error raises ConditionError naming the expression."""
        try:
            value = self.program.execute({"input": dict(input_data)})
        except KeyError as exc:
            raise ConditionError(
                f"condition {self.source!r}: the input has no field {exc.args[0]!r}; "
                f"use has(input.{exc.args[0]}) to test for it"
            ) from exc
        except (TypeError, ValueError, RuntimeError) as exc:
            raise ConditionError(f"condition {self.source!r} failed: {exc}") from exc
        if not isinstance(value, bool):
            raise ConditionError(
                f"condition {self.source!r} gave {type(value).__name__} {value!r}, not a boolean"
            )
        return value


def compile_condition(source: str) -> Condition:
    """Compile a CEL expression whose only variable is `input`."""
    import cel

    if not isinstance(source, str) or not source.strip():
        raise ConditionError("condition: expected a non-empty CEL expression")
    try:
        program = cel.compile(source)
    except (ValueError, RuntimeError) as exc:
        first = str(exc).split("\n", 1)[0]
        raise ConditionError(f"condition {source!r} is not valid CEL: {first}") from exc
    calls = sorted(f for f in program.functions() if f[:1].isalpha() and f not in STANDARD_FUNCTIONS)
    if calls:
        raise ConditionError(f"condition {source!r} calls unknown function(s) {calls}; it is not valid CEL")
    unknown = sorted(set(program.variables()) - ALLOWED_VARIABLES)
    if unknown:
        raise ConditionError(
            f"condition {source!r} uses unknown variable(s) {unknown}; only `input` is available"
        )
    return Condition(source, program)
