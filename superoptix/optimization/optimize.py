"""`optimize_runner`: compile a runner's agent with a DSPy optimizer, score it before and after."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dspy

from superoptix.errors import AgentRunError, InvalidInputError
from superoptix.evaluation.engine import DEFAULT_THRESHOLD
from superoptix.evaluation.examples import Case, build_cases
from superoptix.evaluation.metrics import Metric, resolve_metric
from superoptix.evaluation.runner_eval import agent_output_fields, evaluate_runner
from superoptix.optimization.counting import LMCallCounter
from superoptix.optimization.persistence import dataset_hash, save_program
from superoptix.optimization.registry import BuildContext, build_optimizer, get_spec

if TYPE_CHECKING:
    from superoptix.runners.dspy_runner import DSPyRunner

DEFAULT_SPLIT = 0.25


def split_rows(
    rows: Sequence[Mapping[str, Any]], split: float, seed: int
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """Hold out a fraction of the rows for validation (shuffled with `seed`); both parts non-empty."""
    if isinstance(split, bool) or not isinstance(split, (int, float)) or not 0 < split < 1:
        raise InvalidInputError(f"split: expected a fraction between 0 and 1, got {split!r}")
    if len(rows) < 2:
        raise InvalidInputError("optimization needs at least 2 examples to hold some out for validation")
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    held = min(len(rows) - 1, max(1, round(len(rows) * split)))
    return [rows[i] for i in order[held:]], [rows[i] for i in order[:held]]


def optimization_metric(metric: Metric, threshold: float) -> Any:
    """DSPy's convention: a score when evaluating, a pass/fail bool when bootstrapping (trace set)."""
    def score(example: Any, prediction: Any, trace: Any = None) -> float | bool:
        value = metric(example, prediction, trace)
        return value if trace is None else value >= threshold

    score.__name__ = metric.name
    return score


def default_metric(runner: DSPyRunner) -> Any:
    config = getattr(runner.agent, "config", None)
    return config.get("metric", "exact_match") if isinstance(config, Mapping) else "exact_match"


def default_output_path(runner: DSPyRunner) -> Path:
    from superoptix.paths import data_dir

    return data_dir(runner.config.get("data_dir")) / "optimized" / f"{runner.agent_name}.json"


def _score(runner: DSPyRunner, rows: Sequence[Mapping[str, Any]], metric: Metric,
           workers: int, threshold: float) -> float:
    report = evaluate_runner(runner, rows, [metric], num_threads=workers, threshold=threshold)
    summary = report["summary"]
    if summary["errors"] == summary["total"]:
        first = report["results"][0]["error"] or {}
        raise AgentRunError(f"every validation example failed to run: {first.get('message')}")
    return float(summary["scores"][metric.label])


def _examples(cases: Sequence[Case]) -> list[dspy.Example]:
    return [case.example() for case in cases]


def _compile(runner: DSPyRunner, name: str, ctx: BuildContext, trainset: list[dspy.Example],
             valset: list[dspy.Example]) -> dspy.Module:
    built = build_optimizer(name, ctx)
    kwargs = dict(built.compile_kwargs)
    if built.uses_valset:
        kwargs["valset"] = valset
    try:
        compiled: dspy.Module = built.optimizer.compile(runner.agent.deepcopy(), trainset=trainset, **kwargs)
    except (ValueError, AssertionError) as exc:
        raise InvalidInputError(f"{name} could not optimize with these data/parameters: {exc}") from exc
    return compiled


def optimize_runner(
    runner: DSPyRunner,
    training_data: Sequence[Mapping[str, Any]],
    strategy: str = "BootstrapFewShot",
    *,
    metric: Any = None,
    valset: Sequence[Mapping[str, Any]] | None = None,
    split: float = DEFAULT_SPLIT,
    params: Mapping[str, Any] | None = None,
    output: str | Path | None = None,
    seed: int = 0,
    num_threads: int = 1,
    threshold: float = DEFAULT_THRESHOLD,
    save: bool = True,
) -> dict[str, Any]:
    """Optimize `runner.agent` with the DSPy optimizer named `strategy`; the runner keeps the result.

    The validation rows (`valset`, or a `split` fraction held out of `training_data`) are never
    trained on. Returns scores before/after on them, LM calls, duration and the saved program path.
    """
    start = time.perf_counter()
    get_spec(strategy)  # an unknown name fails before any model call
    scorer = resolve_metric(metric if metric is not None else default_metric(runner))
    inputs, outputs = runner.input_fields, agent_output_fields(runner)
    train_rows, val_rows = (list(training_data), list(valset)) if valset else split_rows(training_data, split, seed)
    trainset = _examples(build_cases(train_rows, inputs, outputs, source="trainset"))
    valcases = build_cases(val_rows, inputs, outputs, source="valset")
    counter = LMCallCounter()
    with dspy.context(callbacks=[counter]):
        before = _score(runner, val_rows, scorer, num_threads, threshold)
        ctx = BuildContext(optimization_metric(scorer, threshold), runner.lm, len(trainset),
                           len(valcases), num_threads, seed, dict(params or {}))
        with dspy.context(**runner.call_settings()):
            optimized = _compile(runner, strategy, ctx, trainset, _examples(valcases))
        original = runner.agent
        runner.agent = optimized
        try:
            after = _score(runner, val_rows, scorer, num_threads, threshold)
        except BaseException:
            runner.agent = original  # no result, no saved program: keep the agent that was there
            raise
    result: dict[str, Any] = {
        "agent": runner.agent_name, "strategy": strategy, "metric": scorer.label,
        "score_before": before, "score_after": after, "improvement": after - before,
        "lm_calls": counter.calls, "train_size": len(trainset), "val_size": len(valcases),
        "dataset_hash": dataset_hash(train_rows), "valset_hash": dataset_hash(val_rows),
        "params": {k: v for k, v in (params or {}).items()}, "seed": seed,
    }
    result["duration_s"] = time.perf_counter() - start
    result["program_path"] = None
    if save:
        path = Path(output) if output else default_output_path(runner)
        meta = {k: result[k] for k in ("strategy", "metric", "score_before", "score_after",
                                       "dataset_hash", "valset_hash", "train_size", "val_size", "seed")}
        result["program_path"] = str(save_program(optimized, path, meta))
    return result
