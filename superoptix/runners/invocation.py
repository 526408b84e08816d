"""One agent call: inputs mapped to fields, retries, timeout, usage and trace, as a result dict."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import dspy

from superoptix.errors import InvalidInputError
from superoptix.runners.retry import backoff_delay, error_info, is_transient
from superoptix.runners.timeouts import CallTimedOut, call_with_timeout

RESERVED_KEYS = frozenset({
    "status", "error", "duration_s", "attempts", "usage", "trace", "outputs", "agent", "inputs",
})


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    timeout: float | None = 30.0
    backoff: float = 0.5
    backoff_max: float = 8.0


def map_inputs(
    input_fields: list[str], query: Any, kwargs: Mapping[str, Any], agent_name: str
) -> dict[str, Any]:
    """A string query goes to the first input field; keyword arguments fill named fields."""
    inputs: dict[str, Any] = {}
    if query is not None:
        if not input_fields:
            raise InvalidInputError(f"agent {agent_name!r} declares no input fields to receive the query")
        inputs[input_fields[0]] = query
    unknown = sorted(set(kwargs) - set(input_fields))
    if unknown:
        raise InvalidInputError(
            f"agent {agent_name!r} has no input field(s) {unknown}; its inputs are {input_fields}"
        )
    inputs.update(kwargs)
    return inputs


def prediction_outputs(prediction: Any) -> dict[str, Any]:
    if isinstance(prediction, dspy.Prediction):
        return dict(prediction.items())
    if isinstance(prediction, Mapping):
        return dict(prediction)
    return {"output": prediction}


def usage_totals(per_model: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    totals = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    for usage in per_model.values():
        for key in totals:
            value = usage.get(key)
            totals[key] += int(value) if isinstance(value, (int, float)) else 0
    return totals


def describe_trace(agent: dspy.Module, trace: list[Any]) -> list[dict[str, Any]]:
    names = {id(pred): name for name, pred in agent.named_predictors()}
    return [
        {
            "predictor": names.get(id(pred), type(pred).__name__),
            "inputs": dict(inputs),
            "outputs": prediction_outputs(outputs),
        }
        for pred, inputs, outputs in trace
    ]


def invoke(
    agent: dspy.Module,
    inputs: dict[str, Any],
    policy: RetryPolicy,
    settings: Mapping[str, Any],
    tracing: bool,
    call: Callable[[dict[str, Any]], Any] | None = None,
    rng: random.Random | None = None,
) -> dict[str, Any]:
    """Run the agent once (plus retries) and describe what happened; never raises for agent errors."""
    from dspy.utils.usage_tracker import track_usage

    start = time.perf_counter()
    deadline = None if policy.timeout is None else start + float(policy.timeout)
    attempts, status, error, outputs = 0, "error", None, {}
    usage: dict[str, int] = {}
    trace: list[Any] = []
    run = call or (lambda values: agent(**values))

    def attempt_once() -> Any:
        with ExitStack() as stack:
            stack.enter_context(dspy.context(trace=trace if tracing else None, **settings))
            tracker = stack.enter_context(track_usage())
            try:
                return run(inputs)
            finally:
                for key, value in usage_totals(tracker.get_total_tokens()).items():
                    usage[key] = usage.get(key, 0) + value

    while True:
        attempts += 1
        remaining = None if deadline is None else deadline - time.perf_counter()
        try:
            outputs = prediction_outputs(call_with_timeout(attempt_once, remaining))
            status, error = "success", None
            break
        except CallTimedOut as exc:
            status = "timeout"
            error = {"type": "Timeout", "message": f"run exceeded timeout={policy.timeout}s ({exc})",
                     "transient": True}
            break
        except Exception as exc:
            status, error = "error", error_info(exc)
            if not is_transient(exc) or attempts > policy.max_retries:
                break
            delay = backoff_delay(attempts, policy.backoff, policy.backoff_max, rng)
            if deadline is not None:
                delay = min(delay, max(0.0, deadline - time.perf_counter()))
            time.sleep(delay)
    result: dict[str, Any] = {k: v for k, v in outputs.items() if k not in RESERVED_KEYS}
    result.update(
        status=status, error=error, outputs=outputs, inputs=inputs,
        duration_s=time.perf_counter() - start, attempts=attempts,
        usage={**dict.fromkeys(("prompt_tokens", "completion_tokens", "total_tokens"), 0), **usage},
    )
    if tracing:
        result["trace"] = describe_trace(agent, trace)
    return result
