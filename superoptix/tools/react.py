"""run_with_tools: a ReAct loop over an agent's signature, inside the runner's machinery."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import dspy
import pydantic

from superoptix.errors import AgentRunError, InvalidInputError
from superoptix.runners.invocation import map_inputs
from superoptix.tools import step
from superoptix.tools.base import BaseTool

if TYPE_CHECKING:
    from superoptix.runners.dspy_runner import DSPyRunner

STEP_MAX_TOKENS = 256


class ReActLoop:
    """One episode: tool steps until the model calls `finish`, then the outputs.

    `max_tool_calls` is a hard cap: once reached, the next step can only finish. A call
    identical to an earlier one would return the same result, so it is not run again and the
    loop moves to the final step (small models otherwise repeat a call until the cap).
    """

    def __init__(self, sig: type[dspy.Signature], tools: Sequence[BaseTool], max_tool_calls: int):
        self.sig = sig
        self.tools = {tool.name: tool for tool in tools}
        self.max_tool_calls = max_tool_calls
        self.system = step.system_prompt(sig, tools)
        self.schema = step.action_schema(tools, sig)
        self.finish_model = step.finish_model(sig)
        self.trajectory: list[dict[str, Any]] = []
        self.steps = 0

    def __call__(self, inputs: dict[str, Any]) -> dspy.Prediction:
        self.trajectory, self.steps = [], 0  # a retried attempt starts over
        task = step.task_message(self.sig, inputs)
        while len(self.trajectory) < self.max_tool_calls:
            action = self._tool_step(task)
            if action.tool == step.FINISH:
                return self._outputs(action.arguments)
            if self._repeats(action):
                break
            self._call_tool(action)
        return self._outputs(self._finish_step(task))

    def _ask(self, system: str, messages: tuple[Any, ...], schema: dict[str, Any]) -> str:
        from dspy.lm15 import Config, Request

        lm = dspy.settings.lm
        if lm is None:
            raise AgentRunError("run_with_tools: no LM in the DSPy context")
        request = Request(
            model=lm.model, system=system, messages=messages,
            config=Config(
                response_format={"type": "json_schema", "name": "step", "schema": schema},
                max_tokens=lm.kwargs.get("max_tokens") or STEP_MAX_TOKENS,
                temperature=lm.kwargs.get("temperature"),
            ),
        )
        self.steps += 1
        return lm(request).text or ""

    def _tool_step(self, task: str) -> step.Action:
        text = self._ask(self.system, step.tool_messages(task, self.trajectory), self.schema)
        return step.parse_action(text, [*self.tools, step.FINISH])

    def _finish_step(self, task: str) -> dict[str, Any]:
        from dspy.lm15 import Message

        message = Message.user(step.finish_message(task, self.trajectory))
        text = self._ask(step.finish_system_prompt(self.sig), (message,), step.finish_schema(self.sig))
        return step.parse_json_object(text, "final step")

    def _repeats(self, action: step.Action) -> bool:
        return any(e["tool"] == action.tool and e["arguments"] == action.arguments for e in self.trajectory)

    def _call_tool(self, action: step.Action) -> None:
        outcome = self.tools[action.tool].invoke(action.arguments)
        entry: dict[str, Any] = {
            "tool": action.tool, "arguments": action.arguments,
            "observation": outcome.observation, "duration_s": outcome.duration_s,
        }
        if outcome.error is not None:
            entry["error"] = outcome.error
        self.trajectory.append(entry)

    def _outputs(self, arguments: dict[str, Any]) -> dspy.Prediction:
        try:
            outputs = self.finish_model.model_validate(arguments)
        except pydantic.ValidationError as exc:
            raise AgentRunError(f"finish: the outputs do not match the agent's signature: {exc}") from exc
        return dspy.Prediction(**dict(outputs))


def run_with_tools(
    runner: DSPyRunner,
    query: str,
    tools: Sequence[BaseTool],
    max_tool_calls: int = 5,
    **kwargs: Any,
) -> dict[str, Any]:
    """Run a ReAct loop over the runner's agent signature with `tools`.

    Each tool step asks the LM for one call constrained to the tools' argument schemas, or for
    `finish` with the agent's outputs. `max_tool_calls` is a hard cap on tool calls. Returns
    `runner.run()`'s result plus `trajectory` (tool, arguments, observation, duration_s,
    error?), `tool_calls`, and `steps` (LM calls).
    """
    if isinstance(max_tool_calls, bool) or not isinstance(max_tool_calls, int) or max_tool_calls < 0:
        raise InvalidInputError("run_with_tools: max_tool_calls must be a non-negative integer")
    from superoptix.tools.loader import load_tools

    loaded = load_tools(list(tools))
    inputs = map_inputs(runner.input_fields, query, kwargs, runner.agent_name)
    loop = ReActLoop(step.agent_signature(runner.agent, runner.input_fields), loaded, max_tool_calls)
    result = runner.run_inputs(inputs, call=loop)
    trajectory = copy.deepcopy(loop.trajectory)  # an abandoned (timed-out) attempt may still append
    result.update(
        trajectory=trajectory, tool_calls=len(trajectory), steps=loop.steps,
        tools=[tool.name for tool in loaded], max_tool_calls=max_tool_calls,
    )
    return result
