"""`evaluate_runner`: evaluate one agent through its DSPyRunner (retries, timeouts, usage)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from superoptix.evaluation.engine import DEFAULT_THRESHOLD, evaluate_cases, thread_count
from superoptix.evaluation.examples import build_cases
from superoptix.evaluation.metrics import resolve_metrics

if TYPE_CHECKING:
    from superoptix.runners.dspy_runner import DSPyRunner


def agent_output_fields(runner: DSPyRunner) -> list[str] | None:
    getter = getattr(runner.agent, "output_fields", None)
    fields = list(getter()) if callable(getter) else []
    return fields or None


def evaluate_runner(
    runner: DSPyRunner,
    test_data: Sequence[Mapping[str, Any]],
    metrics: Sequence[Any] | None = None,
    *,
    num_threads: int | None = None,
    max_concurrent: int | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    min_score: float | None = None,
    on_result: Callable[[dict[str, Any]], None] | None = None,
    input_fields: Sequence[str] | None = None,
    output_fields: Sequence[str] | None = None,
    source: str = "test_data",
) -> dict[str, Any]:
    """Run the agent on every example and score it.

    Returns `results` (per example: inputs, expected, prediction, scores, passed, error, status,
    duration_s, usage), `summary` (mean score per metric, pass rate at `threshold`, counts,
    duration, tokens) and `gate` (the mean scores against metric thresholds and `min_score`).
    Every row is checked before the first model call.
    """
    resolved = resolve_metrics(metrics)
    workers = thread_count(num_threads, max_concurrent)
    inputs = list(input_fields) if input_fields else runner.input_fields
    outputs = list(output_fields) if output_fields else agent_output_fields(runner)
    cases = build_cases(test_data, inputs, outputs, source=source)
    report = evaluate_cases(
        cases, resolved, runner.run_inputs, settings=runner.call_settings(), workers=workers,
        threshold=threshold, min_score=min_score, on_result=on_result,
    )
    return {"target": runner.agent_name, "kind": "agent", **report}
