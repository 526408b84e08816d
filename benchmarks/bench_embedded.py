"""Issue 2: the embedded model's tokens per second through DSPy against raw llama.cpp.

DSPy side: `dspy.Predict` on `build_lm({"cache": False})` with the JSONAdapter (what agents use).
Raw side: `Llama.create_chat_completion` on the same loaded model with the exact messages and
keyword arguments (grammar-constrained `response_format`, max_tokens, temperature) that DSPy's
engine passed to llama.cpp, captured on a first pass. Throughput = completion tokens / wall
seconds; the two sides alternate prompt by prompt. Goal: DSPy / raw >= 0.9.

    python benchmarks/bench_embedded.py [--rounds 4] [--n-threads N]

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


Sample = tuple[int, int, int, float]  # round, prompt index, completion tokens, seconds


def dspy_call(lm: dspy.LM, predict: dspy.Predict, prompt: str) -> tuple[int, float]:
    start = time.perf_counter()
    with dspy.context(lm=lm, adapter=dspy.JSONAdapter()), track_usage() as usage:
        predict(question=prompt)
    seconds = time.perf_counter() - start
    totals = usage.get_total_tokens()
    return sum(int(u.get("completion_tokens") or 0) for u in totals.values()), seconds


def raw_call(loaded: Any, call: Call) -> tuple[int, float]:
    messages, kwargs = copy.deepcopy(call[0]), copy.deepcopy(call[1])
    key = json.dumps([messages, kwargs.get("response_format")], sort_keys=True)
    with loaded.lock:  # the same lock and stale-state rule the engine applies
        if key == loaded.last_prompt:
            loaded.llama.reset()
        loaded.last_prompt = key
        start = time.perf_counter()
        raw = loaded.llama.create_chat_completion(messages=messages, **kwargs)
        seconds = time.perf_counter() - start
    return int(raw["usage"]["completion_tokens"]), seconds


def interleaved(lm: dspy.LM, predict: dspy.Predict, loaded: Any, calls: list[Call], rounds: int
                ) -> dict[str, list[Sample]]:
    """Alternate sides prompt by prompt (never the same prompt twice in a row); over each pair of
    rounds both sides run every prompt once, so a burst of outside load hits both alike."""
    samples: dict[str, list[Sample]] = {"dspy": [], "raw": []}
    for rnd in range(rounds):
        for index, prompt in enumerate(PROMPTS):
            side = "dspy" if (index + rnd) % 2 == 0 else "raw"
            tokens, seconds = dspy_call(lm, predict, prompt) if side == "dspy" else raw_call(loaded, calls[index])
            samples[side].append((rnd, index, tokens, seconds))
        done = {name: [s for s in side if s[0] == rnd] for name, side in samples.items()}
        print(f"  round {rnd + 1}: " + ", ".join(
            f"{name} {sum(s[2] for s in got)} tok in {sum(s[3] for s in got):.2f} s" for name, got in done.items()
        ), flush=True)
    return samples


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
    return {"model": path.name, "n_ctx": engine.n_ctx, "n_threads": engine.n_threads,
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"), "load_s": load_s,
            "rss_before_load_mb": rss_before, "rss_after_load_mb": rss_after,
            "samples": interleaved(lm, predict, loaded, calls, rounds)}


def rate(samples: list[Sample]) -> float:
    return sum(s[2] for s in samples) / sum(s[3] for s in samples)


def summarize(measured: dict[str, Any], rounds: int) -> dict[str, Any]:
    samples: dict[str, list[Sample]] = measured.pop("samples")
    pair_ratios = [
        rate([s for s in samples["dspy"] if s[0] // 2 == pair]) / rate([s for s in samples["raw"] if s[0] // 2 == pair])
        for pair in range(rounds // 2)
    ]
    counts: dict[int, set[int]] = {}
    for sample in samples["dspy"] + samples["raw"]:
        counts.setdefault(sample[1], set()).add(sample[2])
    ratio = rate(samples["dspy"]) / rate(samples["raw"])
    return {
        "benchmark": "embedded", **measured, "prompts": len(PROMPTS), "rounds": rounds,
        "dspy_tok_s": rate(samples["dspy"]), "raw_tok_s": rate(samples["raw"]), "ratio": ratio,
        "ratio_median_round_pair": statistics.median(pair_ratios),
        "dspy_completion_tokens": sum(s[2] for s in samples["dspy"]),
        "raw_completion_tokens": sum(s[2] for s in samples["raw"]),
        "prompts_with_differing_token_counts": sum(len(c) > 1 for c in counts.values()),
        "goal_ratio": GOAL, "meets_goal": ratio >= GOAL,
    }


def print_table(out: dict[str, Any]) -> None:
    print(f"\nmodel {out['model']} (n_ctx {out['n_ctx']}, n_threads {out['n_threads']}, "
          f"OMP_WAIT_POLICY {out['omp_wait_policy']})")
    print(f"load {out['load_s'] * 1000:.0f} ms; RSS {out['rss_before_load_mb']:.0f} MB before load, "
          f"{out['rss_after_load_mb']:.0f} MB after")
    print(f"{'':<22}{'tok/s':>8}{'tokens':>8}")
    print(f"{'DSPy Predict':<22}{out['dspy_tok_s']:>8.1f}{out['dspy_completion_tokens']:>8d}")
    print(f"{'raw llama.cpp':<22}{out['raw_tok_s']:>8.1f}{out['raw_completion_tokens']:>8d}")
    print(f"DSPy / raw: {out['ratio']:.3f} overall, {out['ratio_median_round_pair']:.3f} median of round pairs; "
          f"prompts whose token counts differ between calls: {out['prompts_with_differing_token_counts']}")
    print(f"goal: >= {GOAL} -> {'meets' if out['meets_goal'] else 'MISSES'}   load avg before {out['load_avg_1m']:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=4, help="rounded up to an even number")
    parser.add_argument("--n-threads", type=int, default=None, help="llama.cpp threads (default: the library's)")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    rounds = max(2, args.rounds + args.rounds % 2)
    out = summarize(measure(rounds, args.n_threads), rounds)
    out["load_avg_1m"] = load_before
    print_table(out)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
