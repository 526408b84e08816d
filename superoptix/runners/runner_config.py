"""DSPyRunner configuration keys and their defaults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from superoptix.configkeys import check_config
from superoptix.errors import InvalidInputError

DSPY_RUNNER_DEFAULTS: dict[str, Any] = {
    "enable_tracing": True,   # attach each predictor call (inputs, outputs) to the result
    "enable_metrics": True,   # record every run in get_execution_stats()
    "max_retries": 3,         # retries of transient failures per run
    "timeout": 30,            # seconds one run may take, retries included; None for no limit
    "optimization_enabled": True,
    "evaluation_enabled": True,
    "retry_backoff": 0.5,     # first backoff ceiling in seconds, doubled per retry, full jitter
    "retry_backoff_max": 8.0,
    "lm": None,               # LM configuration for agents that call a model (default: embedded)
    "data_dir": None,         # where optimized programs and memories go (default: ./.superoptix)
    "executor": "threads",    # run_batch on local threads, or "ray": one Ray task per query
    "ray_address": None,      # Ray cluster address ("auto", "ray://host:10001"); None starts a local one
    "ray_num_cpus": 1.0,      # CPUs Ray reserves for each task
}


def dspy_runner_config(given: Mapping[str, Any] | None) -> dict[str, Any]:
    config = check_config("DSPyRunner config", given, DSPY_RUNNER_DEFAULTS)
    from superoptix.distributed import check_executor

    check_executor(config["executor"])
    if not isinstance(config["max_retries"], int) or config["max_retries"] < 0:
        raise InvalidInputError("DSPyRunner config > max_retries: expected a non-negative integer")
    if config["timeout"] is not None and config["timeout"] <= 0:
        raise InvalidInputError("DSPyRunner config > timeout: expected a positive number of seconds or null")
    for key in ("retry_backoff", "retry_backoff_max", "ray_num_cpus"):
        if config[key] < 0 or (key == "ray_num_cpus" and config[key] == 0):
            raise InvalidInputError(f"DSPyRunner config > {key}: expected a positive number")
    return config
