"""Deterministic agents and concurrency probes shared by the orchestra tests (no tests here)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import dspy

from superoptix.core import SuperOptixPipeline, signature
from superoptix.errors import TransientError
from superoptix.orchestra.runner import OrchestraRunner

Behaviour = Callable[..., dict[str, Any]]


class FnAgent(SuperOptixPipeline):
    """An agent with a declared signature whose outputs are `behaviour(**inputs)`; counts its calls."""

    def __init__(self, inputs: Sequence[str], outputs: Sequence[str], behaviour: Behaviour, name: str = "fn"):
        self._inputs, self._outputs, self._behaviour = list(inputs), list(outputs), behaviour
        self.calls: list[dict[str, Any]] = []
        self._calls_lock = threading.Lock()
        super().__init__(name=name)

    def get_signature(self) -> type[dspy.Signature]:
        fields: dict[str, Any] = {n: dspy.InputField() for n in self._inputs}
        fields.update({n: dspy.OutputField() for n in self._outputs})
        return signature("A deterministic test agent.", **fields)

    def forward(self, **inputs: Any) -> dspy.Prediction:
        with self._calls_lock:
            self.calls.append(dict(inputs))
        return dspy.Prediction(**self._behaviour(**inputs))


def fixed(answer: str, field: str = "answer", inputs: Sequence[str] = ("data",)) -> FnAgent:
    """Always answers `answer` in `field`."""
    return FnAgent(inputs, [field], lambda **_: {field: answer}, name=f"fixed_{answer}")


def failing(message: str = "boom", inputs: Sequence[str] = ("data",), outputs: Sequence[str] = ("answer",)
            ) -> FnAgent:
    def behaviour(**_: Any) -> dict[str, Any]:
        raise ValueError(message)

    return FnAgent(inputs, outputs, behaviour, name="failing")


def flaky(failures: int, answer: str = "ok", inputs: Sequence[str] = ("data",)) -> FnAgent:
    """Raises a transient error (like a rate limit) on its first `failures` calls, then answers."""
    state = {"n": 0}

    def behaviour(**_: Any) -> dict[str, Any]:
        state["n"] += 1
        if state["n"] <= failures:
            raise TransientError(f"failure {state['n']}")
        return {"answer": answer}

    return FnAgent(inputs, ["answer"], behaviour, name="flaky")


def waiting(event: threading.Event, answer: str = "late", inputs: Sequence[str] = ("data",),
            wait_s: float = 5.0) -> FnAgent:
    """Blocks until `event` is set (at most `wait_s`), then answers."""
    def behaviour(**_: Any) -> dict[str, Any]:
        event.wait(wait_s)
        return {"answer": answer}

    return FnAgent(inputs, ["answer"], behaviour, name="waiting")


class InFlight:
    """Counts overlapping calls to check a concurrency `limit` without timing assumptions.

    Each call first waits (up to `wait_s`) until `limit` calls overlap or all `total` have started,
    so a working limit is reached for sure; then it lingers briefly so that, were the limit
    missing, more calls would pile in and `peak` would exceed it.
    """

    def __init__(self, limit: int, total: int, wait_s: float = 3.0, linger_s: float = 0.1):
        self.limit, self.total, self.wait_s, self.linger_s = limit, total, wait_s, linger_s
        self.current = self.started = self.peak = 0
        self._cond = threading.Condition()

    @contextmanager
    def track(self) -> Iterator[None]:
        with self._cond:
            self.current += 1
            self.started += 1
            self.peak = max(self.peak, self.current)
            self._cond.notify_all()
            self._cond.wait_for(lambda: self.current >= self.limit or self.started >= self.total, self.wait_s)
            self._cond.wait_for(lambda: self.current > self.limit or self.started >= self.total, self.linger_s)
        try:
            yield
        finally:
            with self._cond:
                self.current -= 1

    def agent(self, answer: str = "ok", inputs: Sequence[str] = ("data",)) -> FnAgent:
        def behaviour(**_: Any) -> dict[str, Any]:
            with self.track():
                return {"answer": answer}

        return FnAgent(inputs, ["answer"], behaviour, name="tracked")


def runner(agents: dict[str, dspy.Module], config: dict[str, Any] | None = None,
           **orchestra: Any) -> OrchestraRunner:
    """An OrchestraRunner without step retries unless the config asks for them."""
    return OrchestraRunner({"name": "test", **orchestra}, agents, {"retry_failed_steps": False, **(config or {})})


def statuses(result: dict[str, Any]) -> dict[str, str]:
    return {step["step"]: step["status"] for step in result["steps"]}
