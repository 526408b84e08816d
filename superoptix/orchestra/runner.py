"""OrchestraRunner: many agents, four workflow kinds, live status, pause/resume/stop."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import dspy

from superoptix.errors import InvalidInputError, UnknownAgentError
from superoptix.orchestra.context import Listener, RunContext
from superoptix.orchestra.control import RunControl
from superoptix.orchestra.members import Member, ensure_module
from superoptix.orchestra.membership import build_member
from superoptix.orchestra.results import assemble
from superoptix.orchestra.settings import CHOICES, orchestra_settings, workflow_settings
from superoptix.orchestra.workflows import registry
from superoptix.orchestra.workflows.conditional import compile_all

logger = logging.getLogger("superoptix.orchestra")

WORKFLOW_KEYS = {
    "pipeline": ("pipeline_steps",),
    "broadcast": ("target_agents",),
    "conditional": ("conditions",),
    "parallel": ("parallel_tasks",),
}


class OrchestraRunner:
    """Runs an orchestra of agents. Thread-safe: status calls and control work during a run."""

    def __init__(
        self,
        orchestra_config: Mapping[str, Any],
        agents: Mapping[str, dspy.Module],
        config: Mapping[str, Any] | None = None,
        *,
        lm: dspy.LM | None = None,
        base_dir: str | Path | None = None,
    ):
        self.orchestra_config = dict(orchestra_config)
        self.name = str(self.orchestra_config.get("name") or "orchestra")
        self.settings = orchestra_settings(self.orchestra_config.get("config"), config)
        self.base_dir = Path(base_dir) if base_dir else Path.cwd()
        self._shared_lm = lm
        self._lms: dict[str, dspy.LM] = {}
        self._lock = threading.RLock()
        self._members: dict[str, Member] = {}
        self.control = RunControl()
        self._slots = threading.Semaphore(int(self.settings["max_concurrent_agents"]))
        self._events: deque[dict[str, Any]] = deque(maxlen=10_000)
        self._listeners: list[Listener] = []
        self._active_runs = 0
        self._runs = 0
        self._last_status: str | None = None
        for agent_id, agent in agents.items():
            self.add_agent(agent_id, agent)
        if self.orchestra_config.get("conditions"):
            compile_all(list(self.orchestra_config["conditions"]))

    @classmethod
    def from_file(
        cls, path: str | Path, config_overrides: Mapping[str, Any] | None = None,
        *, lm: dspy.LM | None = None,
    ) -> OrchestraRunner:
        """Validate and load an orchestra YAML file (every problem reported at once, exit code 2)."""
        from superoptix.orchestra.loader import load_orchestra

        loaded = load_orchestra(path)
        return cls(loaded.document, loaded.agents, config_overrides, lm=lm,
                   base_dir=Path(path).resolve().parent)

    # ------------------------------------------------------------------ workflows
    def run_orchestra(
        self, input_data: Mapping[str, Any] | None = None, workflow_type: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Run the orchestra's workflow (its `workflow_type`, else pipeline) on the input."""
        kind = workflow_type or self.orchestra_config.get("workflow_type") or "pipeline"
        if kind not in WORKFLOW_KEYS:
            raise InvalidInputError(f"workflow_type: expected one of {', '.join(WORKFLOW_KEYS)}, got {kind!r}")
        spec: dict[str, Any] = {key: self.orchestra_config[key] for key in _SPEC_KEYS
                                if key in self.orchestra_config}
        missing = [key for key in WORKFLOW_KEYS[kind] if key not in {**spec, **kwargs}]
        if missing:
            raise InvalidInputError(f"a {kind} workflow needs {missing[0]!r} in the orchestra config")
        data = {**dict(self.orchestra_config.get("input") or {}), **dict(input_data or {})}
        return self._execute(kind, data, spec, kwargs)

    def run_pipeline_workflow(
        self, input_data: Mapping[str, Any], pipeline_steps: list[str], **kwargs: Any
    ) -> dict[str, Any]:
        return self._execute("pipeline", dict(input_data), {"pipeline_steps": pipeline_steps}, kwargs)

    def run_broadcast_workflow(
        self, input_data: Mapping[str, Any], target_agents: list[str],
        aggregation_strategy: str = "consensus", **kwargs: Any,
    ) -> dict[str, Any]:
        spec = {"target_agents": target_agents, "aggregation_strategy": aggregation_strategy}
        return self._execute("broadcast", dict(input_data), spec, kwargs)

    def run_conditional_workflow(
        self, input_data: Mapping[str, Any], conditions: list[dict[str, Any]], **kwargs: Any
    ) -> dict[str, Any]:
        return self._execute("conditional", dict(input_data), {"conditions": conditions}, kwargs)

    def run_parallel_workflow(
        self, input_data: Mapping[str, Any], parallel_tasks: list[dict[str, Any]],
        max_concurrent: int | None = None, on_result: Callable[[dict[str, Any]], None] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """`on_result` receives each task's result as it finishes (with `synchronization: async`).

        `max_concurrent` defaults to workflow_config's `max_concurrent` (4 unless configured).
        """
        spec = {"parallel_tasks": parallel_tasks, "max_concurrent": max_concurrent, "on_result": on_result}
        return self._execute("parallel", dict(input_data), spec, kwargs)

    def _execute(self, kind: str, input_data: dict[str, Any], spec: dict[str, Any],
                 overrides: dict[str, Any]) -> dict[str, Any]:
        spec = {**spec, **{k: overrides.pop(k) for k in list(overrides) if k in _SPEC_KEYS}}
        workflow = workflow_settings(kind, self.orchestra_config.get("workflow_config"),
                                     overrides.pop("workflow_config", None), overrides)
        self._check_agents(kind, spec, workflow)
        _check_spec(kind, spec)
        if kind == "conditional":
            compile_all(spec["conditions"])
        ctx = self._context(workflow)
        self._begin_run(kind)
        status = "failed"
        try:
            part = registry()[kind](ctx, input_data, spec)
            result = assemble(self.name, kind, part, ctx, input_data)
            status = result["status"]
            return result
        finally:
            self._end_run(kind, status)

    def _context(self, workflow: dict[str, Any]) -> RunContext:
        timeout = self.settings["workflow_timeout"]
        retries = self.settings["max_retries"] if self.settings["retry_failed_steps"] else 0
        with self._lock:
            members = dict(self._members)
        return RunContext(
            members=members, settings=self.settings, workflow=workflow, control=self.control,
            slots=self._slots, emit=self._emit,
            deadline=None if timeout is None else time.perf_counter() + float(timeout),
            log_steps=bool(workflow.get("logging", False)), step_retries=int(retries),
        )

    def _check_agents(self, kind: str, spec: dict[str, Any], workflow: dict[str, Any]) -> None:
        named: list[str] = list(spec.get("pipeline_steps") or []) + list(spec.get("target_agents") or [])
        named += [rule.get("agent", "") for rule in spec.get("conditions") or [] if isinstance(rule, dict)]
        named += [task.get("agent", "") for task in spec.get("parallel_tasks") or [] if isinstance(task, dict)]
        if kind == "conditional" and workflow.get("default_agent"):
            named.append(workflow["default_agent"])
        with self._lock:
            unknown = [agent for agent in dict.fromkeys(named) if agent not in self._members]
            known = sorted(self._members)
        if unknown:
            raise UnknownAgentError(
                f"unknown agent(s) {unknown} in the {kind} workflow; this orchestra has {known}. "
                "Add them with add_agent() or declare them under `agents:`."
            )

    # ------------------------------------------------------------------ agents
    def add_agent(self, agent_id: str, agent: dspy.Module) -> None:
        ensure_module(agent_id, agent)
        with self._lock:
            if agent_id in self._members:
                raise InvalidInputError(f"agent {agent_id!r} already exists; remove it first")
            options = (self.orchestra_config.get("agents") or {}).get(agent_id) or {}
            self._members[agent_id] = build_member(
                agent_id, agent, options, self.orchestra_config.get("lm"), self._lm_for,
                self.base_dir, self.settings,
            )

    def remove_agent(self, agent_id: str) -> None:
        """Remove an agent; a step of it that is already running still finishes."""
        with self._lock:
            if agent_id not in self._members:
                raise UnknownAgentError(f"unknown agent {agent_id!r}; agents: {sorted(self._members)}")
            del self._members[agent_id]

    def agent_ids(self) -> list[str]:
        with self._lock:
            return list(self._members)

    def runner_for(self, agent_id: str) -> Any:
        """The DSPyRunner behind an agent (for evaluation and optimization)."""
        with self._lock:
            if agent_id not in self._members:
                raise UnknownAgentError(f"unknown agent {agent_id!r}; agents: {sorted(self._members)}")
            return self._members[agent_id].runner

    def _lm_for(self, key: str, build: Callable[[], dspy.LM]) -> dspy.LM:
        if self._shared_lm is not None:
            return self._shared_lm
        if key not in self._lms:
            self._lms[key] = build()
        return self._lms[key]

    # ------------------------------------------------------------------ status and control
    def get_agent_status(self, agent_id: str) -> dict[str, Any]:
        with self._lock:
            member = self._members.get(agent_id)
        if member is None:
            raise UnknownAgentError(f"unknown agent {agent_id!r}; agents: {self.agent_ids()}")
        return member.describe()

    def get_orchestra_status(self) -> dict[str, Any]:
        with self._lock:
            members = dict(self._members)
            active_runs, runs, last = self._active_runs, self._runs, self._last_status
        agents = {agent_id: member.describe() for agent_id, member in members.items()}
        running = [agent_id for agent_id, info in agents.items() if info["running"]]
        return {
            "name": self.name,
            "status": self._state(active_runs),
            "active_agents": len(running),
            "running_agents": running,
            "total_agents": len(agents),
            "active_runs": active_runs,
            "completed_runs": runs,
            "last_run_status": last,
            "agents": agents,
            "events": list(self._events) if self.settings["enable_monitoring"] else [],
        }

    def _state(self, active_runs: int) -> str:
        if self.control.stopped:
            return "stopping" if active_runs else "stopped"
        if self.control.paused:
            return "paused"
        return "running" if active_runs else "idle"

    def pause_orchestra(self) -> None:
        """No new step starts until resume_orchestra(); running steps finish."""
        self.control.pause()
        self._emit({"type": "paused"})

    def resume_orchestra(self) -> None:
        self.control.resume()
        self._emit({"type": "resumed"})

    def stop_orchestra(self) -> None:
        """No new step of the runs in progress starts; their results list what did not run."""
        self.control.stop()
        self._emit({"type": "stopped"})

    def add_listener(self, listener: Listener) -> None:
        """Call `listener(event)` for every step start and finish (when monitoring is enabled)."""
        with self._lock:
            self._listeners.append(listener)

    def _emit(self, event: dict[str, Any]) -> None:
        if not self.settings["enable_monitoring"]:
            return
        event = {"time": time.time(), "orchestra": self.name, **event}
        with self._lock:
            self._events.append(event)
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # a broken display must not break the run; it is logged, not hidden
                logger.exception("orchestra listener failed on %s", event.get("type"))

    def _begin_run(self, kind: str) -> None:
        with self._lock:
            if self._active_runs == 0:
                self.control.clear_stop()
            self._active_runs += 1
        self._emit({"type": "workflow_started", "workflow_type": kind})

    def _end_run(self, kind: str, status: str) -> None:
        with self._lock:
            self._active_runs -= 1
            self._runs += 1
            self._last_status = status
        self._emit({"type": "workflow_finished", "workflow_type": kind, "status": status})


def _check_spec(kind: str, spec: dict[str, Any]) -> None:
    """Refuse what would otherwise fail only after agents ran."""
    if kind != "broadcast":
        return
    strategy = spec.get("aggregation_strategy") or "consensus"
    if strategy not in CHOICES["aggregation_strategy"]:
        raise InvalidInputError(f"aggregation_strategy: expected one of "
                                f"{', '.join(CHOICES['aggregation_strategy'])}, got {strategy!r}")
    targets = list(spec["target_agents"])
    repeated = sorted({agent for agent in targets if targets.count(agent) > 1})
    if repeated:
        raise InvalidInputError(f"target_agents: {repeated} listed more than once; each agent votes once")


_SPEC_KEYS = ("pipeline_steps", "target_agents", "aggregation_strategy", "conditions",
              "parallel_tasks", "max_concurrent", "on_result")
