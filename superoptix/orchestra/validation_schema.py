"""Schema validation: every JSON Schema error becomes a located `Problem` a person can act on."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from superoptix.errors import Problem
from superoptix.orchestra.schema import load_schema
from superoptix.orchestra.validation_common import did_you_mean, problem_at
from superoptix.orchestra.yaml_marks import DocPath, Marks, breadcrumb

KEY_HINTS = {
    "api_key": "never write a key in the file; name the environment variable that holds it "
               "with api_key_env (e.g. api_key_env: OPENAI_API_KEY)",
}
TYPE_NAMES = {
    "object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
    "number": "a number", "boolean": "true or false", "null": "null",
}


@functools.lru_cache(maxsize=4)
def validator(name: str = "orchestra") -> Draft202012Validator:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def schema_problems(data: Any, marks: Marks, file: str, name: str = "orchestra") -> list[Problem]:
    problems: list[Problem] = []
    for error in validator(name).iter_errors(data):
        problems.extend(_problems_for(error, data, marks, file))
    return problems


def _problems_for(error: ValidationError, root: Any, marks: Marks, file: str) -> Iterator[Problem]:
    path: DocPath = tuple(error.absolute_path)
    if "propertyNames" in error.relative_schema_path:
        # jsonschema reports a bad key at its parent; point at the key itself
        path = (*path, str(error.instance))
        yield problem_at(marks, file, path, f"{error.instance!r} is not a valid id",
                  _description(error.schema), key=True)
        return
    kind = str(error.validator)
    if kind == "additionalProperties":
        yield from _unknown_keys(error, path, marks, file)
    elif kind == "required":
        yield from _missing_keys(error, path, root, marks, file)
    else:
        message, hint = _describe(error)
        yield problem_at(marks, file, path, message, hint)


def _unknown_keys(error: ValidationError, path: DocPath, marks: Marks, file: str) -> Iterator[Problem]:
    allowed = sorted(error.schema.get("properties", {}))
    instance = error.instance if isinstance(error.instance, Mapping) else {}
    for key in instance:
        if key in allowed:
            continue
        hint = KEY_HINTS.get(str(key)) or did_you_mean(str(key), allowed)
        if hint is None:
            hint = f"allowed keys here: {', '.join(allowed)}"
        message = f"{key!r} is not accepted" if key in KEY_HINTS else f"unknown key {key!r}"
        yield problem_at(marks, file, (*path, str(key)), message, hint, key=True)


def _missing_keys(
    error: ValidationError, path: DocPath, root: Any, marks: Marks, file: str
) -> Iterator[Problem]:
    instance = error.instance if isinstance(error.instance, Mapping) else {}
    conditional = "then" in error.relative_schema_path
    for key in error.validator_value:
        if key in instance:
            continue
        message = f"missing required key {key!r}"
        where = marks.key(path) if path else marks.locate(())
        if conditional and not path and isinstance(root, Mapping):
            workflow = root.get("workflow_type", "pipeline")
            message += f" (workflow_type {workflow} needs it)"
            where = marks.key(("workflow_type",)) or where
        yield Problem(
            message, file=file, line=where.line if where else None,
            column=where.column if where else None, path=breadcrumb((*path, key)),
            hint=_description(error.schema.get("properties", {}).get(key, {})),
        )


def _describe(error: ValidationError) -> tuple[str, str | None]:
    kind, value, instance = str(error.validator), error.validator_value, error.instance
    got = _show(instance)
    if kind == "type":
        types = [value] if isinstance(value, str) else list(value)
        return f"expected {' or '.join(TYPE_NAMES.get(t, t) for t in types)}, got {got}", \
            _description(error.schema)
    if kind in ("enum", "const"):
        options = list(value) if kind == "enum" else [value]
        hint = did_you_mean(str(instance), [str(o) for o in options])
        return f"expected one of {', '.join(map(str, options))}; got {got}", hint
    if kind in _BOUNDS:
        return f"expected a number {_BOUNDS[kind]} {value}, got {got}", None
    if kind == "minLength":
        return "expected a non-empty string", _description(error.schema)
    if kind == "minItems":
        return f"expected at least {value} item{'s' if value != 1 else ''}", None
    if kind == "minProperties":
        return f"expected at least {value} entr{'ies' if value != 1 else 'y'}", None
    if kind == "uniqueItems":
        return f"the items must be unique; {_repeated(instance)!r} appears more than once", None
    if kind == "pattern":
        return f"{got} does not have the expected form", _description(error.schema)
    return error.message, _description(error.schema)


_BOUNDS = {
    "minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<",
}


def _repeated(items: Any) -> Any:
    seen: list[Any] = []
    for item in items if isinstance(items, Sequence) else []:
        if item in seen:
            return item
        seen.append(item)
    return None


def _show(instance: Any) -> str:
    if isinstance(instance, Mapping):
        return "a mapping"
    if isinstance(instance, list):
        return "a list"
    if isinstance(instance, bool):
        return f"{str(instance).lower()} (boolean)"
    if instance is None:
        return "nothing (null)"
    text = repr(instance)
    return text if len(text) <= 60 else text[:57] + "..."


def _description(schema: Any) -> str | None:
    if isinstance(schema, Mapping):
        text = schema.get("description")
        return str(text) if text else None
    return None
