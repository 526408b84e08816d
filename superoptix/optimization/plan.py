"""What `superoptix optimize` runs: an orchestra's `optimization:` section merged with overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from superoptix.datasets import load_dataset
from superoptix.errors import InvalidInputError
from superoptix.evaluation.runner_eval import agent_output_fields
from superoptix.optimization.optimize import DEFAULT_SPLIT
from superoptix.optimization.registry import get_spec

DEFAULT_STRATEGY = "BootstrapFewShot"


@dataclass
class OptimizePlan:
    agent: str
    trainset: Path
    valset: Path | None
    split: float
    strategy: str
    metric: Any
    params: dict[str, Any]
    output: Path
    seed: int
    columns: Mapping[str, str] | None = None


def _path(cli: str | Path | None, section_value: Any, base_dir: Path) -> Path | None:
    if cli is not None:
        return Path(cli)
    return base_dir / str(section_value) if section_value else None


def _default_metric(document: Mapping[str, Any], section: Mapping[str, Any]) -> Any:
    if section.get("metric") is not None:
        return section["metric"]
    declared = (document.get("evaluation") or {}).get("metrics") or []
    return declared[0] if declared else "exact_match"


def plan_optimization(
    document: Mapping[str, Any],
    base_dir: Path,
    *,
    agent: str | None = None,
    trainset: str | Path | None = None,
    valset: str | Path | None = None,
    split: float | None = None,
    strategy: str | None = None,
    metric: str | None = None,
    params: Mapping[str, Any] | None = None,
    output: str | Path | None = None,
    seed: int | None = None,
) -> OptimizePlan:
    """Command-line values win; the file's paths are relative to the file, the command line's to the cwd.

    The file's `params` apply only to the file's strategy. The program is written to `-o`, else
    `optimization: output:`, else `optimized/<agent>.json`
    next to the file, where an agent's `optimized:` entry can point at it.
    """
    section = dict(document.get("optimization") or {})
    target = agent or section.get("agent")
    agents = sorted(document.get("agents") or {})
    if not target:
        raise InvalidInputError(f"--agent is required (set it or `optimization: agent:`); agents: {agents}")
    if target not in agents:
        raise InvalidInputError(f"--agent: unknown agent {target!r}; this orchestra has {agents}")
    train = _path(trainset, section.get("trainset"), base_dir)
    if train is None:
        raise InvalidInputError("no training data: pass --trainset PATH or set `optimization: trainset:`")
    chosen = strategy or section.get("strategy") or DEFAULT_STRATEGY
    get_spec(chosen)
    # The file's params are written for the file's strategy; another strategy starts from none.
    same = chosen == (section.get("strategy") or DEFAULT_STRATEGY)
    file_params = dict(section.get("params") or {}) if same else {}
    return OptimizePlan(
        agent=target, trainset=train, valset=_path(valset, section.get("valset"), base_dir),
        split=float(split if split is not None else section.get("split", DEFAULT_SPLIT)),
        strategy=chosen, metric=metric or _default_metric(document, section),
        params={**file_params, **dict(params or {})},
        output=_path(output, section.get("output"), base_dir) or base_dir / "optimized" / f"{target}.json",
        seed=int(seed if seed is not None else section.get("seed", 0)),
        columns=section.get("columns"),
    )


def load_plan_data(plan: OptimizePlan, runner: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]] | None]:
    """Training and validation rows, checked against the agent's fields before any model call."""
    inputs, outputs = runner.input_fields, agent_output_fields(runner)
    train = load_dataset(plan.trainset, plan.columns, inputs, outputs)
    val = load_dataset(plan.valset, plan.columns, inputs, outputs) if plan.valset else None
    return train, val


def run_optimization(plan: OptimizePlan, runner: Any) -> dict[str, Any]:
    train, val = load_plan_data(plan, runner)
    result: dict[str, Any] = runner.optimize(
        train, plan.strategy, metric=plan.metric, valset=val, split=plan.split, params=plan.params,
        output=plan.output, seed=plan.seed,
    )
    return result
