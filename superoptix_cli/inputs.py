"""Parse `--input JSON` and `-i key=value` options into one input mapping."""

from __future__ import annotations

import json
from typing import Any

from superoptix.errors import InvalidInputError


def parse_inputs(input_json: str | None, pairs: list[str] | None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if input_json:
        try:
            parsed = json.loads(input_json)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"--input: not valid JSON ({exc.msg} at column {exc.colno})") from exc
        if not isinstance(parsed, dict):
            raise InvalidInputError("--input: expected a JSON object, e.g. '{\"question\": \"...\"}'")
        data.update(parsed)
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInputError(f"-i {pair!r}: expected key=value")
        data[key.strip()] = _value(value)
    return data


def _value(text: str) -> Any:
    """Numbers, booleans, lists and objects in JSON spelling; anything else stays a string."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return text
    return value if not isinstance(value, str) else text
