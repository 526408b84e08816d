"""The quality gate: every metric's mean score against its threshold and the minimum score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from superoptix.evaluation.metrics import Metric


def check_gate(
    summary: Mapping[str, Any], metrics: Sequence[Metric], min_score: float | None = None
) -> dict[str, Any]:
    """`passed` is False when any mean score is below its metric's threshold or `min_score`.

    `run_failed` is True when no example ran at all (every run ended in an error).
    """
    failures = []
    for metric in metrics:
        score = float(summary["scores"][metric.label])
        for limit, source in ((metric.threshold, "threshold"), (min_score, "min_score")):
            if limit is not None and score < float(limit):
                failures.append({"metric": metric.label, "score": score, "threshold": float(limit),
                                 "source": source})
    run_failed = summary["total"] > 0 and summary["errors"] == summary["total"]
    return {
        "passed": not failures and not run_failed,
        "run_failed": run_failed,
        "min_score": min_score,
        "failures": failures,
    }
