"""Broadcast: the same input to every target agent at once, then one aggregated answer."""

from __future__ import annotations

import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from superoptix.orchestra.aggregation import aggregate
from superoptix.orchestra.context import RunContext, step_failed
from superoptix.orchestra.inputs import loose


def run_broadcast(ctx: RunContext, input_data: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    targets: list[str] = list(spec["target_agents"])
    wf = ctx.workflow
    strategy = spec.get("aggregation_strategy") or wf["aggregation_strategy"]
    results = _collect(ctx, targets, input_data, float(wf["timeout"]) if wf["timeout"] else None)
    steps = [results[agent] for agent in targets]
    ok = [(s["agent"], s.get("outputs") or {}) for s in steps if s["status"] == "success"]
    aggregation = aggregate(strategy, ok, wf.get("vote_field"), wf.get("weights"))
    aggregation["responses"] = len(ok)
    aggregation["min_responses"] = wf["min_responses"]
    errors = []
    if len(ok) < wf["min_responses"]:
        errors.append(f"only {len(ok)} of {len(targets)} agents responded; "
                      f"min_responses is {wf['min_responses']}")
    elif aggregation["winner"] is None:
        errors.append(aggregation["reason"])
    final = dict(next(out for agent, out in ok if agent == aggregation["winning_agent"])) if (
        aggregation["winning_agent"] and not errors) else {}
    return {"status": "failed" if errors else "success", "steps": steps, "final_output": final,
            "aggregation": aggregation, "workflow_errors": errors}


def _collect(ctx: RunContext, targets: list[str], input_data: dict[str, Any], timeout: float | None
             ) -> dict[str, dict[str, Any]]:
    """Run every target concurrently; answers not in by aggregation_timeout count as timeouts."""
    limit = ctx.settings["aggregation_timeout"]
    end = None if limit is None else time.perf_counter() + float(limit)
    # Bound each call by the aggregation window too: it then runs on a daemon worker, so an agent
    # reported as timed out can never keep the process alive after the result is returned.
    if limit is not None:
        timeout = float(limit) if timeout is None else min(timeout, float(limit))
    pool = ThreadPoolExecutor(max_workers=max(1, len(targets)), thread_name_prefix="broadcast")
    futures: dict[Future[dict[str, Any]], str] = {}
    for agent in targets:
        inputs = loose(ctx.members[agent].input_fields, input_data)
        futures[pool.submit(ctx.run_step, agent, inputs, timeout, None, None, end)] = agent
    results: dict[str, dict[str, Any]] = {}
    pending = set(futures)
    while pending:
        left = None if end is None else end - time.perf_counter()
        if left is not None and left <= 0:
            break
        done, pending = wait(pending, timeout=left, return_when=FIRST_COMPLETED)
        for future in done:
            results[futures[future]] = future.result()
    for future in pending:
        agent = futures[future]
        results[agent] = step_failed(agent, agent, "Timeout", f"no response within aggregation_timeout={limit}s",
                                     status="timeout", transient=True, duration_s=float(limit or 0))
    pool.shutdown(wait=False, cancel_futures=True)
    return results
