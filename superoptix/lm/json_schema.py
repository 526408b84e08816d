"""JSON-schema helpers for constrained decoding."""

from __future__ import annotations

import copy
from typing import Any


def bound_strings(schema: dict[str, Any], max_length: int) -> dict[str, Any]:
    """Return a copy where every string has a `maxLength`, so constrained generation always closes."""
    bounded = copy.deepcopy(schema)
    _bound(bounded, max_length)
    return bounded


def _bound(node: Any, max_length: int) -> None:
    if isinstance(node, list):
        for item in node:
            _bound(item, max_length)
        return
    if not isinstance(node, dict):
        return
    types = node.get("type")
    is_string = types == "string" or (isinstance(types, list) and "string" in types)
    if is_string and "enum" not in node and "const" not in node:
        node["maxLength"] = min(int(node.get("maxLength", max_length)), max_length)
    for value in node.values():
        if isinstance(value, (dict, list)):
            _bound(value, max_length)
