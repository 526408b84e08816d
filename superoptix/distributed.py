"""Run agent calls on a Ray cluster (`executor: ray`) instead of local threads.

Each call becomes a Ray task that rebuilds a DSPyRunner in a worker process and runs the agent
there, with the same retries and timeout; the caller keeps statistics, ordering and control.
Ray is an optional extra: `pip install "superoptix[ray]"`.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from superoptix.errors import InvalidInputError

if TYPE_CHECKING:
    from superoptix.runners.dspy_runner import DSPyRunner

EXECUTORS = ("threads", "ray")
_init_lock = threading.Lock()
_remote_fn: Any = None


def check_executor(value: str) -> str:
    if value not in EXECUTORS:
        raise InvalidInputError(f"executor: expected one of {', '.join(EXECUTORS)}, got {value!r}")
    return value


def ensure_ray(address: str | None = None) -> Any:
    """Connect to the cluster at `address` (or start a local one) once per process."""
    global _remote_fn
    try:
        import ray
    except ImportError as exc:
        raise InvalidInputError('executor: ray needs Ray installed: pip install "superoptix[ray]"') from exc
    with _init_lock:
        if not ray.is_initialized():
            # Local workers see the driver's import path, so agents defined next to the
            # orchestra file (or in tests) import there too; on a real cluster, install them.
            path = os.pathsep.join(p for p in sys.path if p and os.path.isdir(p))
            ray.init(address=address, include_dashboard=False, configure_logging=False,
                     log_to_driver=False, runtime_env={"env_vars": {"PYTHONPATH": path}})
        if _remote_fn is None:
            _remote_fn = ray.remote(_run_in_worker)
    return ray


def _run_in_worker(agent: Any, config: dict[str, Any], lm: Any, inputs: dict[str, Any]) -> dict[str, Any]:
    from superoptix.runners.dspy_runner import DSPyRunner

    runner = DSPyRunner(agent, {**config, "executor": "threads", "enable_metrics": False})
    if lm is not None:
        runner.use_lm(lm)
    result = runner.run_inputs(inputs)
    result["worker_pid"] = os.getpid()
    return result


def _submission(runner: DSPyRunner) -> tuple[Any, dict[str, Any], Any]:
    config = {**runner.config, "lm": runner.lm_config.to_public_dict()}
    # An LM built from configuration is rebuilt in the worker; one given with use_lm() is shipped.
    lm = None if runner.lm_from_config else runner.lm
    return runner.agent, config, lm


def run_remote(runner: DSPyRunner, items: Sequence[Mapping[str, Any]], timeout: float | None = None
               ) -> list[dict[str, Any]]:
    """Run each input mapping as one Ray task; one result per input, in order, never lost."""
    ray = ensure_ray(runner.config.get("ray_address"))
    agent, config, lm = _submission(runner)
    if timeout is not None:
        config["timeout"] = timeout if config["timeout"] is None else min(config["timeout"], timeout)
    refs = [_remote_fn.options(num_cpus=float(runner.config["ray_num_cpus"])).remote(
        agent, config, lm, dict(item)) for item in items]
    return [_collect(ray, ref, inputs, config["timeout"]) for ref, inputs in zip(refs, items, strict=True)]


def _collect(ray: Any, ref: Any, inputs: Mapping[str, Any], timeout: float | None) -> dict[str, Any]:
    # The worker enforces the timeout itself; the margin covers scheduling and transfer.
    wait = None if timeout is None else float(timeout) + 30.0
    try:
        result: dict[str, Any] = ray.get(ref, timeout=wait)
        return result
    except Exception as exc:  # a lost worker or task becomes this input's error result
        if type(exc).__name__ == "GetTimeoutError":
            ray.cancel(ref, force=True)
        return {"status": "error", "outputs": {}, "inputs": dict(inputs), "duration_s": 0.0, "attempts": 1,
                "usage": {}, "error": {"type": type(exc).__name__, "message": str(exc), "transient": True}}
