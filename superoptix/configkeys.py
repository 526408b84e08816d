"""Validate runtime configuration mappings: known keys, expected types, "did you mean" hints."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from superoptix.errors import InvalidInputError


def check_config(
    where: str, given: Mapping[str, Any] | None, defaults: Mapping[str, Any]
) -> dict[str, Any]:
    """Merge `given` over `defaults`, refusing unknown keys and values of the wrong type."""
    merged = dict(defaults)
    for key, value in (given or {}).items():
        if key not in defaults:
            close = difflib.get_close_matches(key, list(defaults), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InvalidInputError(f"{where}: unknown key {key!r}{hint}")
        expected = defaults[key]
        if expected is not None and value is not None and not _same_kind(expected, value):
            raise InvalidInputError(
                f"{where} > {key}: expected {type(expected).__name__}, got {type(value).__name__}"
            )
        merged[key] = value
    return merged


def _same_kind(expected: Any, value: Any) -> bool:
    if isinstance(expected, bool):
        return isinstance(value, bool)
    if isinstance(expected, (int, float)):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, type(expected))
