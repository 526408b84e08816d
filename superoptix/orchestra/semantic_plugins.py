"""Names checked against optional parts of superoptix (metrics, optimizers) when those are installed."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from superoptix.errors import SuperOptixError
from superoptix.orchestra.validation_common import Checker, did_you_mean, items, mapping
from superoptix.orchestra.yaml_marks import DocPath


def optional_attr(module_name: str, attribute: str) -> Any | None:
    """`module.attribute`, or None when that module (or attribute) is not part of this install.

    A module that exists but fails to import is a real error and propagates.
    """
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (module_name + ".").startswith(exc.name + "."):
            return None
        raise
    return getattr(module, attribute, None)


def check_metrics(doc: Mapping[str, Any], ck: Checker) -> None:
    resolve_metric = optional_attr("superoptix.evaluation.metrics", "resolve_metric")
    if resolve_metric is None:
        return
    for index, metric in enumerate(items(mapping(doc.get("evaluation")).get("metrics"))):
        _check_metric(resolve_metric, metric, ck, ("evaluation", "metrics", index))
    optimization = mapping(doc.get("optimization"))
    if "metric" in optimization:
        _check_metric(resolve_metric, optimization["metric"], ck, ("optimization", "metric"))


def _check_metric(resolve_metric: Any, metric: Any, ck: Checker, path: DocPath) -> None:
    """The name must be known; then a mapping's options (threshold, field, config) must suit it."""
    name = metric.get("name") if isinstance(metric, Mapping) else metric
    if not isinstance(name, str) or not name:
        return
    name_path = (*path, "name") if isinstance(metric, Mapping) else path
    try:
        resolve_metric(name)
    except SuperOptixError as exc:
        ck.add(name_path, f"unknown metric: {exc}", METRIC_HINT)
        return
    if not isinstance(metric, Mapping):
        return
    try:
        resolve_metric(dict(metric))
    except SuperOptixError as exc:
        ck.add(path, f"metric {name!r} is misconfigured: {exc}", None)


METRIC_HINT = ("a built-in metric name, 'package.module:function', or an entry point in "
               "superoptix.metrics")


def check_strategy(doc: Mapping[str, Any], ck: Checker) -> None:
    strategy = mapping(doc.get("optimization")).get("strategy")
    optimizers = optional_attr("superoptix.optimization", "OPTIMIZERS")
    if not isinstance(strategy, str) or not isinstance(optimizers, Mapping):
        return
    if strategy not in optimizers:
        names = sorted(str(name) for name in optimizers)
        ck.add(("optimization", "strategy"), f"unknown optimization strategy {strategy!r}",
               did_you_mean(strategy, names) or f"available: {', '.join(names)}")
