"""Execution statistics that stay exact when many threads record at once."""

from __future__ import annotations

import statistics
import threading
from dataclasses import dataclass, field
from typing import Any

TOKEN_KEYS = ("prompt_tokens", "completion_tokens", "total_tokens")


@dataclass
class _Totals:
    runs: int = 0
    successes: int = 0
    failures: int = 0
    timeouts: int = 0
    retries: int = 0
    durations: list[float] = field(default_factory=list)
    tokens: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TOKEN_KEYS, 0))


class RunStats:
    """Counters and response-time percentiles, updated under one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._totals = _Totals()

    def record(self, status: str, duration_s: float, retries: int, usage: dict[str, Any]) -> None:
        with self._lock:
            totals = self._totals
            totals.runs += 1
            totals.successes += status == "success"
            totals.failures += status != "success"
            totals.timeouts += status == "timeout"
            totals.retries += retries
            totals.durations.append(duration_s)
            for key in TOKEN_KEYS:
                totals.tokens[key] += int(usage.get(key, 0) or 0)

    def reset(self) -> None:
        with self._lock:
            self._totals = _Totals()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            totals = self._totals
            durations = sorted(totals.durations)
            tokens = dict(totals.tokens)
            counts = (totals.runs, totals.successes, totals.failures, totals.timeouts, totals.retries)
        runs, successes, failures, timeouts, retries = counts
        return {
            "total_runs": runs,
            "successful_runs": successes,
            "failed_runs": failures,
            "timed_out_runs": timeouts,
            "total_retries": retries,
            "success_rate": successes / runs if runs else 0.0,
            "avg_response_time": statistics.fmean(durations) if durations else 0.0,
            "p50_response_time": percentile(durations, 50),
            "p95_response_time": percentile(durations, 95),
            "total_prompt_tokens": tokens["prompt_tokens"],
            "total_completion_tokens": tokens["completion_tokens"],
            "total_tokens": tokens["total_tokens"],
        }


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted values (0.0 for none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, -(-len(sorted_values) * pct // 100))
    return sorted_values[int(rank) - 1]
