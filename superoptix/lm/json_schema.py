"""JSON-schema helpers for constrained decoding."""

from __future__ import annotations

import copy
from typing import Any

ARRAY_MAX_ITEMS = 10
ITEM_MAX_LENGTH = 64


def bound_strings(schema: dict[str, Any], max_length: int) -> dict[str, Any]:
    """Return a copy where every string has a `maxLength` and every array a `maxItems`.

    Bounds make constrained generation always close the JSON; list items (keywords, tags...)
    get a tighter bound, since a small model otherwise pours the whole answer into one item.
    """
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
    if types == "array":
        node["maxItems"] = min(int(node.get("maxItems", ARRAY_MAX_ITEMS)), ARRAY_MAX_ITEMS)
        if isinstance(node.get("items"), dict):
            _bound(node["items"], min(max_length, ITEM_MAX_LENGTH))
    for key, value in node.items():
        if isinstance(value, (dict, list)) and not (types == "array" and key == "items"):
            _bound(value, max_length)
