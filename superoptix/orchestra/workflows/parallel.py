"""Parallel: independent tasks at once, up to a concurrency limit."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import Any

from superoptix.orchestra.context import RunContext, logger, step_failed
from superoptix.orchestra.inputs import loose, step_label
from superoptix.orchestra.settings import concurrency_for_limits


def task_inputs(ctx: RunContext, task: dict[str, Any], input_data: dict[str, Any]
                ) -> dict[str, Any] | str:
    """The task's input: `input_data[input_key]` into the agent's first input field, else by name."""
    fields = ctx.members[task["agent"]].input_fields
    key = task.get("input_key")
    if key is None:
        return loose(fields, input_data)
    if key not in input_data:
        return f"input has no key {key!r} (parallel_tasks input_key)"
    if key in fields:
        return {key: input_data[key]}
    return {fields[0]: input_data[key]} if fields else {}


def limit(ctx: RunContext, spec: dict[str, Any]) -> int:
    requested = spec.get("max_concurrent") or ctx.workflow["max_concurrent"]
    return concurrency_for_limits(int(requested), ctx.workflow.get("resource_limits") or {})


def iter_parallel(ctx: RunContext, input_data: dict[str, Any], spec: dict[str, Any]
                  ) -> Iterator[dict[str, Any]]:
    """Yield each task's result as soon as it finishes."""
    tasks: list[dict[str, Any]] = list(spec["parallel_tasks"])
    with ThreadPoolExecutor(max_workers=limit(ctx, spec), thread_name_prefix="parallel") as pool:
        futures: dict[Future[dict[str, Any]], int] = {}
        for index, task in enumerate(tasks):
            label = step_label([t["agent"] for t in tasks], index)
            inputs = task_inputs(ctx, task, input_data)
            if isinstance(inputs, str):
                yield {**step_failed(label, task["agent"], "InputError", inputs), "task_index": index}
                continue
            futures[pool.submit(ctx.run_step, task["agent"], inputs, None, None, label)] = index
        for future in as_completed(futures):
            yield {**future.result(), "task_index": futures[future]}


def run_parallel(ctx: RunContext, input_data: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    on_result = spec.get("on_result")
    finished: list[dict[str, Any]] = []
    callback_errors: list[str] = []
    for result in iter_parallel(ctx, input_data, spec):
        finished.append(result)
        if on_result is not None and ctx.workflow["synchronization"] == "async":
            try:
                on_result(result)
            except Exception as exc:  # the caller's callback must not discard the finished results
                logger.exception("on_result callback failed for %s", result["step"])
                callback_errors.append(f"on_result failed for {result['step']}: {exc!r}")
    ordered = sorted(finished, key=lambda r: r["task_index"])
    failed = any(r["status"] != "success" for r in ordered)
    return {
        "status": "failed" if failed else "success",
        "steps": ordered,
        "final_output": {r["step"]: dict(r.get("outputs") or {}) for r in ordered},
        "completion_order": [r["step"] for r in finished],
        "max_concurrent": limit(ctx, spec),
        "synchronization": ctx.workflow["synchronization"],
        "callback_errors": callback_errors,
    }
