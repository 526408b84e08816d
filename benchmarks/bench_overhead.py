"""Issue 2: DSPyRunner's overhead per call against calling the module directly.

Zero-latency fake LM, cache off, the same module and LM on both sides. Direct = `module(question=q)`
under `dspy.context(**runner.call_settings())`, entered per call as the runner does.
Goal: `runner.run(q)` (default config) at most 1.10x the direct call. Variants show what tracing
and the timeout (a daemon thread per call) cost.

Two regimes: a fresh agent, and a long-lived one whose DSPy history (every module keeps the last
`dspy.settings.max_history_size` LM calls, 10000 by default) is full, as in a long-running service;
the runner's tracing walks the agent's attributes, so its cost depends on that history.

    python benchmarks/bench_overhead.py [--calls 100] [--rounds 7] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import dspy

from superoptix.core import SuperOptixPipeline, signature
from superoptix.runners.dspy_runner import DSPyRunner
from superoptix.testing import fake_lm

GOAL = 1.10
VARIANTS: dict[str, dict[str, Any]] = {
    "runner (default)": {},
    "runner tracing off": {"enable_tracing": False},
    "runner timeout None": {"timeout": None},
    "runner tracing off, timeout None": {"enable_tracing": False, "timeout": None},
    "runner lean (+ metrics off)": {"enable_tracing": False, "timeout": None, "enable_metrics": False},
}
DIRECT = "direct module call"


class Answerer(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature("Answer the question.", question=dspy.InputField(), answer=dspy.OutputField())


Caller = Callable[[str], Any]


def build_callers(agent: dspy.Module, lm: dspy.LM) -> dict[str, Caller]:
    """One caller per runner variant plus the direct call, all on this agent and LM."""
    callers: dict[str, Caller] = {}
    for name, config in VARIANTS.items():
        runner = DSPyRunner(agent, config)
        runner.use_lm(lm)
        callers[name] = _checked_run(runner)
    reference = DSPyRunner(agent)
    reference.use_lm(lm)
    settings = reference.call_settings()

    def direct(query: str) -> Any:
        with dspy.context(**settings):
            return agent(question=query)

    callers[DIRECT] = direct
    return callers


def _checked_run(runner: DSPyRunner) -> Caller:
    def run(query: str) -> Any:
        result = runner.run(query)
        if result["status"] != "success":
            raise RuntimeError(f"runner.run failed: {result['error']}")
        return result

    return run


def time_calls(call: Caller, tag: str, count: int) -> float:
    """Seconds per call over `count` distinct queries."""
    queries = [f"q {tag} {i}" for i in range(count)]
    start = time.perf_counter()
    for query in queries:
        call(query)
    return (time.perf_counter() - start) / count


def measure(callers_for: Callable[[], dict[str, Caller]], calls: int, rounds: int) -> dict[str, list[float]]:
    """Interleaved rounds; `callers_for()` is asked for the callers before every timed block."""
    names = list(VARIANTS) + [DIRECT]
    per_call: dict[str, list[float]] = {name: [] for name in names}
    for rnd in range(rounds):
        order = names[rnd % len(names):] + names[: rnd % len(names)]  # rotate who goes first
        for name in order:
            per_call[name].append(time_calls(callers_for()[name], f"{rnd} {name}", calls))
    return per_call


def fill_history(agent: dspy.Module, lm: dspy.LM) -> int:
    """Run real calls until the agent's DSPy history is full (its steady state in a long-lived process)."""
    direct = build_callers(agent, lm)[DIRECT]
    limit = int(dspy.settings.max_history_size)
    count = 0
    while len(agent.history) < limit:
        direct(f"fill {count}")
        count += 1
    return count


def summarize(per_call: dict[str, list[float]]) -> dict[str, Any]:
    base = statistics.median(per_call[DIRECT])
    base_best = min(per_call[DIRECT])
    rows = {
        name: {
            "median_us": statistics.median(times) * 1e6,
            "best_us": min(times) * 1e6,
            "ratio_median": statistics.median(times) / base,
            "ratio_best": min(times) / base_best,
        }
        for name, times in per_call.items()
    }
    return rows


def print_table(rows: dict[str, dict[str, float]]) -> None:
    print(f"\n{'':<36}{'median µs':>11}{'best µs':>10}{'x direct (med)':>16}{'x direct (best)':>17}")
    for name, row in rows.items():
        print(f"{name:<36}{row['median_us']:>11.0f}{row['best_us']:>10.0f}"
              f"{row['ratio_median']:>16.3f}{row['ratio_best']:>17.3f}")


def profile(caller: Caller, calls: int, label: str) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    time_calls(caller, f"profile {label}", calls)
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats("cumulative").print_stats(25)
    return stream.getvalue()


def warm_up(lm: dspy.LM, calls: int) -> None:
    for name, call in build_callers(Answerer(), lm).items():
        time_calls(call, f"warm {name}", calls)


def run_regime(label: str, callers_for: Callable[[], dict[str, Caller]], args: argparse.Namespace
               ) -> dict[str, Any]:
    rows = summarize(measure(callers_for, args.calls, args.rounds))
    print(f"\n== {label}")
    print_table(rows)
    ratio = rows["runner (default)"]["ratio_median"]
    print(f"goal: runner (default) <= {GOAL}x direct -> {'meets' if ratio <= GOAL else 'MISSES'} ({ratio:.3f}x)")
    return {"variants": rows, "meets_goal": ratio <= GOAL}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=100, help="calls per timed block")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="print cProfile of the default runner and direct")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    lm = fake_lm(latency=0.0)
    warm_up(lm, max(20, args.calls // 5))
    fresh = run_regime("fresh agent (a new agent for every timed block)",
                       lambda: build_callers(Answerer(), lm), args)
    agent = Answerer()
    filled = fill_history(agent, lm)
    steady_callers = build_callers(agent, lm)
    steady = run_regime(f"long-lived agent (DSPy history full: {len(agent.history)} entries after {filled} calls)",
                        lambda: steady_callers, args)
    print(f"load avg before {load_before:.2f}")
    if args.profile:
        for name in ("runner (default)", DIRECT):
            print(f"\n--- cProfile, long-lived agent: {name}, {args.calls} calls ---")
            print(profile(steady_callers[name], args.calls, name))
    out = {
        "benchmark": "overhead", "calls_per_round": args.calls, "rounds": args.rounds,
        "lm_calls": lm.engine.calls, "goal_ratio": GOAL, "load_avg_1m": load_before,
        "fresh": fresh, "long_lived": steady, "history_size": len(agent.history),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
