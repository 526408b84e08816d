"""Issue 2: `DSPyRunner.run_batch` wall time against the ideal and against `dspy.Parallel`.

200 distinct queries to an agent whose (fake) LM takes 100 ms, 8 at a time: the ideal is
200 * 0.1 / 8 = 2.5 s. Goal: run_batch within 5% of the ideal (ratio <= 1.05).
Both sides run on the same module and LM, interleaved, in one process. A second run repeats this
on a long-lived agent whose DSPy history (max_history_size entries) is full; see bench_overhead.py.

    python benchmarks/bench_batch.py [--queries 200] [--latency 0.1] [--concurrency 8] [--rounds 3] [--skip-long-lived]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import dspy

from superoptix.core import SuperOptixPipeline, signature
from superoptix.runners.dspy_runner import DSPyRunner
from superoptix.testing import fake_lm

GOAL = 1.05


class Answerer(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature("Answer the question.", question=dspy.InputField(), answer=dspy.OutputField())


def queries_for(tag: str, count: int) -> list[str]:
    """Distinct queries per run, so no layer can answer from a cache."""
    return [f"question {tag} #{i}: what is {i} + {i}?" for i in range(count)]


def time_runner(runner: DSPyRunner, queries: list[str], concurrency: int) -> tuple[float, int]:
    start = time.perf_counter()
    results = runner.run_batch(queries, max_concurrent=concurrency)
    wall = time.perf_counter() - start
    failed = [r for r in results if r["status"] != "success"]
    for result in failed[:3]:
        print(f"  run_batch failure: {result['status']} {result['error']}", file=sys.stderr)
    return wall, len(failed) + (len(queries) - len(results))


def time_parallel(runner: DSPyRunner, queries: list[str], concurrency: int) -> tuple[float, int]:
    parallel = dspy.Parallel(num_threads=concurrency, disable_progress_bar=True, max_errors=len(queries))
    pairs = [(runner.agent, {"question": q}) for q in queries]
    start = time.perf_counter()
    with dspy.context(**runner.call_settings()):
        results = parallel(pairs)
    wall = time.perf_counter() - start
    return wall, sum(1 for r in results if r is None) + (len(queries) - len(results))


def fill_history(agent: dspy.Module) -> None:
    """Real zero-latency calls until the agent's DSPy history is full, as in a long-lived process."""
    with dspy.context(lm=fake_lm(), adapter=dspy.JSONAdapter()):
        for i in range(int(dspy.settings.max_history_size)):
            agent(question=f"fill {i}")


def measure(args: argparse.Namespace, agent: dspy.Module, rounds: int) -> dict[str, Any]:
    lm = fake_lm(latency=args.latency)
    runner = DSPyRunner(agent)
    runner.use_lm(lm)
    sides: dict[str, Callable[[DSPyRunner, list[str], int], tuple[float, int]]] = {
        "run_batch": time_runner, "dspy.Parallel": time_parallel,
    }
    walls: dict[str, list[float]] = {name: [] for name in sides}
    errors = 0
    for rnd in range(rounds):
        order = list(sides) if rnd % 2 == 0 else list(reversed(sides))
        for name in order:
            calls_before = lm.engine.calls
            wall, failed = sides[name](runner, queries_for(f"{rnd}-{name}", args.queries), args.concurrency)
            made = lm.engine.calls - calls_before
            if made != args.queries:
                print(f"  {name}: expected {args.queries} LM calls, saw {made}", file=sys.stderr)
                failed += abs(args.queries - made)
            walls[name].append(wall)
            errors += failed
            print(f"  round {rnd + 1} {name:<14} {wall:7.3f} s  ({failed} failed)")
    return {"walls": walls, "errors": errors}


def summarize(args: argparse.Namespace, walls: dict[str, list[float]], errors: int) -> dict[str, Any]:
    ideal = args.queries * args.latency / args.concurrency
    out: dict[str, Any] = {
        "benchmark": "batch", "queries": args.queries, "latency_s": args.latency,
        "max_concurrent": args.concurrency, "rounds": len(walls["run_batch"]), "ideal_s": ideal,
        "errors": errors, "goal_ratio_to_ideal": GOAL,
    }
    for name, key in (("run_batch", "runner"), ("dspy.Parallel", "parallel")):
        out[f"{key}_best_s"] = min(walls[name])
        out[f"{key}_median_s"] = statistics.median(walls[name])
        out[f"{key}_best_ratio_to_ideal"] = min(walls[name]) / ideal
        out[f"{key}_median_ratio_to_ideal"] = statistics.median(walls[name]) / ideal
    out["runner_vs_parallel_best"] = out["runner_best_s"] / out["parallel_best_s"]
    out["runner_vs_parallel_median"] = out["runner_median_s"] / out["parallel_median_s"]
    out["meets_goal"] = out["runner_median_ratio_to_ideal"] <= GOAL
    return out


def print_table(out: dict[str, Any]) -> None:
    print(f"ideal {out['ideal_s']:.3f} s ({out['queries']} x {out['latency_s']} s / {out['max_concurrent']})"
          f"   load avg before {out['load_avg_1m']:.2f}")
    print(f"{'':<14}{'best s':>9}{'median s':>10}{'best/ideal':>12}{'median/ideal':>14}")
    for label, key in (("run_batch", "runner"), ("dspy.Parallel", "parallel")):
        print(f"{label:<14}{out[f'{key}_best_s']:>9.3f}{out[f'{key}_median_s']:>10.3f}"
              f"{out[f'{key}_best_ratio_to_ideal']:>12.3f}{out[f'{key}_median_ratio_to_ideal']:>14.3f}")
    print(f"run_batch / dspy.Parallel: best {out['runner_vs_parallel_best']:.3f}, "
          f"median {out['runner_vs_parallel_median']:.3f}")
    verdict = "meets" if out["meets_goal"] else "MISSES"
    print(f"goal: run_batch median/ideal <= {GOAL} -> {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-long-lived", action="store_true",
                        help="skip the second run on an agent whose DSPy history is full")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    print("== fresh agent")
    measured = measure(args, Answerer(), args.rounds)
    out = summarize(args, measured["walls"], measured["errors"])
    out["load_avg_1m"] = load_before
    print_table(out)
    if not args.skip_long_lived:
        agent = Answerer()
        fill_history(agent)
        print(f"\n== long-lived agent (DSPy history: {len(agent.history)} entries)")
        measured = measure(args, agent, 2)
        out["long_lived"] = summarize(args, measured["walls"], measured["errors"])
        out["long_lived"]["load_avg_1m"] = load_before
        out["errors"] += measured["errors"]
        print_table(out["long_lived"])
    print(json.dumps(out))
    return 1 if out["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
