"""Evaluate a whole orchestra: its workflow's final output against the expected output."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from superoptix.errors import InvalidInputError, SuperOptixError
from superoptix.evaluation.engine import DEFAULT_THRESHOLD, USAGE_KEYS, evaluate_cases, thread_count
from superoptix.evaluation.examples import build_cases
from superoptix.evaluation.metrics import Metric, resolve_metrics


def final_agents(config: Mapping[str, Any]) -> list[str]:
    """The agents whose outputs can become the workflow's final output."""
    kind = config.get("workflow_type") or "pipeline"
    if kind == "pipeline":
        return list(config.get("pipeline_steps") or [])[-1:]
    if kind == "broadcast":
        return list(config.get("target_agents") or [])
    if kind == "conditional":
        default = (config.get("workflow_config") or {}).get("default_agent")
        return [rule["agent"] for rule in config.get("conditions") or []] + ([default] if default else [])
    return []


def expected_output_fields(orchestra: Any, metrics: Sequence[Metric]) -> list[str] | None:
    """Fields named by the metrics, else the output fields of the agents that answer last."""
    named = [str(m.options["field"]) for m in metrics if m.options.get("field")]
    if named:
        return list(dict.fromkeys(named))
    fields: list[str] = []
    for agent_id in final_agents(orchestra.orchestra_config):
        getter = getattr(orchestra.runner_for(agent_id).agent, "output_fields", None)
        fields += list(getter()) if callable(getter) else []
    return list(dict.fromkeys(fields)) or None


def _usage(steps: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    return {k: sum(int((s.get("usage") or {}).get(k) or 0) for s in steps) for k in USAGE_KEYS}


def workflow_runner(orchestra: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Run the workflow on one example's inputs, described like a DSPyRunner result."""
    def run_one(inputs: dict[str, Any]) -> dict[str, Any]:
        try:
            result = orchestra.run_orchestra(inputs)
        except SuperOptixError as exc:  # this example's input was refused: it fails, the others run
            return {"status": "error", "outputs": {}, "duration_s": 0.0, "usage": {},
                    "error": {"type": type(exc).__name__, "message": str(exc), "transient": False}}
        ok = result["status"] == "success"
        errors = result.get("errors") or []
        error = None if ok else {
            "type": str((errors[0] if errors else {}).get("type") or "WorkflowFailed"),
            "message": "; ".join(f"{e.get('step') or 'workflow'}: {e.get('message')}" for e in errors)
            or f"workflow {result['status']}",
            "transient": False,
        }
        return {"status": "success" if ok else "error", "outputs": dict(result.get("final_output") or {}),
                "error": error, "duration_s": result.get("duration_s", 0.0),
                "usage": _usage(result.get("steps") or [])}

    return run_one


def scoring_settings(orchestra: Any) -> dict[str, Any]:
    """The LM an `llm_judge` metric uses: the answering agent's (or the first agent's)."""
    agent_ids = final_agents(orchestra.orchestra_config) or orchestra.agent_ids()
    if not agent_ids:
        raise InvalidInputError("the orchestra has no agents to evaluate")
    settings: dict[str, Any] = orchestra.runner_for(agent_ids[0]).call_settings()
    return settings


def evaluate_orchestra(
    orchestra: Any,
    test_data: Sequence[Mapping[str, Any]],
    metrics: Sequence[Any] | None = None,
    *,
    num_threads: int | None = None,
    max_concurrent: int | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    min_score: float | None = None,
    on_result: Callable[[dict[str, Any]], None] | None = None,
    input_fields: Sequence[str] | None = None,
    output_fields: Sequence[str] | None = None,
    source: str = "test_data",
) -> dict[str, Any]:
    """Like `evaluate_runner`, for an OrchestraRunner's workflow.

    Expected fields: `output_fields`, else the metrics' `field`s, else the output fields of the
    agents that answer last. Every other column of a row is workflow input.
    """
    resolved = resolve_metrics(metrics)
    workers = thread_count(num_threads, max_concurrent)
    outputs = list(output_fields) if output_fields else expected_output_fields(orchestra, resolved)
    if not outputs:
        raise InvalidInputError(
            "cannot tell which columns are the expected output of this workflow: give metrics a `field`"
        )
    cases = build_cases(test_data, input_fields, outputs, source=source)
    report = evaluate_cases(
        cases, resolved, workflow_runner(orchestra), settings=scoring_settings(orchestra),
        workers=workers, threshold=threshold, min_score=min_score, on_result=on_result,
    )
    return {"target": orchestra.name, "kind": "orchestra", **report}
