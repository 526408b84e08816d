"""One agent call: inputs mapped to fields, retries, timeout, usage and trace, as a result dict."""

from __future__ import annotations

import random
import time
import weakref
from collections.abc import Callable, Mapping
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
    input_fields: list[str], query: Any, kwargs: Mapping[str, Any], agent_name: str,
    required: list[str] | None = None,
) -> dict[str, Any]:
    """A string query goes to the first input field; keyword arguments fill named fields.

    With `required`, a required field left empty is an error rather than a silent gap.
    """
    inputs: dict[str, Any] = {}
    if query is not None:
        if not input_fields:
            raise InvalidInputError(f"agent {agent_name!r} declares no input fields to receive the query")
        if input_fields[0] in kwargs:
            raise InvalidInputError(
                f"agent {agent_name!r}: the query and the keyword {input_fields[0]!r} both fill "
                f"input field {input_fields[0]!r}; give one of them"
            )
        inputs[input_fields[0]] = query
    unknown = sorted(set(kwargs) - set(input_fields))
    if unknown:
        raise InvalidInputError(
            f"agent {agent_name!r} has no input field(s) {unknown}; its inputs are {input_fields}"
        )
    inputs.update(kwargs)
    missing = [name for name in required or [] if name not in inputs]
    if missing:
        raise InvalidInputError(f"agent {agent_name!r} needs input field(s) {missing}; it got {sorted(inputs)}")
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


_predictor_names: weakref.WeakKeyDictionary[dspy.Module, dict[int, str]] = weakref.WeakKeyDictionary()


def predictor_names(agent: dspy.Module, trace: list[Any]) -> dict[int, str]:
    """Names of the agent's predictors by id, cached: walking the module tree costs milliseconds
    once DSPy's per-module history has grown. Rebuilt when a traced predictor is not in it."""
    names = _predictor_names.get(agent)
    if names is None or any(id(pred) not in names for pred, _, _ in trace):
        names = {id(pred): name for name, pred in agent.named_predictors()}
        _predictor_names[agent] = names
    return names


def describe_trace(agent: dspy.Module, trace: list[Any]) -> list[dict[str, Any]]:
    names = predictor_names(agent, trace) if trace else {}
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
    from dspy.utils.usage_tracker import UsageTracker

    start = time.perf_counter()
    deadline = None if policy.timeout is None else start + float(policy.timeout)
    attempts, status, error, outputs = 0, "error", None, {}
    usage: dict[str, int] = {}
    trace: list[Any] = []
    run = call or (lambda values: agent(**values))

    def attempt_once() -> Any:
        tracker, parent = UsageTracker(), dspy.settings.usage_tracker
        try:
            with dspy.context(trace=trace if tracing else None, usage_tracker=tracker, **settings):
                return run(inputs)
        finally:
            for key, value in usage_totals(tracker.get_total_tokens()).items():
                usage[key] = usage.get(key, 0) + value
            if parent is not None:  # roll up into an enclosing tracker, as dspy's track_usage does
                for lm_name, entries in tracker.usage_data.items():
                    parent.usage_data[lm_name].extend(entries)

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
