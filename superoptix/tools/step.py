"""The constrained output of one ReAct step: a tool name and that tool's own arguments.

The step signature has one output field, `action`, typed as a union with one member per
tool: `{"tool": "<name>", "arguments": {...that tool's schema...}}`, plus a `finish` member
whose arguments are the agent's output fields. A JSON-schema adapter turns that type into
`anyOf` branches, so a grammar-constrained model can only name a real tool and give it
arguments of the right shape. No `dict[str, Any]` appears at the top level, so DSPy keeps
the schema (an open mapping would make it fall back to plain JSON mode).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, Union

import dspy
import pydantic

from superoptix.tools.base import BaseTool, _closed_object, _inline_refs

FINISH = "finish"
FALLBACK_OUTPUT = "answer"


def agent_signature(agent: dspy.Module, input_fields: Sequence[str]) -> type[dspy.Signature]:
    """The agent's signature; agents defined only by `forward` get `inputs -> answer`."""
    getter = getattr(agent, "signature_or_none", None)
    sig = getter() if callable(getter) else None
    if sig is None:
        fields: dict[str, Any] = {name: (str, dspy.InputField()) for name in input_fields}
        fields[FALLBACK_OUTPUT] = (str, dspy.OutputField())
        sig = dspy.Signature(fields, "Answer using the tools.")
    return sig


def finish_schema(sig: type[dspy.Signature]) -> dict[str, Any]:
    """JSON schema of the agent's outputs, the arguments of `finish`."""
    fields: dict[str, Any] = {name: (f.annotation, ...) for name, f in sig.output_fields.items()}
    model = pydantic.create_model("FinishArguments", **fields)
    return _closed_object(_inline_refs(model.model_json_schema()))


def _member(tool: str, schema: Mapping[str, Any]) -> type[pydantic.BaseModel]:
    arguments = Annotated[dict[str, Any], pydantic.WithJsonSchema(dict(schema))]
    return pydantic.create_model(
        f"Use_{tool}",
        __config__=pydantic.ConfigDict(extra="forbid"),
        tool=(Literal[tool], ...),  # type: ignore[valid-type]
        arguments=(arguments, ...),
    )


def action_type(tools: Sequence[BaseTool], sig: type[dspy.Signature]) -> Any:
    """`Union[Use_tool1, ..., Use_finish]`; just `Use_finish` when no tool may be called."""
    members = [_member(tool.name, tool.arguments_schema()) for tool in tools]
    members.append(_member(FINISH, finish_schema(sig)))
    return members[0] if len(members) == 1 else Union[tuple(members)]  # noqa: UP007


def describe_tool(name: str, description: str, schema: Mapping[str, Any]) -> str:
    params = ", ".join(
        f"{arg}: {spec.get('type', 'any')}" for arg, spec in schema.get("properties", {}).items()
    )
    first_line = description.strip().splitlines()[0] if description.strip() else ""
    return f"- {name}({params}): {first_line}"


def step_signature(
    sig: type[dspy.Signature], tools: Sequence[BaseTool]
) -> type[dspy.Signature]:
    """Inputs of the agent plus `trajectory` -> `action` (one tool call or finish)."""
    outputs = ", ".join(sig.output_fields)
    lines = [sig.instructions.strip(), ""] if sig.instructions else []
    lines.append("Solve the task one step at a time with these tools:")
    lines += [describe_tool(t.name, t.description, t.arguments_schema()) for t in tools]
    lines.append(describe_tool(FINISH, f"give the final {outputs} and stop.", finish_schema(sig)))
    if tools:
        lines.append("Use a tool when it helps; call finish once the trajectory has the result.")
    fields: dict[str, Any] = {name: (f.annotation, f) for name, f in sig.input_fields.items()}
    fields["trajectory"] = (str, dspy.InputField(desc="tool calls so far and their results"))
    fields["action"] = (action_type(tools, sig), dspy.OutputField(desc="the next tool call"))
    return dspy.Signature(fields, "\n".join(lines))


def format_trajectory(steps: Sequence[Mapping[str, Any]]) -> str:
    if not steps:
        return "(no tool calls yet)"
    return "\n".join(
        f"{i}. {s['tool']}({json.dumps(s['arguments'], ensure_ascii=False)}) -> {s['observation']}"
        for i, s in enumerate(steps, 1)
    )
