"""The metric registry and `resolve_metric`: built-in names, "module:function" and entry points."""

from __future__ import annotations

import difflib
import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from superoptix.errors import InvalidInputError
from superoptix.evaluation import builtin_metrics as builtin
from superoptix.evaluation.judge import check_judge_options, llm_judge
from superoptix.plugins import METRICS_GROUP, PluginError, entry_point_names, resolve

MetricFn = Callable[..., Any]

METRICS: dict[str, MetricFn] = {
    "exact_match": builtin.exact_match,
    "f1": builtin.f1,
    "contains": builtin.contains,
    "regex": builtin.regex,
    "json_match": builtin.json_match,
    "llm_judge": llm_judge,
}

OPTION_CHECKS: dict[str, Callable[[Mapping[str, Any]], None]] = {
    **builtin.OPTION_CHECKS,
    "llm_judge": check_judge_options,
}
SPEC_KEYS = frozenset({"name", "threshold", "field", "config"})


class MetricValueError(TypeError):
    """A metric returned something that is not a score."""


@dataclass(frozen=True, eq=False)
class Metric:
    """A resolved metric: the function, its options (keyword arguments) and an optional threshold."""

    name: str
    fn: MetricFn
    options: Mapping[str, Any] = field(default_factory=dict)
    threshold: float | None = None
    takes_trace: bool = True

    @property
    def label(self) -> str:
        target = self.options.get("field")
        return f"{self.name}[{target}]" if target else self.name

    def __call__(self, example: Any, prediction: Any, trace: Any = None) -> float:
        if self.takes_trace:
            value = self.fn(example, prediction, trace, **self.options)
        else:
            value = self.fn(example, prediction, **self.options)
        return to_score(value, self.name)


def to_score(value: Any, name: str = "metric") -> float:
    """bool, int, float, or an object/mapping with a `score` (GEPA-style feedback) -> float."""
    score = getattr(value, "score", None)
    if score is None and isinstance(value, Mapping):
        score = value.get("score")
    if score is not None:
        value = score
    if isinstance(value, (bool, int, float)):
        result = float(value)
        if math.isnan(result):
            raise MetricValueError(f"metric {name!r} returned NaN")
        return result
    raise MetricValueError(f"metric {name!r} returned {type(value).__name__}, not a number or bool")


def known_metric_names() -> list[str]:
    return sorted(set(METRICS) | set(entry_point_names(METRICS_GROUP)))


def _lookup(name: str) -> MetricFn:
    if name in METRICS:
        return METRICS[name]
    if ":" in name or name in entry_point_names(METRICS_GROUP):
        try:
            fn = resolve(name, METRICS_GROUP)
        except PluginError as exc:
            raise InvalidInputError(f"metric {name!r}: {exc}") from exc
        if not callable(fn):
            raise InvalidInputError(f"metric {name!r} resolves to a {type(fn).__name__}, not a function")
        return fn
    valid = known_metric_names()
    close = difflib.get_close_matches(name, valid, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise InvalidInputError(
        f"unknown metric {name!r}{hint}; valid metrics: {', '.join(valid)}, "
        "or a 'package.module:function' reference"
    )


def _takes_trace(name: str, fn: MetricFn, options: Mapping[str, Any]) -> bool:
    """Check the options against the function's signature now, not at the first example."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return True  # builtins without introspectable signatures: trust the DSPy convention
    for positional, takes_trace in ((3, True), (2, False)):
        try:
            sig.bind(*([None] * positional), **options)
            return takes_trace
        except TypeError:
            continue
    opts = f" with options {sorted(options)}" if options else ""
    raise InvalidInputError(
        f"metric {name!r} cannot be called as metric(example, prediction, trace){opts}; "
        f"its signature is {name}{sig}"
    )


def _from_mapping(spec: Mapping[str, Any]) -> Metric:
    unknown = sorted(set(spec) - SPEC_KEYS)
    if unknown:
        raise InvalidInputError(f"metric: unknown key(s) {unknown}; valid keys: {sorted(SPEC_KEYS)}")
    name = spec.get("name")
    if not isinstance(name, str) or not name:
        raise InvalidInputError("metric: 'name' is required and must be a string")
    config = spec.get("config") or {}
    if not isinstance(config, Mapping):
        raise InvalidInputError(f"metric {name!r} > config: expected a mapping")
    return resolve_metric(name, config=config, field=spec.get("field"), threshold=spec.get("threshold"))


def resolve_metric(
    spec: str | Mapping[str, Any] | Metric | MetricFn,
    *,
    config: Mapping[str, Any] | None = None,
    field: str | None = None,
    threshold: float | None = None,
) -> Metric:
    """A metric from a name, a `{name, threshold, field, config}` mapping, a Metric or a callable.

    Raises InvalidInputError (listing the valid names) for unknown names or bad options.
    """
    if isinstance(spec, Metric):
        return spec
    if isinstance(spec, Mapping):
        return _from_mapping(spec)
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, (int, float))):
        raise InvalidInputError(f"metric threshold: expected a number, got {threshold!r}")
    if field is not None and not isinstance(field, str):
        raise InvalidInputError(f"metric field: expected a string, got {field!r}")
    if isinstance(spec, str):
        name, fn = spec, _lookup(spec)
    elif callable(spec):
        name, fn = getattr(spec, "__name__", type(spec).__name__), spec
    else:
        raise InvalidInputError(f"metric: expected a name or a callable, got {type(spec).__name__}")
    options = {**dict(config or {}), **({"field": field} if field is not None else {})}
    check = OPTION_CHECKS.get(name) if fn is METRICS.get(name) else None
    if check is not None:
        try:
            check(options)
        except (ValueError, InvalidInputError) as exc:
            raise InvalidInputError(f"metric {name!r} > config: {exc}") from exc
    takes_trace = _takes_trace(name, fn, options)
    return Metric(name, fn, options, None if threshold is None else float(threshold), takes_trace)


def resolve_metrics(specs: Any) -> list[Metric]:
    """Resolve a list of metric specs (default: exact_match); labels must be distinct."""
    items = ["exact_match"] if not specs else ([specs] if isinstance(specs, (str, Mapping)) else specs)
    metrics = [resolve_metric(spec) for spec in items]
    labels = [m.label for m in metrics]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise InvalidInputError(f"metrics listed twice: {duplicates}; give each a different field")
    return metrics
