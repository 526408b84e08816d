"""Assemble a workflow's result: every step, its status and timing, errors, what did not run."""

from __future__ import annotations

import time
from typing import Any

from superoptix.orchestra.context import RunContext


def assemble(name: str, kind: str, part: dict[str, Any], ctx: RunContext, input_data: dict[str, Any]
             ) -> dict[str, Any]:
    steps: list[dict[str, Any]] = part.get("steps", [])
    not_run = [s["step"] for s in steps if s["status"] == "not_run"]
    errors = [
        {"step": s["step"], "agent": s.get("agent"), **(s.get("error") or {})}
        for s in steps if s["status"] not in ("success", "not_run")
    ]
    errors += [{"step": None, "agent": None, "type": "WorkflowError", "message": m}
               for m in part.get("workflow_errors", [])]
    timed_out = ctx.deadline is not None and time.perf_counter() >= ctx.deadline and bool(not_run)
    if timed_out:
        errors.append({"step": None, "agent": None, "type": "WorkflowTimeout",
                       "message": f"workflow_timeout={ctx.settings['workflow_timeout']}s reached"})
    status = part["status"]
    if ctx.control.stopped and not_run:
        status = "stopped"
    elif not_run:
        status = "failed"
    extras = {k: v for k, v in part.items() if k not in ("status", "steps", "final_output", "workflow_errors")}
    return {
        "orchestra": name,
        "workflow_type": kind,
        "status": status,
        "final_output": part.get("final_output", {}),
        "steps": steps,
        "errors": errors,
        "ran": [s["step"] for s in steps if s["status"] != "not_run"],
        "not_run": not_run,
        "input": input_data,
        "duration_s": time.perf_counter() - ctx.started,
        **extras,
    }
