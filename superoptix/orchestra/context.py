"""What a workflow run needs: members, settings, the pause/stop gate, a deadline, and events."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from superoptix.orchestra.control import RunControl
from superoptix.orchestra.members import Member, excerpt
from superoptix.runners.retry import backoff_delay

logger = logging.getLogger("superoptix.orchestra")

Listener = Callable[[dict[str, Any]], None]


@dataclass
class RunContext:
    members: Mapping[str, Member]
    settings: dict[str, Any]             # OrchestraRunner config
    workflow: dict[str, Any]             # this workflow's settings
    control: RunControl
    slots: threading.Semaphore           # max_concurrent_agents across the orchestra
    emit: Callable[[dict[str, Any]], None]
    deadline: float | None = None
    log_steps: bool = False
    step_retries: int = 0                # extra attempts for a failed step
    started: float = field(default_factory=time.perf_counter)

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.perf_counter()

    def run_step(
        self, agent_id: str, inputs: Mapping[str, Any], timeout: float | None = None,
        retries: int | None = None, label: str | None = None, give_up_at: float | None = None,
        retry_all: bool = False,
    ) -> dict[str, Any]:
        """Run one step: wait at the gate, then attempt up to 1 + retries times within the deadline.

        A failed attempt is retried, after a jittered exponential backoff, when its error is
        transient (rate limit, timeout, server error), or always with `retry_all`
        (pipeline `error_handling: retry`). `give_up_at` (a perf_counter time) is a caller's own
        deadline, e.g. a broadcast's aggregation_timeout: a step not started by then never starts.
        """
        step = label or agent_id
        extra = self.step_retries if retries is None else retries
        attempts: list[dict[str, Any]] = []
        while True:
            result = self._attempt(agent_id, step, inputs, timeout, len(attempts) + 1, give_up_at)
            if result["status"] == "not_run":
                return result if not attempts else _with_attempts(attempts[-1], attempts)
            attempts.append(result)
            retryable = retry_all or result["status"] == "timeout" or bool((result.get("error") or {}).get("transient"))
            if result["status"] == "success" or len(attempts) > extra or not retryable:
                return _with_attempts(result, attempts)
            self._backoff(agent_id, len(attempts), give_up_at)

    def _backoff(self, agent_id: str, attempt: int, give_up_at: float | None) -> None:
        config = self.members[agent_id].runner.config
        delay = backoff_delay(attempt, config["retry_backoff"], config["retry_backoff_max"])
        left = _min_time(self.remaining(), _left(give_up_at))
        time.sleep(delay if left is None else max(0.0, min(delay, left)))

    def _gate(self, step: str, agent_id: str, give_up_at: float | None) -> dict[str, Any] | None:
        remaining = _min_time(self.remaining(), _left(give_up_at))
        if remaining is not None and remaining <= 0:
            return not_run(step, self._late_reason(give_up_at), agent_id)
        if not self.control.wait_to_start(timeout=remaining):
            if self.control.stopped:
                return not_run(step, "orchestra stopped", agent_id)
            return not_run(step, self._late_reason(give_up_at) + " while paused", agent_id)
        return None

    def _late_reason(self, give_up_at: float | None) -> str:
        if give_up_at is not None and time.perf_counter() >= give_up_at:
            return "aggregation_timeout reached before the step started"
        return "workflow_timeout reached before the step started"

    def _acquire_slot(self, give_up_at: float | None) -> bool:
        wait = _min_time(self.remaining(), _left(give_up_at))
        return self.slots.acquire(timeout=wait) if wait is not None else self.slots.acquire()

    def _attempt(
        self, agent_id: str, step: str, inputs: Mapping[str, Any], timeout: float | None, number: int,
        give_up_at: float | None,
    ) -> dict[str, Any]:
        refused = self._gate(step, agent_id, give_up_at)
        if refused is not None:
            return refused
        if not self._acquire_slot(give_up_at):
            return not_run(step, self._late_reason(give_up_at) + " (waiting for a free agent slot)", agent_id)
        try:
            refused = self._gate(step, agent_id, give_up_at)  # paused or stopped while queued
            if refused is not None:
                return refused
            result = self._execute(self.members[agent_id], agent_id, step, inputs,
                                   _min_time(timeout, self.remaining()), number)
        finally:
            self.slots.release()
        return result

    def _execute(self, member: Member, agent_id: str, step: str, inputs: Mapping[str, Any],
                 limit: float | None, number: int) -> dict[str, Any]:
        self.emit({"type": "step_started", "step": step, "agent": agent_id, "attempt": number})
        if self.log_steps:
            logger.info("step %s (agent %s) attempt %d started", step, agent_id, number)
        result = member.execute(inputs, limit)
        result = {**result, "step": step, "agent": agent_id, "attempt": number}
        self.emit({"type": "step_finished", "step": step, "agent": agent_id, "attempt": number,
                   "status": result["status"], "duration_s": result.get("duration_s"),
                   "error": result.get("error"), "excerpt": excerpt(result.get("outputs") or {})})
        if self.log_steps:
            logger.info("step %s (agent %s) attempt %d: %s in %.3fs", step, agent_id, number,
                        result["status"], result.get("duration_s") or 0.0)
        return result


def _left(until: float | None) -> float | None:
    return None if until is None else until - time.perf_counter()


def _min_time(a: float | None, b: float | None) -> float | None:
    values = [v for v in (a, b) if v is not None]
    return max(0.0, min(values)) if values else None


def _with_attempts(result: dict[str, Any], attempts: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(result)
    out["step_attempts"] = len(attempts)
    if len(attempts) > 1:
        out["previous_errors"] = [a.get("error") for a in attempts[:-1]]
    return out


def step_failed(step: str, agent: str, kind: str, message: str, *, status: str = "error",
                transient: bool = False, duration_s: float = 0.0) -> dict[str, Any]:
    """A step that failed before (or without) a call of its agent: same shape as a run result."""
    return {"step": step, "agent": agent, "status": status, "outputs": {}, "duration_s": duration_s,
            "attempts": 0, "step_attempts": 0,
            "error": {"type": kind, "message": message, "transient": transient}}


def not_run(step: str, reason: str, agent: str | None = None) -> dict[str, Any]:
    return {"step": step, "agent": agent or step, "status": "not_run", "reason": reason,
            "outputs": {}, "error": None, "duration_s": 0.0, "attempts": 0, "step_attempts": 0}
