"""Pipeline: agents in sequence, each one's outputs feeding the next."""

from __future__ import annotations

from typing import Any

from superoptix.orchestra.context import RunContext, not_run, step_failed
from superoptix.orchestra.inputs import by_name, loose, step_label


def run_pipeline(ctx: RunContext, input_data: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    steps_ids: list[str] = list(spec["pipeline_steps"])
    mode = ctx.workflow["error_handling"]
    retries = ctx.settings["max_retries"] if mode == "retry" else None
    available: dict[str, Any] = dict(input_data)
    previous: dict[str, Any] | None = None
    steps: list[dict[str, Any]] = []
    failed = False
    halted: str | None = None
    for index, agent_id in enumerate(steps_ids):
        label = step_label(steps_ids, index)
        if halted:
            steps.append(not_run(label, halted, agent_id))
            continue
        result = _run_one(ctx, agent_id, label, available, previous, retries)
        steps.append(result)
        if result["status"] == "success":
            outputs = result.get("outputs") or {}
            available.update(outputs)
            previous = outputs
            continue
        failed = True
        if result["status"] == "not_run":
            halted = result.get("reason") or "an earlier step did not run"
        elif mode in ("stop", "retry"):
            halted = f"step {label!r} failed (error_handling: {mode})"
    last_ok = next((s for s in reversed(steps) if s["status"] == "success"), None)
    return {
        "status": "failed" if failed else "success",
        "steps": steps,
        "final_output": dict(last_ok.get("outputs") or {}) if last_ok else {},
        "data": available,
    }


def _run_one(
    ctx: RunContext, agent_id: str, label: str, available: dict[str, Any],
    previous: dict[str, Any] | None, retries: int | None,
) -> dict[str, Any]:
    member = ctx.members[agent_id]
    fields = member.input_fields
    if ctx.workflow["data_passing"] == "explicit":
        inputs, missing = by_name(fields, available)
        if missing and ctx.workflow["validation"]:
            return step_failed(label, agent_id, "InputValidationError",
                               f"input field(s) {missing} produced by no earlier step")
    else:
        inputs = loose(fields, available, previous)
    result = ctx.run_step(agent_id, inputs, retries=retries, label=label, retry_all=retries is not None)
    if result["status"] == "success" and ctx.workflow["validation"]:
        absent = [f for f in member.output_fields if f not in (result.get("outputs") or {})]
        if absent:
            result = {**result, "status": "error", "error": {
                "type": "OutputValidationError", "transient": False,
                "message": f"agent {agent_id!r} did not produce declared output field(s) {absent}"}}
    return result

