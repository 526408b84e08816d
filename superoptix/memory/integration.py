"""run_with_memory: give the agent relevant memories, then remember the interaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from superoptix.errors import InvalidInputError
from superoptix.memory.agent_memory import AgentMemory, MemoryContext
from superoptix.runners.invocation import map_inputs

if TYPE_CHECKING:
    from superoptix.runners.dspy_runner import DSPyRunner

CONTEXT_FIELDS = ("context", "history")
PREAMBLE = "Relevant memory:"


def with_memory_prefix(query: str, context: MemoryContext) -> str:
    """How memories reach an agent without a `context`/`history` input: before the query.

        Relevant memory:
        - <memory>
        - <memory>

        <query>
    """
    return f"{PREAMBLE}\n{context.text}\n\n{query}" if context.items else query


def run_with_memory(
    runner: DSPyRunner,
    query: str,
    memory: AgentMemory,
    include_context: bool = True,
    **kwargs: Any,
) -> dict[str, Any]:
    """Run with memories relevant to `query`, then store the interaction if the run succeeded.

    Memories go to the agent's `context` or `history` input when it has one that the call
    does not fill itself; otherwise they are prepended to the query (see `with_memory_prefix`).
    The result is `runner.run()`'s plus `memory`: {used, stored_id, injected_as, agent_id}.
    """
    if not isinstance(memory, AgentMemory):
        raise InvalidInputError(f"run_with_memory: memory must be an AgentMemory, got {type(memory).__name__}")
    fields = runner.input_fields
    inputs = map_inputs(fields, query, kwargs, runner.agent_name)
    context = memory.context(str(query)) if include_context else MemoryContext([], "")
    injected_as = None
    if context.items:
        query_field = fields[0] if fields else None
        target = next((f for f in CONTEXT_FIELDS if f in fields and f != query_field and f not in kwargs), None)
        if target is not None:
            inputs[target], injected_as = context.text, target
        elif query_field is not None:
            inputs[query_field], injected_as = with_memory_prefix(str(query), context), "query"
    for name in CONTEXT_FIELDS:  # an unfilled context/history input is given as empty, not missing
        if name in fields and name not in inputs:
            inputs[name] = ""
    return record_interaction(runner, memory, query, runner.run_inputs(inputs), context, injected_as)


def record_interaction(
    runner: DSPyRunner, memory: AgentMemory, query: Any, result: dict[str, Any],
    context: MemoryContext, injected_as: str | None,
) -> dict[str, Any]:
    """Store a successful run's interaction and report in `result["memory"]` what was used."""
    stored_id = None
    if result["status"] == "success":
        stored_id = memory.add_interaction(str(query), result["outputs"], {"agent": runner.agent_name})
    result["memory"] = {
        "agent_id": memory.agent_id,
        "used": [item.to_dict() for item in context.items],
        "stored_id": stored_id,
        "injected_as": injected_as,
    }
    return result
