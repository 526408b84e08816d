"""One ReAct step: a short chat prompt and a JSON schema that constrains the reply.

The reply schema is an `anyOf` with one branch per tool,
`{"tool": "<name>", "arguments": {...that tool's own argument schema...}}`, plus a `finish`
branch whose arguments are the agent's output fields. A grammar-constrained model can only
name a real tool and give it arguments of the right shape. (DSPy's ReAct types the
arguments as `dict[str, Any]`, which makes the JSON adapter drop the schema altogether.)

Tool steps replay the trajectory as chat turns (the model's call, then `Result: ...`); the
final step, which only fills the agent's outputs, gets the task and the results in one short
message. Both layouts were chosen by measurement on the embedded 135M model.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dspy
import json_repair
import pydantic

from superoptix.errors import AgentRunError
from superoptix.tools.base import BaseTool, closed_object, inline_refs

FINISH = "finish"
FALLBACK_OUTPUT = "answer"


@dataclass(frozen=True)
class Action:
    tool: str
    arguments: dict[str, Any]


def agent_signature(agent: dspy.Module, input_fields: Sequence[str]) -> type[dspy.Signature]:
    """The agent's signature; agents defined only by `forward` get `inputs -> answer`."""
    getter = getattr(agent, "signature_or_none", None)
    sig = getter() if callable(getter) else None
    if sig is None:
        fields: dict[str, Any] = {name: (str, dspy.InputField()) for name in input_fields}
        fields[FALLBACK_OUTPUT] = (str, dspy.OutputField())
        sig = dspy.Signature(fields, "Answer the task.")
    return sig


def finish_model(sig: type[dspy.Signature]) -> type[pydantic.BaseModel]:
    """The agent's outputs as a model: the arguments of `finish`."""
    fields: dict[str, Any] = {name: (f.annotation, ...) for name, f in sig.output_fields.items()}
    return pydantic.create_model("FinishArguments", __config__=pydantic.ConfigDict(extra="forbid"), **fields)


def finish_schema(sig: type[dspy.Signature]) -> dict[str, Any]:
    schema = closed_object(inline_refs(finish_model(sig).model_json_schema()))
    for name, spec in schema["properties"].items():
        spec.pop("title", None)
        desc = str((sig.output_fields[name].json_schema_extra or {}).get("desc", ""))
        if desc and not desc.startswith("${"):
            spec["description"] = desc
    return schema


def action_schema(tools: Sequence[BaseTool], sig: type[dspy.Signature]) -> dict[str, Any]:
    """`anyOf`: one branch per tool, plus `finish` with the agent's outputs as arguments."""
    branches = [_branch(tool.name, tool.arguments_schema()) for tool in tools]
    branches.append(_branch(FINISH, finish_schema(sig)))
    return {"anyOf": branches}


def _branch(name: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"tool": {"type": "string", "enum": [name]}, "arguments": dict(arguments)},
        "required": ["tool", "arguments"],
        "additionalProperties": False,
    }


def describe_tool(name: str, description: str, schema: Mapping[str, Any]) -> str:
    params = ", ".join(schema.get("properties", {}))
    first_line = description.strip().splitlines()[0] if description.strip() else ""
    return f"- {name}({params}): {first_line}"


def system_prompt(sig: type[dspy.Signature], tools: Sequence[BaseTool]) -> str:
    """Instructions, the tools, and `finish`: for the steps that may call a tool."""
    outputs = ", ".join(sig.output_fields)
    lines = [sig.instructions.strip()] if sig.instructions.strip() else []
    lines.append("You can call these tools:")
    lines += [describe_tool(t.name, t.description, t.arguments_schema()) for t in tools]
    lines.append(describe_tool(FINISH, f"Give the final {outputs}.", finish_schema(sig)))
    # Measured on the embedded model: without the first sentence it often finishes at once.
    lines.append('Call a tool before you finish. Reply with one JSON call: {"tool": ..., "arguments": {...}}.')
    return "\n".join(lines)


def finish_system_prompt(sig: type[dspy.Signature]) -> str:
    """For the final step, which only fills the agent's outputs."""
    shape = ", ".join(f'"{name}": ...' for name in sig.output_fields)
    instructions = sig.instructions.strip()
    return f"{instructions}\nUse the tool results. Reply with JSON: {{{shape}}}.".lstrip()


def task_message(sig: type[dspy.Signature], inputs: Mapping[str, Any]) -> str:
    if len(sig.input_fields) == 1:
        return str(next(iter(inputs.values()), ""))
    return "\n".join(f"{name}: {inputs.get(name, '')}" for name in sig.input_fields)


def tool_messages(task: str, trajectory: Sequence[Mapping[str, Any]]) -> tuple[Any, ...]:
    """The task, then each past call and its result as chat turns."""
    from dspy.lm15 import Message

    turns = [Message.user(task)]
    for entry in trajectory:
        call = {"tool": entry["tool"], "arguments": entry["arguments"]}
        turns.append(Message.assistant(json.dumps(call, ensure_ascii=False)))
        turns.append(Message.user(f"Result: {entry['observation']}"))
    return tuple(turns)


def finish_message(task: str, trajectory: Sequence[Mapping[str, Any]]) -> str:
    """The task and one line per call, `tool: arguments = result`, in a single message.

    Small models copy the result into the answer from this layout far more reliably than
    from chat turns, where they tend to copy the task instead.
    """
    lines = [task]
    for entry in trajectory:
        values = list(entry["arguments"].values())
        shown = str(values[0]) if len(values) == 1 else json.dumps(entry["arguments"], ensure_ascii=False)
        lines.append(f"{entry['tool']}: {shown} = {entry['observation']}")
    return "\n".join(lines)


def parse_json_object(text: str, what: str) -> dict[str, Any]:
    data = json_repair.loads(text) if text.strip() else None
    if not isinstance(data, Mapping):
        raise AgentRunError(f"{what}: the model did not reply with a JSON object: {text[:300]!r}")
    return dict(data)


def parse_action(text: str, allowed: Sequence[str]) -> Action:
    """Read `{"tool": ..., "arguments": {...}}` from the LM's reply."""
    data = parse_json_object(text, "tool step")
    arguments = data.get("arguments", {})
    if data.get("tool") in allowed and isinstance(arguments, Mapping):
        return Action(str(data["tool"]), dict(arguments))
    raise AgentRunError(f"tool step: not a call to one of {list(allowed)}: {text[:300]!r}")
