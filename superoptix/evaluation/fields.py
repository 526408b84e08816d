"""Pairs of (expected, got) values that field-wise metrics compare."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def as_text(value: Any) -> str:
    """A value as text: strings as they are, structures as JSON, None as empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def label_names(example: Any, prediction: Any, field: str | None) -> list[str]:
    """The expected output fields to compare: `field`, or every label of the example."""
    if field is not None:
        return [field]
    labels = getattr(example, "labels", None)
    if callable(labels):
        return list(labels().keys())
    if isinstance(example, Mapping):
        return [name for name in example if _has(prediction, name)]
    raise TypeError(f"cannot find expected fields in a {type(example).__name__}")


def value_of(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    getter = getattr(obj, "get", None)
    if callable(getter):
        return getter(name)
    return getattr(obj, name, None)


def _has(obj: Any, name: str) -> bool:
    if isinstance(obj, Mapping):
        return name in obj
    try:
        return name in obj
    except TypeError:
        return hasattr(obj, name)


def field_pairs(example: Any, prediction: Any, field: str | None) -> list[tuple[Any, Any]]:
    """(expected, got) for each compared field; an example without expectations is an error."""
    names = label_names(example, prediction, field)
    if not names:
        raise ValueError("the example has no expected output field to compare against")
    pairs = []
    for name in names:
        expected = value_of(example, name)
        if expected is None:
            raise KeyError(f"the example has no expected value for field {name!r}")
        pairs.append((expected, value_of(prediction, name)))
    return pairs


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0
