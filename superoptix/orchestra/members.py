"""An agent inside an orchestra: its runner, its options, and its live status counters."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import dspy

from superoptix.errors import InvalidInputError
from superoptix.runners.dspy_runner import DSPyRunner


@dataclass
class MemberStatus:
    state: str = "idle"
    runs: int = 0
    successes: int = 0
    failures: int = 0
    running: int = 0
    last_status: str | None = None
    last_error: dict[str, Any] | None = None
    last_duration_s: float | None = None
    last_finished_at: float | None = None


@dataclass
class Member:
    """One orchestra agent. `options` is its section of the orchestra document (lm, tools, memory...)."""

    agent_id: str
    runner: DSPyRunner
    options: Mapping[str, Any] = field(default_factory=dict)
    tools: list[Any] = field(default_factory=list)
    memory: Any = None
    status: MemberStatus = field(default_factory=MemberStatus)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def input_fields(self) -> list[str]:
        return self.runner.input_fields

    @property
    def output_fields(self) -> list[str]:
        getter = getattr(self.runner.agent, "output_fields", None)
        return list(getter()) if callable(getter) else []

    def execute(self, inputs: Mapping[str, Any], timeout: float | None) -> dict[str, Any]:
        """One attempt through the agent's runner (tools and memory when declared)."""
        self._begin()
        try:
            result = self._call(dict(inputs), timeout)
        finally:
            self._end_running()
        self._finish(result)
        return result

    def _call(self, inputs: dict[str, Any], timeout: float | None) -> dict[str, Any]:
        runner = self.runner
        if timeout is not None:
            configured = runner.config["timeout"]
            runner = _with_timeout(runner, timeout if configured is None else min(configured, timeout))
        if self.tools and self.memory is not None:
            return _tools_with_memory(runner, self.tools, self.memory, *_split_query(self.input_fields, inputs))
        if self.tools:
            first, rest = _split_query(self.input_fields, inputs)
            return runner.run_with_tools(first, self.tools, **rest)
        if self.memory is not None:
            first, rest = _split_query(self.input_fields, inputs)
            return runner.run_with_memory(first, self.memory, **rest)
        if runner.config["executor"] == "ray":
            from superoptix.distributed import run_remote

            return runner.record_result(run_remote(runner, [inputs], timeout)[0])
        return runner.run_inputs(inputs)

    def _begin(self) -> None:
        with self.lock:
            self.status.running += 1
            self.status.state = "running"

    def _end_running(self) -> None:
        with self.lock:
            self.status.running -= 1
            self.status.state = "running" if self.status.running else "idle"

    def _finish(self, result: Mapping[str, Any]) -> None:
        with self.lock:
            st = self.status
            st.runs += 1
            ok = result.get("status") == "success"
            st.successes += ok
            st.failures += not ok
            st.last_status = result.get("status")
            st.last_error = result.get("error")
            st.last_duration_s = result.get("duration_s")
            st.last_finished_at = time.time()

    def describe(self) -> dict[str, Any]:
        with self.lock:
            st = self.status
            return {
                "agent_id": self.agent_id,
                "name": self.runner.agent_name,
                "class": f"{type(self.runner.agent).__module__}:{type(self.runner.agent).__qualname__}",
                "status": st.state,
                "runs": st.runs,
                "successes": st.successes,
                "failures": st.failures,
                "running": st.running,
                "last_status": st.last_status,
                "last_error": st.last_error,
                "last_duration_s": st.last_duration_s,
                "last_finished_at": st.last_finished_at,
                "input_fields": self.input_fields,
                "output_fields": self.output_fields,
                "tools": [getattr(t, "name", type(t).__name__) for t in self.tools],
                "memory": self.memory is not None,
            }


def _with_timeout(runner: DSPyRunner, timeout: float) -> DSPyRunner:
    """A view of the runner with a tighter timeout; shares its agent, LM and statistics."""
    view = object.__new__(DSPyRunner)
    view.__dict__.update(runner.__dict__)
    view.config = {**runner.config, "timeout": timeout}
    return view


def _tools_with_memory(runner: DSPyRunner, tools: list[Any], memory: Any, query: Any, rest: dict[str, Any]
                       ) -> dict[str, Any]:
    """An agent with both: relevant memories go before the query, then the tool loop runs."""
    from superoptix.memory.integration import record_interaction, with_memory_prefix

    context = memory.context(str(query))
    result = runner.run_with_tools(with_memory_prefix(str(query), context), tools, **rest)
    return record_interaction(runner, memory, query, result, context, "query" if context.items else None)


def _split_query(fields: list[str], inputs: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    if not fields:
        return None, inputs
    rest = dict(inputs)
    return rest.pop(fields[0], None), rest


def ensure_module(agent_id: str, agent: Any) -> dspy.Module:
    if not isinstance(agent, dspy.Module):
        raise InvalidInputError(
            f"agent {agent_id!r}: expected a superoptix.core.SuperOptixPipeline (or dspy.Module), "
            f"got {type(agent).__name__}"
        )
    return agent


def excerpt(outputs: Mapping[str, Any], limit: int = 80) -> str:
    """A one-line preview of a step's outputs for status tables."""
    if not outputs:
        return ""
    value = next(iter(outputs.values())) if len(outputs) == 1 else outputs
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
