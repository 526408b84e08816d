"""Evaluate: run every example, score it with every metric, aggregate, and check the gate."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import dspy

from superoptix.errors import InvalidInputError
from superoptix.evaluation.concurrency import map_in_threads
from superoptix.evaluation.examples import Case
from superoptix.evaluation.gate import check_gate
from superoptix.evaluation.metrics import Metric

DEFAULT_THRESHOLD = 0.5
USAGE_KEYS = ("prompt_tokens", "completion_tokens", "total_tokens")

RunOne = Callable[[dict[str, Any]], Mapping[str, Any]]
"""Runs one example's inputs; returns a runner-style result: status, outputs, error, duration_s, usage."""


def thread_count(num_threads: int | None, max_concurrent: int | None) -> int:
    value = num_threads if num_threads is not None else (max_concurrent if max_concurrent is not None else 1)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(f"num_threads/max_concurrent: expected a positive integer, got {value!r}")
    return value


def score_case(
    case: Case, outputs: Mapping[str, Any], metrics: Sequence[Metric], settings: Mapping[str, Any]
) -> tuple[dict[str, float], dict[str, str]]:
    """Scores per metric label, and the error of each metric that raised (scored 0)."""
    example, prediction = case.example(), dspy.Prediction(**dict(outputs))
    scores: dict[str, float] = {}
    errors: dict[str, str] = {}
    with dspy.context(**settings):
        for metric in metrics:
            try:
                scores[metric.label] = metric(example, prediction)
            except Exception as exc:  # a failing metric fails this example; it is reported with it
                scores[metric.label] = 0.0
                errors[metric.label] = f"{type(exc).__name__}: {exc}"
    return scores, errors


def evaluate_case(
    case: Case, run_one: RunOne, metrics: Sequence[Metric], settings: Mapping[str, Any], threshold: float
) -> dict[str, Any]:
    run = run_one(dict(case.inputs))
    ok = run.get("status") == "success"
    outputs = dict(run.get("outputs") or {})
    error = run.get("error")
    if ok:
        scores, metric_errors = score_case(case, outputs, metrics, settings)
        if metric_errors:
            message = "; ".join(f"{label}: {text}" for label, text in metric_errors.items())
            error = {"type": "MetricError", "message": message, "transient": False}
    else:
        scores = {metric.label: 0.0 for metric in metrics}
    return {
        "index": case.index,
        "inputs": case.inputs,
        "expected": case.expected,
        "prediction": outputs if ok else None,
        "status": run.get("status", "error"),
        "scores": scores,
        "passed": ok and error is None and all(s >= threshold for s in scores.values()),
        "error": error,
        "duration_s": float(run.get("duration_s") or 0.0),
        "usage": {k: int((run.get("usage") or {}).get(k) or 0) for k in USAGE_KEYS},
    }


def summarize(
    entries: Sequence[Mapping[str, Any]], metrics: Sequence[Metric], threshold: float, duration: float
) -> dict[str, Any]:
    total = len(entries)
    passed = sum(1 for e in entries if e["passed"])
    means = {m.label: sum(e["scores"][m.label] for e in entries) / total if total else 0.0 for m in metrics}
    return {
        "total": total,
        "passed": passed,
        "failed": total - passed,
        "errors": sum(1 for e in entries if e["status"] != "success"),
        "metric_errors": sum(1 for e in entries if e["status"] == "success" and e["error"]),
        "pass_rate": passed / total if total else 0.0,
        "threshold": threshold,
        "scores": means,
        "score": sum(means.values()) / len(means) if means else 0.0,
        "duration_s": duration,
        "usage": {k: sum(e["usage"][k] for e in entries) for k in USAGE_KEYS},
    }


def evaluate_cases(
    cases: Sequence[Case],
    metrics: Sequence[Metric],
    run_one: RunOne,
    *,
    settings: Mapping[str, Any],
    workers: int = 1,
    threshold: float = DEFAULT_THRESHOLD,
    min_score: float | None = None,
    on_result: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """The evaluation report: `results` (one per case, in order), `summary` and `gate`."""
    start = time.perf_counter()
    entries = map_in_threads(
        lambda case: evaluate_case(case, run_one, metrics, settings, threshold), cases, workers, on_result
    )
    summary = summarize(entries, metrics, threshold, time.perf_counter() - start)
    return {
        "metrics": [
            {"name": m.name, "label": m.label, "threshold": m.threshold, "options": dict(m.options)}
            for m in metrics
        ],
        "results": entries,
        "summary": summary,
        "gate": check_gate(summary, metrics, min_score),
    }
