"""Conditional: the first CEL condition that holds picks the agent."""

from __future__ import annotations

from typing import Any

from superoptix.orchestra.conditions import Condition, ConditionError, compile_condition
from superoptix.orchestra.context import RunContext
from superoptix.orchestra.inputs import loose


def compile_all(conditions: list[dict[str, Any]]) -> list[tuple[Condition, str]]:
    """Compile every rule up front, so a bad expression fails before any agent runs."""
    compiled = []
    for index, rule in enumerate(conditions):
        if not isinstance(rule, dict) or "condition" not in rule or "agent" not in rule:
            raise ConditionError(f"conditions > [{index}]: expected a mapping with 'condition' and 'agent'")
        source = rule["condition"]
        program = rule.get("_compiled") or compile_condition(source)
        compiled.append((program, rule["agent"]))
    return compiled


def run_conditional(ctx: RunContext, input_data: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    wf = ctx.workflow
    errors: list[dict[str, Any]] = []
    chosen, matched = None, None
    for condition, agent in compile_all(spec["conditions"]):
        try:
            hit = condition.evaluate(input_data)
        except ConditionError as exc:
            if wf["condition_evaluation"] == "strict":
                return _failed([], str(exc), errors=[_err(condition, exc)])
            errors.append(_err(condition, exc))
            continue
        if hit:
            chosen, matched = agent, condition.source
            break
    if chosen is None:
        strategy = wf["fallback_strategy"]
        if strategy == "fail" or (strategy == "use_default" and not wf["default_agent"]):
            reason = "no condition matched" + ("" if strategy == "fail" else " and no default_agent is set")
            return _failed([], reason, errors=errors)
        if strategy == "skip":
            return {"status": "success", "steps": [], "final_output": {}, "selected_agent": None,
                    "matched_condition": None, "skipped": True, "condition_errors": errors}
        chosen = wf["default_agent"]
    step = ctx.run_step(chosen, loose(ctx.members[chosen].input_fields, input_data))
    return {
        "status": "success" if step["status"] == "success" else "failed",
        "steps": [step],
        "final_output": dict(step.get("outputs") or {}),
        "selected_agent": chosen,
        "matched_condition": matched,
        "used_default": matched is None,
        "condition_errors": errors,
    }


def _err(condition: Condition, exc: Exception) -> dict[str, Any]:
    return {"condition": condition.source, "message": str(exc)}


def _failed(steps: list[dict[str, Any]], reason: str, errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"status": "failed", "steps": steps, "final_output": {}, "selected_agent": None,
            "matched_condition": None, "condition_errors": errors, "workflow_errors": [reason]}
