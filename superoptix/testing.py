"""A deterministic fake LM for tests and benchmarks: scripted answers, latency, injected failures.

It is a real DSPy 3.4 engine, so everything above it (adapters, cache, usage, retries) runs as
it would on a real model. Only the model is fake.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import dspy

Responder = Callable[[str, list[str]], "dict[str, Any] | str"]


def output_fields(request: Any) -> list[str]:
    """The output field names the adapter asked for (from the JSON schema it sent)."""
    fmt = request.config.response_format or {}
    schema = fmt.get("schema") or {}
    return list(schema.get("properties", {}))


def last_user_text(request: Any) -> str:
    users = [m.text or "" for m in request.messages if m.role == "user"]
    return users[-1] if users else ""


def echo_responder(prompt: str, fields: list[str]) -> dict[str, Any]:
    """Fill every output field with a deterministic function of the prompt."""
    tail = prompt.strip().splitlines()[-1][:80] if prompt.strip() else ""
    return {name: f"{name}: {tail}" for name in fields}


class FakeEngine:
    """Answers with `responder(prompt, output_fields)`; may sleep and fail on purpose."""

    supports_response_schema = True
    supports_function_calling = False
    supports_reasoning = False
    supported_params = frozenset({"response_format", "temperature", "max_tokens", "stop"})

    def __init__(
        self,
        responder: Responder | None = None,
        latency: float = 0.0,
        fail_rate: float = 0.0,
        always_fail: bool = False,
        error: type[Exception] | None = None,
        seed: int = 0,
        max_consecutive_failures: int | None = None,
    ):
        self.responder = responder or echo_responder
        self.latency = latency
        self.fail_rate = fail_rate
        self.always_fail = always_fail
        self.error = error
        self.max_consecutive_failures = max_consecutive_failures
        self._streaks: dict[str, int] = {}
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.calls = 0
        self.failures = 0
        self.prompts: list[str] = []

    def __deepcopy__(self, memo: dict[int, Any]) -> FakeEngine:
        return self

    def complete(self, request: Any) -> Any:
        from dspy.lm15 import Message, RateLimitError, Response, TextPart, Usage

        prompt = last_user_text(request)
        with self._lock:
            self.calls += 1
            self.prompts.append(prompt)
            fail = self.always_fail or (self.fail_rate > 0 and self._rng.random() < self.fail_rate)
            streak = self._streaks.get(prompt, 0)
            if fail and self.max_consecutive_failures is not None and streak >= self.max_consecutive_failures:
                fail = False  # transient means it clears up: cap the failures in a row per prompt
            self._streaks[prompt] = streak + 1 if fail else 0
            self.failures += fail
        if self.latency:
            time.sleep(self.latency)
        if fail:
            raise (self.error or RateLimitError)("injected failure")
        answer = self.responder(prompt, output_fields(request))
        text = answer if isinstance(answer, str) else json.dumps(answer)
        tokens_in, tokens_out = len(prompt.split()), len(text.split())
        return Response(
            id=None, model="fake", message=Message.assistant([TextPart(text)]), finish_reason="stop",
            usage=Usage(input_tokens=tokens_in, output_tokens=tokens_out, total_tokens=tokens_in + tokens_out),
        )

    def stream(self, request: Any) -> Any:
        from dspy.lm15 import response_to_events

        return response_to_events(self.complete(request))

    def close(self) -> None:
        """Nothing to release."""


class AsyncFakeEngine:
    def __init__(self, sync: FakeEngine):
        self.sync = sync

    def __deepcopy__(self, memo: dict[int, Any]) -> AsyncFakeEngine:
        return self

    async def complete(self, request: Any) -> Any:
        return await asyncio.to_thread(self.sync.complete, request)

    async def stream(self, request: Any) -> Any:
        for event in self.sync.stream(request):
            yield event

    async def aclose(self) -> None:
        """Nothing to release."""


def fake_lm(responder: Responder | None = None, *, cache: bool = False, **engine_kwargs: Any) -> dspy.LM:
    """A `dspy.LM` on a FakeEngine; the engine is reachable as `lm.engine`."""
    engine = FakeEngine(responder, **engine_kwargs)
    return dspy.LM("fake/model", engine=engine, async_engine=AsyncFakeEngine(engine),
                   cache=cache, num_retries=0)
