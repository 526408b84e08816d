"""`data_passing: explicit` pipelines: every input a step needs must exist by the time it runs.

Explicit mode passes fields by name. The first step gets the orchestra input; a later step's
input field must be an output of an earlier step or a key of the declared `input:` (declare there,
with a default value, any field you mean to pass with `--input`/`-i`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from superoptix.orchestra.validation_common import Checker, items, mapping


def check_data_passing(doc: Mapping[str, Any], agents: Mapping[str, Any], ck: Checker) -> None:
    if doc.get("workflow_type", "pipeline") != "pipeline":
        return
    workflow_config = mapping(doc.get("workflow_config"))
    if workflow_config.get("data_passing") != "explicit" or workflow_config.get("validation") is False:
        return  # `validation: false` lets a step run with what it gets, at load time as at run time
    available = {str(key) for key in mapping(doc.get("input"))}
    for index, step in enumerate(items(doc.get("pipeline_steps"))):
        agent = agents.get(step) if isinstance(step, str) else None
        if agent is None:
            return  # an unknown or unbuilt agent is reported elsewhere; later steps are unknowable
        if index > 0:
            _check_step(step, index, input_fields(agent), available, ck)
        outputs = output_fields(agent)
        if outputs is None:
            return  # this agent declares no outputs: what later steps receive is unknown
        available.update(outputs)


def _check_step(step: str, index: int, needed: list[str], available: set[str], ck: Checker) -> None:
    missing = [name for name in needed if name not in available]
    if not missing:
        return
    have = ", ".join(sorted(available)) or "nothing"
    ck.add(
        ("pipeline_steps", index),
        f"step {index + 1} ({step!r}) needs input field{'s' if len(missing) > 1 else ''} "
        f"{', '.join(repr(m) for m in missing)}, which no earlier step produces and `input:` "
        "does not declare",
        f"available at this step: {have}. Add the field to `input:`, reorder the steps, "
        "or use workflow_config: {data_passing: automatic}",
    )


def input_fields(agent: Any) -> list[str]:
    method = getattr(agent, "input_fields", None)
    return [str(name) for name in method()] if callable(method) else []


def output_fields(agent: Any) -> list[str] | None:
    """The declared outputs, or None when the agent has no signature to declare them."""
    signature = getattr(agent, "signature_or_none", None)
    if callable(signature) and signature() is None:
        return None
    method = getattr(agent, "output_fields", None)
    return [str(name) for name in method()] if callable(method) else None
