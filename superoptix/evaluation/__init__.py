"""Evaluation: metrics by name, concurrent scoring of agents and orchestras, the quality gate."""

from superoptix.evaluation.engine import DEFAULT_THRESHOLD, evaluate_cases
from superoptix.evaluation.gate import check_gate
from superoptix.evaluation.metrics import METRICS, Metric, resolve_metric, resolve_metrics
from superoptix.evaluation.orchestra_eval import evaluate_orchestra
from superoptix.evaluation.runner_eval import evaluate_runner

__all__ = [
    "DEFAULT_THRESHOLD",
    "METRICS",
    "Metric",
    "check_gate",
    "evaluate_cases",
    "evaluate_orchestra",
    "evaluate_runner",
    "resolve_metric",
    "resolve_metrics",
]
