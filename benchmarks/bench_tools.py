"""Issue 5: `run_with_tools` on the embedded model (SmolLM2-135M through llama.cpp).

The seed of the spec: `DSPyRunner(DataProcessor()).run_with_tools("Calculate 2 + 2",
tools=[CalculatorTool()])`. Reports LM steps, tool calls, seconds, and whether the calculator
got a correct expression and the final answer contains 4. The first run includes loading the
model; the cache is off, so every step is a real generation. `--suite` adds more questions.

    python benchmarks/bench_tools.py [--rounds 3] [--suite]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

from superoptix.examples.data_analysis import DataProcessor
from superoptix.runners.dspy_runner import DSPyRunner
from superoptix.tools import CalculatorTool, ToolError
from superoptix.tools.calculator import evaluate

SEED_QUERY = "Calculate 2 + 2"
SUITE = [  # (question, expected value)
    ("Calculate 2 + 2", 4), ("What is 12 * 7?", 84), ("Calculate 15 - 9", 6),
    ("How much is 100 / 4?", 25), ("Compute 3 * 3 * 3", 27), ("What is 2 ** 10?", 1024),
    ("Calculate 81 / 9", 9), ("What is 45 + 55?", 100),
]



def correct_call(trajectory: list[dict[str, Any]], expected: float) -> bool:
    """Did some calculator call evaluate to the expected value?"""
    for entry in trajectory:
        if entry["tool"] != "calculator":
            continue
        try:
            if evaluate(str(entry["arguments"].get("expression", ""))) == expected:
                return True
        except ToolError:
            continue
    return False


def run_one(runner: DSPyRunner, query: str, expected: float) -> dict[str, Any]:
    start = time.perf_counter()
    result = runner.run_with_tools(query, tools=[CalculatorTool()])
    seconds = time.perf_counter() - start
    answer = str(result.get("processed_data", ""))
    return {
        "query": query, "status": result["status"], "seconds": round(seconds, 3),
        "steps": result["steps"], "tool_calls": result["tool_calls"],
        "calls": [e["arguments"] for e in result["trajectory"]],
        "correct_call": correct_call(result["trajectory"], expected),
        "answer": answer, "answer_correct": str(int(expected)) in answer,
        "completion_tokens": result["usage"]["completion_tokens"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="runs of the seed query")
    parser.add_argument("--suite", action="store_true", help="also run the arithmetic suite")
    args = parser.parse_args(argv)
    runner = DSPyRunner(DataProcessor(), {"lm": {"cache": False}, "timeout": 300})
    seed = [run_one(runner, SEED_QUERY, 4) for _ in range(args.rounds)]
    for rnd, row in enumerate(seed, 1):
        note = " (includes model load)" if rnd == 1 else ""
        print(f"seed round {rnd}: {row['status']}, {row['steps']} steps, {row['tool_calls']} tool call(s) "
              f"{row['calls']}, {row['seconds']:.2f} s{note}; answer {row['answer']!r} -> "
              f"{'correct' if row['answer_correct'] else 'WRONG'} (4)")
    warm = seed[1:] or seed
    out: dict[str, Any] = {"seed": seed, "seed_warm_median_s": statistics.median(r["seconds"] for r in warm)}
    if args.suite:
        rows = [run_one(runner, q, expected) for q, expected in SUITE]
        for row in rows:
            print(f"  {row['query']!r:28} {row['steps']} steps {row['seconds']:6.2f} s  "
                  f"call ok={row['correct_call']!s:5} answer ok={row['answer_correct']!s:5} {row['answer'][:50]!r}")
        out["suite"] = {
            "questions": len(rows),
            "correct_calls": sum(r["correct_call"] for r in rows),
            "correct_answers": sum(r["answer_correct"] for r in rows),
            "mean_steps": statistics.mean(r["steps"] for r in rows),
            "mean_seconds": round(statistics.mean(r["seconds"] for r in rows), 3),
        }
        print(f"suite: {out['suite']}")
    print(json.dumps(out))
    return 0 if all(r["answer_correct"] and r["correct_call"] for r in seed) else 1


if __name__ == "__main__":
    raise SystemExit(main())
