"""DSPy optimizers by exact name, with the defaults that make each fit a superoptix agent.

Parameters given by the user are routed to the optimizer's constructor or to its `compile()`
by name; a parameter neither accepts is an error, never silently dropped.
"""

from __future__ import annotations

import importlib.util
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from superoptix.errors import InvalidInputError


@dataclass(frozen=True)
class BuildContext:
    """What a default may depend on: the metric, the agent's LM, the data sizes, threads, seed."""

    metric: Callable[..., Any]
    lm: Any
    train_size: int
    val_size: int
    num_threads: int
    seed: int
    params: Mapping[str, Any]


Defaults = Callable[[BuildContext], dict[str, Any]]


def _metric(ctx: BuildContext) -> dict[str, Any]:
    return {"metric": ctx.metric}


def _metric_threads(ctx: BuildContext) -> dict[str, Any]:
    return {"metric": ctx.metric, "num_threads": ctx.num_threads}


def _mipro(ctx: BuildContext) -> dict[str, Any]:
    auto = None if "num_candidates" in ctx.params else "light"
    return {"metric": ctx.metric, "prompt_model": ctx.lm, "task_model": ctx.lm, "auto": auto,
            "num_threads": ctx.num_threads, "seed": ctx.seed, "verbose": False}


def _copro(ctx: BuildContext) -> dict[str, Any]:
    return {"metric": ctx.metric, "prompt_model": ctx.lm}


def _simba(ctx: BuildContext) -> dict[str, Any]:
    # SIMBA refuses trainsets smaller than its mini-batch (32 by default).
    return {"metric": ctx.metric, "prompt_model": ctx.lm, "num_threads": ctx.num_threads,
            "bsize": max(1, min(32, ctx.train_size))}


def _gepa(ctx: BuildContext) -> dict[str, Any]:
    metric = ctx.metric

    def gepa_metric(gold: Any, pred: Any, trace: Any = None, pred_name: Any = None,
                    pred_trace: Any = None) -> float:
        return float(metric(gold, pred, trace))

    budgets = {"auto", "max_full_evals", "max_metric_calls"} & set(ctx.params)
    return {"metric": gepa_metric, "reflection_lm": ctx.lm, "num_threads": ctx.num_threads,
            "seed": ctx.seed, **({} if budgets else {"auto": "light"})}


def _none(ctx: BuildContext) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class OptimizerSpec:
    name: str
    defaults: Defaults = _none
    compile_defaults: Defaults = _none
    requires: str | None = None  # an optional Python package the optimizer needs
    extra_init_params_from: str | None = None  # a base class whose **kwargs the constructor forwards

    def load(self) -> Any:
        import dspy.teleprompt

        return getattr(dspy.teleprompt, self.name)

    def unavailable_reason(self) -> str | None:
        if self.requires and importlib.util.find_spec(self.requires) is None:
            return f"{self.name} needs the {self.requires!r} package: pip install {self.requires}"
        return None


OPTIMIZERS: dict[str, OptimizerSpec] = {
    spec.name: spec
    for spec in (
        OptimizerSpec("LabeledFewShot"),
        OptimizerSpec("BootstrapFewShot", _metric),
        OptimizerSpec("BootstrapFewShotWithRandomSearch", _metric_threads),
        OptimizerSpec("MIPROv2", _mipro, requires="optuna"),
        OptimizerSpec("COPRO", _copro, lambda ctx: {
            "eval_kwargs": {"num_threads": ctx.num_threads, "display_progress": False}}),
        OptimizerSpec("SIMBA", _simba, lambda ctx: {"seed": ctx.seed}),
        OptimizerSpec("GEPA", _gepa, requires="gepa"),
        OptimizerSpec("InferRules", _metric_threads, extra_init_params_from="BootstrapFewShot"),
        OptimizerSpec("BootstrapFewShotWithOptuna", _metric_threads,
                      lambda ctx: {"max_demos": 4}, requires="optuna"),
    )
}

STUDENT_ARGS = frozenset({"self", "student", "trainset", "valset", "teacher"})


def valid_names() -> list[str]:
    return list(OPTIMIZERS)


def get_spec(name: str) -> OptimizerSpec:
    """The optimizer named exactly `name`; no case folding, no substitutes."""
    spec = OPTIMIZERS.get(name)
    if spec is None:
        raise InvalidInputError(
            f"unknown optimization strategy {name!r}; valid strategies: {', '.join(OPTIMIZERS)}"
        )
    reason = spec.unavailable_reason()
    if reason:
        raise InvalidInputError(reason)
    return spec


def named_params(fn: Callable[..., Any]) -> set[str]:
    params = inspect.signature(fn).parameters.values()
    return {p.name for p in params
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name not in STUDENT_ARGS}


def accepts(fn: Callable[..., Any], name: str) -> bool:
    return name in inspect.signature(fn).parameters


@dataclass
class BuiltOptimizer:
    optimizer: Any
    compile_kwargs: dict[str, Any] = field(default_factory=dict)
    uses_valset: bool = False


def init_param_names(spec: OptimizerSpec, cls: Any) -> set[str]:
    names = named_params(cls.__init__)
    if spec.extra_init_params_from:
        base = getattr(importlib.import_module("dspy.teleprompt"), spec.extra_init_params_from)
        names |= named_params(base.__init__)
    return names


def route_params(
    spec: OptimizerSpec, cls: Any, params: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    init_names = init_param_names(spec, cls)
    compile_names = named_params(cls.compile)
    init, compile_ = {}, {}
    for key, value in params.items():
        if key in init_names:
            init[key] = value
        elif key in compile_names:
            compile_[key] = value
        else:
            valid = ", ".join(sorted(init_names | compile_names))
            raise InvalidInputError(f"{spec.name} has no parameter {key!r}; its parameters are: {valid}")
    return init, compile_


def build_optimizer(name: str, ctx: BuildContext) -> BuiltOptimizer:
    """Construct the optimizer with its defaults, overridden by `ctx.params`."""
    spec = get_spec(name)
    cls = spec.load()
    init, compile_ = route_params(spec, cls, ctx.params)
    defaults = spec.defaults(ctx)
    init_names = init_param_names(spec, cls)
    kwargs = {k: v for k, v in defaults.items() if k in init_names}
    kwargs.update(init)
    try:
        optimizer = cls(**kwargs)
    except (TypeError, ValueError, AssertionError, ImportError) as exc:
        raise InvalidInputError(f"{name} rejected its parameters: {exc}") from exc
    compile_kwargs = {**spec.compile_defaults(ctx), **compile_}
    return BuiltOptimizer(optimizer, compile_kwargs, accepts(cls.compile, "valset"))
