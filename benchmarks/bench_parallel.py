"""Issue 3: orchestra parallel and broadcast workflows run their branches concurrently.

Deterministic agents that sleep (no model): wall time should be about the slowest branch, not the
sum. Goal: wall / slowest <= 1.10 for parallel (max_concurrent >= branches) and broadcast; and with
max_concurrent below the number of tasks, wall / (ideal schedule) <= 1.10 while the limit holds.

    python benchmarks/bench_parallel.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import dspy

from superoptix.core import SuperOptixPipeline
from superoptix.orchestra.runner import OrchestraRunner
from superoptix.testing import fake_lm

GOAL = 1.10
DELAYS = {"fast": 0.2, "medium": 0.5, "slow": 1.0}


class Concurrency:
    """Counts how many sleeper calls run at once (to check max_concurrent is respected)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current = 0
        self.peak = 0

    def __enter__(self) -> None:
        with self._lock:
            self.current += 1
            self.peak = max(self.peak, self.current)

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.current -= 1

    def reset(self) -> None:
        with self._lock:
            self.peak = self.current


class Sleeper(SuperOptixPipeline):
    """Sleeps `config["delay"]` seconds, then answers the same thing every time."""

    def __init__(self, delay: float, gauge: Concurrency):
        super().__init__({"delay": delay})
        self.gauge = gauge

    def forward(self, text: str) -> dspy.Prediction:
        with self.gauge:
            time.sleep(float(self.config["delay"]))
        return dspy.Prediction(answer=f"seen: {text}")


def build(delays: dict[str, float], gauge: Concurrency) -> OrchestraRunner:
    agents = {name: Sleeper(delay, gauge) for name, delay in delays.items()}
    return OrchestraRunner({"name": "bench_parallel", "config": {"max_concurrent_agents": len(agents)}},
                           agents, lm=fake_lm())


def timed(run: Callable[[], dict[str, Any]]) -> tuple[float, dict[str, Any]]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def scenario(name: str, delays: dict[str, float], concurrency: int, kind: str, ideal: float,
             rounds: int) -> dict[str, Any]:
    gauge = Concurrency()
    orchestra = build(delays, gauge)
    tasks = [{"agent": agent, "input_key": "text"} for agent in delays]

    def run() -> dict[str, Any]:
        if kind == "broadcast":
            return orchestra.run_broadcast_workflow({"text": "hello"}, list(delays), "consensus")
        return orchestra.run_parallel_workflow({"text": "hello"}, tasks, max_concurrent=concurrency)

    walls, statuses, peaks = [], [], []
    for _ in range(rounds):
        gauge.reset()
        wall, result = timed(run)
        walls.append(wall)
        statuses.append(result["status"])
        peaks.append(gauge.peak)
    ratio = statistics.median(walls) / ideal
    return {
        "scenario": name, "workflow": kind, "branches": len(delays), "max_concurrent": concurrency,
        "ideal_s": ideal, "sum_s": sum(delays.values()), "best_s": min(walls),
        "median_s": statistics.median(walls), "ratio_median": ratio, "ratio_best": min(walls) / ideal,
        "ratio_to_sum": statistics.median(walls) / sum(delays.values()),
        "peak_concurrency": max(peaks), "statuses": sorted(set(statuses)),
        "meets_goal": ratio <= GOAL and max(peaks) <= concurrency and set(statuses) == {"success"},
    }


def scenarios(rounds: int) -> list[dict[str, Any]]:
    slowest = max(DELAYS.values())
    limited = {f"task{i}": 0.3 for i in range(4)}
    return [
        scenario("parallel, 3 tasks, max_concurrent=3", DELAYS, 3, "parallel", slowest, rounds),
        scenario("broadcast, 3 agents", DELAYS, 3, "broadcast", slowest, rounds),
        # 4 x 0.3 s two at a time: two waves, 0.6 s; 4 at once would take 0.3 s
        scenario("parallel, 4 x 0.3 s, max_concurrent=2", limited, 2, "parallel", 0.6, rounds),
    ]


def print_table(rows: list[dict[str, Any]], load: float) -> None:
    print(f"{'scenario':<40}{'ideal s':>8}{'sum s':>7}{'median s':>10}{'x ideal':>9}{'x sum':>7}{'peak':>6}  status")
    for row in rows:
        print(f"{row['scenario']:<40}{row['ideal_s']:>8.2f}{row['sum_s']:>7.2f}{row['median_s']:>10.3f}"
              f"{row['ratio_median']:>9.3f}{row['ratio_to_sum']:>7.2f}{row['peak_concurrency']:>6d}"
              f"  {','.join(row['statuses'])}")
    verdict = "meets" if all(r["meets_goal"] for r in rows) else "MISSES"
    print(f"goal: wall <= {GOAL} x ideal, peak <= max_concurrent, all success -> {verdict}   "
          f"load avg before {load:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    rows = scenarios(args.rounds)
    print_table(rows, load_before)
    print(json.dumps({"benchmark": "parallel", "rounds": args.rounds, "goal_ratio": GOAL,
                      "load_avg_1m": load_before, "scenarios": rows,
                      "meets_goal": all(r["meets_goal"] for r in rows)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
