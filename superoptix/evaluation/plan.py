"""What `superoptix eval` runs: an orchestra's `evaluation:` section merged with command-line overrides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from superoptix.datasets import load_dataset
from superoptix.errors import InvalidInputError
from superoptix.evaluation.engine import DEFAULT_THRESHOLD
from superoptix.evaluation.metrics import Metric, resolve_metrics
from superoptix.evaluation.orchestra_eval import evaluate_orchestra, expected_output_fields
from superoptix.evaluation.runner_eval import agent_output_fields, evaluate_runner


@dataclass
class EvalPlan:
    agent: str | None  # None: the whole workflow
    dataset: Path
    metrics: list[Metric]
    min_score: float | None
    num_threads: int
    columns: Mapping[str, str] | None
    threshold: float = DEFAULT_THRESHOLD


def _metric_specs(section: Mapping[str, Any], names: Sequence[str] | None) -> list[Any]:
    declared = list(section.get("metrics") or [])
    if not names:
        return declared or ["exact_match"]
    by_name = {spec["name"]: spec for spec in declared if isinstance(spec, Mapping)}
    return [by_name.get(name, name) for name in names]


def plan_evaluation(
    document: Mapping[str, Any],
    base_dir: Path,
    *,
    agent: str | None = None,
    dataset: str | Path | None = None,
    metrics: Sequence[str] | None = None,
    min_score: float | None = None,
    num_threads: int | None = None,
) -> EvalPlan:
    """Command-line values win; the file's paths are relative to the file, the command line's to the cwd.

    A `--metric` named like one of the file's metrics keeps that metric's threshold, field and config.
    """
    section = dict(document.get("evaluation") or {})
    target = agent or section.get("agent")
    if target is not None and target not in (document.get("agents") or {}):
        raise InvalidInputError(
            f"--agent: unknown agent {target!r}; this orchestra has {sorted(document.get('agents') or {})}"
        )
    if dataset is not None:
        path = Path(dataset)
    elif section.get("dataset"):
        path = base_dir / str(section["dataset"])
    else:
        raise InvalidInputError("no dataset: pass --dataset PATH or set `evaluation: dataset:` in the file")
    return EvalPlan(
        agent=target,
        dataset=path,
        metrics=resolve_metrics(_metric_specs(section, metrics)),
        min_score=min_score if min_score is not None else section.get("min_score"),
        num_threads=int(num_threads or section.get("num_threads") or 1),
        columns=section.get("columns"),
    )


def load_plan_rows(plan: EvalPlan, orchestra: Any) -> list[dict[str, Any]]:
    """The dataset, every row checked against the evaluated agent's (or workflow's) fields."""
    if plan.agent is not None:
        runner = orchestra.runner_for(plan.agent)
        return load_dataset(plan.dataset, plan.columns, runner.input_fields, agent_output_fields(runner))
    return load_dataset(plan.dataset, plan.columns, None, expected_output_fields(orchestra, plan.metrics))


def run_plan(plan: EvalPlan, orchestra: Any, rows: Sequence[Mapping[str, Any]], **kwargs: Any) -> dict[str, Any]:
    common = {"num_threads": plan.num_threads, "threshold": plan.threshold, "min_score": plan.min_score,
              "source": str(plan.dataset), **kwargs}
    if plan.agent is not None:
        return evaluate_runner(orchestra.runner_for(plan.agent), rows, plan.metrics, **common)
    return evaluate_orchestra(orchestra, rows, plan.metrics, **common)
