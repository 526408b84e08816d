"""run_with_tools: a ReAct loop over an agent's signature, inside the runner's machinery."""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import dspy

from superoptix.errors import InvalidInputError
from superoptix.runners.invocation import map_inputs
from superoptix.tools.base import BaseTool
from superoptix.tools.step import FINISH, agent_signature, format_trajectory, step_signature

if TYPE_CHECKING:
    from superoptix.runners.dspy_runner import DSPyRunner


class _Loop:
    """One ReAct episode: at most `max_tool_calls` tool calls, then a forced `finish`."""

    def __init__(self, sig: type[dspy.Signature], tools: Sequence[BaseTool], max_tool_calls: int):
        self.tools = {tool.name: tool for tool in tools}
        self.max_tool_calls = max_tool_calls
        self.open_step = dspy.Predict(step_signature(sig, tools))
        self.finish_step = dspy.Predict(step_signature(sig, []))
        self.output_names = list(sig.output_fields)
        self.trajectory: list[dict[str, Any]] = []
        self.steps = 0

    def __call__(self, inputs: dict[str, Any]) -> dspy.Prediction:
        self.trajectory, self.steps = [], 0  # a retried attempt starts over
        while True:
            capped = len(self.trajectory) >= self.max_tool_calls
            predictor = self.finish_step if capped else self.open_step
            self.steps += 1
            action = predictor(**inputs, trajectory=format_trajectory(self.trajectory)).action
            if action.tool == FINISH:
                return dspy.Prediction(**{k: action.arguments.get(k) for k in self.output_names})
            self._call_tool(action.tool, action.arguments)

    def _call_tool(self, name: str, arguments: dict[str, Any]) -> None:
        tool = self.tools.get(name)
        entry: dict[str, Any] = {"tool": name, "arguments": arguments}
        if tool is None:  # only reachable with an LM that ignores the schema
            message = f"unknown tool {name!r}; tools are {', '.join(self.tools)}"
            entry.update(observation=f"error: {message}", duration_s=0.0, error=message)
        else:
            outcome = tool.invoke(arguments)
            entry.update(observation=outcome.observation, duration_s=outcome.duration_s)
            if outcome.error is not None:
                entry["error"] = outcome.error
        self.trajectory.append(entry)


def run_with_tools(
    runner: DSPyRunner,
    query: str,
    tools: Sequence[BaseTool],
    max_tool_calls: int = 5,
    **kwargs: Any,
) -> dict[str, Any]:
    """Run a ReAct loop over the runner's agent signature with `tools`.

    Each step asks the LM for one action constrained to the tools' schemas (or `finish` with
    the agent's outputs). `max_tool_calls` is a hard cap: once reached, only `finish` is
    offered. Returns `runner.run()`'s result plus `trajectory` (tool, arguments, observation,
    duration_s, error?), `tool_calls` and `steps` (LM calls).
    """
    tools = _check_tools(tools, max_tool_calls)
    inputs = map_inputs(runner.input_fields, query, kwargs, runner.agent_name)
    sig = agent_signature(runner.agent, runner.input_fields)
    loop = _Loop(sig, tools, max_tool_calls)
    start = time.perf_counter()
    result = runner.run_inputs(inputs, call=loop)
    trajectory = copy.deepcopy(loop.trajectory)  # an abandoned (timed out) attempt may still append
    result.update(
        trajectory=trajectory, tool_calls=len(trajectory), steps=loop.steps,
        tools=[tool.name for tool in tools], max_tool_calls=max_tool_calls,
    )
    result.setdefault("duration_s", time.perf_counter() - start)
    return result


def _check_tools(tools: Sequence[BaseTool], max_tool_calls: int) -> list[BaseTool]:
    if isinstance(max_tool_calls, bool) or not isinstance(max_tool_calls, int) or max_tool_calls < 0:
        raise InvalidInputError("run_with_tools: max_tool_calls must be a non-negative integer")
    from superoptix.tools.loader import load_tools

    return load_tools(list(tools))
