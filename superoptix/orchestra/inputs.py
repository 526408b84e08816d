"""How data reaches an agent's input fields."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def by_name(fields: list[str], available: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Explicit mapping: each input field takes the value of the same name; returns (inputs, missing)."""
    inputs = {name: available[name] for name in fields if name in available}
    return inputs, [name for name in fields if name not in available]


def loose(fields: list[str], available: Mapping[str, Any], previous: Mapping[str, Any] | None = None
          ) -> dict[str, Any]:
    """Automatic mapping: fields by name first; the rest filled in order from the previous outputs.

    An agent with one unmatched input field receives the previous outputs whole (its single value,
    or the mapping as JSON), so a pipeline of agents with unrelated field names still flows.
    """
    inputs, missing = by_name(fields, available)
    if not missing:
        return inputs
    source = dict(previous if previous is not None else available)
    unused = [(k, v) for k, v in source.items() if k not in inputs]
    if len(missing) == 1 and len(unused) != 1:
        inputs[missing[0]] = render(dict(unused) if unused else source)
        return inputs
    for name, (_, value) in zip(missing, unused, strict=False):
        inputs[name] = value
    return inputs


def render(value: Any) -> Any:
    if isinstance(value, Mapping):
        if len(value) == 1:
            return next(iter(value.values()))
        return json.dumps(value, default=str, ensure_ascii=False)
    return value


def step_label(agent_ids: list[str], index: int) -> str:
    """A step's name: its agent id, or `agent#N` (1-based position) when the agent appears twice."""
    agent = agent_ids[index]
    return f"{agent}#{index + 1}" if agent_ids.count(agent) > 1 else agent
