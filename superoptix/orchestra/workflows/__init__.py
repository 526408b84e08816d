"""Workflow kinds: each one implements the Workflow protocol and sits in a plain dict registry."""

from __future__ import annotations

from typing import Any, Protocol

from superoptix.orchestra.context import RunContext


class Workflow(Protocol):
    """Runs one workflow over the orchestra's members; returns the workflow-specific result part.

    The returned dict holds at least `status` ("success" or "failed"), `steps` (every step's
    result, including the ones that did not run) and `final_output`.
    """

    def __call__(self, ctx: RunContext, input_data: dict[str, Any], spec: dict[str, Any]
                 ) -> dict[str, Any]: ...


def registry() -> dict[str, Workflow]:
    from superoptix.orchestra.workflows.broadcast import run_broadcast
    from superoptix.orchestra.workflows.conditional import run_conditional
    from superoptix.orchestra.workflows.parallel import run_parallel
    from superoptix.orchestra.workflows.pipeline import run_pipeline

    return {
        "pipeline": run_pipeline,
        "broadcast": run_broadcast,
        "conditional": run_conditional,
        "parallel": run_parallel,
    }
