"""Run every benchmark in sequence, each in its own process, and print a one-line summary per run.

    python benchmarks/run_all.py [--only batch overhead ...]

Exit code: 0 when every benchmark ran (whether or not it met its goal), 1 when one crashed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BENCHMARKS = ("batch", "overhead", "embedded", "parallel", "tools")


def last_json(stdout: str) -> dict[str, Any] | None:
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            parsed: dict[str, Any] = json.loads(line)
            return parsed
    return None


def headline(result: dict[str, Any]) -> str:
    name = result.get("benchmark")
    if name == "batch":
        text = (f"run_batch {result['runner_median_ratio_to_ideal']:.3f}x ideal, dspy.Parallel "
                f"{result['parallel_median_ratio_to_ideal']:.3f}x, "
                f"runner/Parallel {result['runner_vs_parallel_median']:.3f}")
        if "long_lived" in result:
            text += f"; long-lived agent: run_batch {result['long_lived']['runner_median_ratio_to_ideal']:.3f}x ideal"
        return text
    if name == "overhead":
        fresh = result["fresh"]["variants"]["runner (default)"]["ratio_median"]
        steady = result["long_lived"]["variants"]["runner (default)"]["ratio_median"]
        return f"runner/direct {fresh:.3f} (fresh agent), {steady:.3f} (long-lived agent)"
    if name == "embedded":
        return (f"DSPy {result['dspy_tok_s']:.1f} tok/s vs raw {result['raw_tok_s']:.1f} tok/s = "
                f"{result['ratio']:.3f}; load {result['load_s'] * 1000:.0f} ms, "
                f"RSS {result['rss_after_load_mb']:.0f} MB")
    if name == "parallel":
        return ", ".join(f"{row['scenario']}: {row['ratio_median']:.3f}x" for row in result["scenarios"])
    return json.dumps(result)[:120]


def _verdict(result: dict[str, Any]) -> str:
    if "meets_goal" not in result:
        return "ran"
    return "meets goal" if result["meets_goal"] else "misses goal"


def run_one(name: str) -> tuple[int, dict[str, Any] | None, float]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(HERE / f"bench_{name}.py")], capture_output=True, text=True,
                          check=False)
    elapsed = time.perf_counter() - start
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    return proc.returncode, last_json(proc.stdout), elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS))
    args = parser.parse_args(argv)
    summary: list[str] = []
    crashed = False
    for name in args.only:
        if not (HERE / f"bench_{name}.py").is_file():
            summary.append(f"{name:<9} missing")
            continue
        print(f"\n##### bench_{name}.py  (load avg {os.getloadavg()[0]:.2f})", flush=True)
        code, result, elapsed = run_one(name)
        crashed |= code != 0 or result is None
        verdict = "crashed" if result is None else _verdict(result)
        detail = headline(result) if result else f"exit code {code}"
        summary.append(f"{name:<9} {elapsed:6.1f} s  {verdict:<11} {detail}")
    print("\n##### summary")
    print("\n".join(summary))
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
