"""Issue 2: the embedded model's tokens per second through DSPy against raw llama.cpp.

DSPy side: `dspy.Predict` on `build_lm({"cache": False})` with the JSONAdapter (what agents use).
Raw side: `Llama.create_chat_completion` on the same loaded model with the exact messages and
keyword arguments (grammar-constrained `response_format`, max_tokens, temperature) that DSPy's
engine passed to llama.cpp, captured on a first pass. Throughput = completion tokens / wall
seconds; rounds interleave the two sides. Goal: DSPy / raw >= 0.9.

    python benchmarks/bench_embedded.py [--rounds 3] [--n-threads N]

llama.cpp is built with OpenMP, whose threads busy-wait by default: when another process keeps a
core busy, generation can slow down 10-100x. `OMP_WAIT_POLICY=PASSIVE python benchmarks/...`
measures with sleeping threads instead; the policy in effect is printed.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import time
from typing import Any

import dspy
from dspy.utils.usage_tracker import track_usage

from superoptix.lm.config import build_lm
from superoptix.lm.embedded import LlamaEngine, load_model, locate_model_file

GOAL = 0.9
PROMPTS = [
    "What is the capital of France?",
    "Name three primary colors.",
    "Why is the sky blue?",
    "What does a thermometer measure?",
    "Give a synonym for 'happy'.",
    "How many days are there in a week?",
    "What is photosynthesis?",
    "Who wrote Romeo and Juliet?",
    "What is the boiling point of water in Celsius?",
    "Describe a cat in one sentence.",
]
Call = tuple[list[dict[str, Any]], dict[str, Any]]


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def predictor() -> dspy.Predict:
    return dspy.Predict(dspy.Signature("question -> answer", "Answer the question in one full sentence."))


def capture_calls(loaded: Any, lm: dspy.LM, predict: dspy.Predict) -> list[Call]:
    """Run each prompt once through DSPy, recording what its engine handed to llama.cpp."""
    calls: list[Call] = []
    original = loaded.llama.create_chat_completion

    def recording(messages: list[dict[str, Any]], **kwargs: Any) -> Any:
        calls.append((copy.deepcopy(messages), copy.deepcopy(kwargs)))
        return original(messages=messages, **kwargs)

    loaded.llama.create_chat_completion = recording
    try:
        with dspy.context(lm=lm, adapter=dspy.JSONAdapter()):
            for prompt in PROMPTS:
                predict(question=prompt)
    finally:
        del loaded.llama.create_chat_completion  # back to the class's method
    if len(calls) != len(PROMPTS):
        raise RuntimeError(f"expected one llama.cpp call per prompt, captured {len(calls)}")
    return calls


def run_dspy(lm: dspy.LM, predict: dspy.Predict) -> tuple[float, list[int]]:
    seconds, tokens = 0.0, []
    for prompt in PROMPTS:
        start = time.perf_counter()
        with dspy.context(lm=lm, adapter=dspy.JSONAdapter()), track_usage() as usage:
            predict(question=prompt)
        seconds += time.perf_counter() - start
        totals = usage.get_total_tokens()
        tokens.append(sum(int(u.get("completion_tokens") or 0) for u in totals.values()))
    return seconds, tokens


def run_raw(loaded: Any, calls: list[Call]) -> tuple[float, list[int]]:
    seconds, tokens = 0.0, []
    for messages, kwargs in calls:
        messages, kwargs = copy.deepcopy(messages), copy.deepcopy(kwargs)
        key = json.dumps([messages, kwargs.get("response_format")], sort_keys=True)
        with loaded.lock:  # the same lock and stale-state rule the engine applies
            if key == loaded.last_prompt:
                loaded.llama.reset()
            loaded.last_prompt = key
            start = time.perf_counter()
            raw = loaded.llama.create_chat_completion(messages=messages, **kwargs)
            seconds += time.perf_counter() - start
        tokens.append(int(raw["usage"]["completion_tokens"]))
    return seconds, tokens


def measure(rounds: int, n_threads: int | None) -> dict[str, Any]:
    rss_before = rss_mb()
    lm = build_lm({"cache": False, "n_threads": n_threads})
    engine = lm.engine
    if not isinstance(engine, LlamaEngine):
        raise RuntimeError(f"build_lm did not give the embedded engine: {type(engine).__name__}")
    path = locate_model_file(engine.model_path)
    start = time.perf_counter()
    loaded = load_model(path, engine.n_ctx, engine.n_threads)
    load_s = time.perf_counter() - start
    rss_after = rss_mb()
    predict = predictor()
    calls = capture_calls(loaded, lm, predict)
    sides: dict[str, dict[str, Any]] = {"dspy": {"s": [], "tok": []}, "raw": {"s": [], "tok": []}}
    for rnd in range(rounds):
        for name in (("dspy", "raw") if rnd % 2 == 0 else ("raw", "dspy")):
            seconds, tokens = run_dspy(lm, predict) if name == "dspy" else run_raw(loaded, calls)
            sides[name]["s"].append(seconds)
            sides[name]["tok"].append(tokens)
            print(f"  round {rnd + 1} {name:<5} {sum(tokens):5d} tokens in {seconds:6.2f} s"
                  f" = {sum(tokens) / seconds:6.1f} tok/s", flush=True)
    return {"model": path.name, "n_ctx": engine.n_ctx, "n_threads": engine.n_threads,
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"), "load_s": load_s,
            "rss_before_load_mb": rss_before, "rss_after_load_mb": rss_after, "sides": sides}


def summarize(measured: dict[str, Any], rounds: int) -> dict[str, Any]:
    sides = measured.pop("sides")
    rates = {name: [sum(t) / s for t, s in zip(side["tok"], side["s"], strict=True)] for name, side in sides.items()}
    totals = {name: sum(map(sum, side["tok"])) / sum(side["s"]) for name, side in sides.items()}
    mismatched = sum(
        a != b for d, r in zip(sides["dspy"]["tok"], sides["raw"]["tok"], strict=True)
        for a, b in zip(d, r, strict=True)
    )
    ratio = totals["dspy"] / totals["raw"]
    return {
        "benchmark": "embedded", **measured, "prompts": len(PROMPTS), "rounds": rounds,
        "dspy_tok_s": totals["dspy"], "raw_tok_s": totals["raw"], "ratio": ratio,
        "ratio_median_round": statistics.median(d / r for d, r in zip(rates["dspy"], rates["raw"], strict=True)),
        "dspy_completion_tokens": sum(map(sum, sides["dspy"]["tok"])),
        "raw_completion_tokens": sum(map(sum, sides["raw"]["tok"])),
        "token_count_mismatches": mismatched, "goal_ratio": GOAL, "meets_goal": ratio >= GOAL,
    }


def print_table(out: dict[str, Any]) -> None:
    print(f"\nmodel {out['model']} (n_ctx {out['n_ctx']}, n_threads {out['n_threads']}, "
          f"OMP_WAIT_POLICY {out['omp_wait_policy']})")
    print(f"load {out['load_s'] * 1000:.0f} ms; RSS {out['rss_before_load_mb']:.0f} MB before load, "
          f"{out['rss_after_load_mb']:.0f} MB after")
    print(f"{'':<22}{'tok/s':>8}{'tokens':>8}")
    print(f"{'DSPy Predict':<22}{out['dspy_tok_s']:>8.1f}{out['dspy_completion_tokens']:>8d}")
    print(f"{'raw llama.cpp':<22}{out['raw_tok_s']:>8.1f}{out['raw_completion_tokens']:>8d}")
    print(f"DSPy / raw: {out['ratio']:.3f} overall, {out['ratio_median_round']:.3f} median of rounds; "
          f"per-prompt token count mismatches: {out['token_count_mismatches']}")
    print(f"goal: >= {GOAL} -> {'meets' if out['meets_goal'] else 'MISSES'}   load avg before {out['load_avg_1m']:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n-threads", type=int, default=None, help="llama.cpp threads (default: the library's)")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    out = summarize(measure(args.rounds, args.n_threads), args.rounds)
    out["load_avg_1m"] = load_before
    print_table(out)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
