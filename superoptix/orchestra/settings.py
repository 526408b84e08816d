"""OrchestraRunner configuration keys, per-workflow keys, and their defaults."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from superoptix.configkeys import check_config
from superoptix.errors import InvalidInputError

ORCHESTRA_DEFAULTS: dict[str, Any] = {
    "max_concurrent_agents": 4,   # agent calls running at once across the whole orchestra
    "workflow_timeout": 300,      # seconds for one workflow run; None for no limit
    "enable_monitoring": True,    # keep an event log and notify listeners (the CLI's live table)
    "retry_failed_steps": True,   # re-run a failed step, up to max_retries times
    "max_retries": 3,
    "aggregation_timeout": 60,    # seconds a broadcast waits for all responses in total
    "executor": "threads",        # where agent calls run: local threads, or "ray" (one task per step)
    "ray_address": None,          # Ray cluster address; None starts a local Ray instance
}

WORKFLOW_DEFAULTS: dict[str, dict[str, Any]] = {
    "pipeline": {"error_handling": "stop", "data_passing": "automatic", "validation": True,
                 "logging": False},
    "broadcast": {"aggregation_strategy": "consensus", "timeout": 60, "min_responses": 1,
                  "weights": {}, "vote_field": None},
    "conditional": {"default_agent": None, "condition_evaluation": "strict",
                    "fallback_strategy": "use_default"},
    "parallel": {"max_concurrent": 4, "resource_limits": {}, "synchronization": "barrier"},
}

CHOICES: dict[str, tuple[str, ...]] = {
    "error_handling": ("continue", "stop", "retry"),
    "data_passing": ("explicit", "automatic"),
    "aggregation_strategy": ("consensus", "majority", "weighted"),
    "condition_evaluation": ("strict", "fuzzy"),
    "fallback_strategy": ("use_default", "skip", "fail"),
    "synchronization": ("barrier", "async"),
}


def orchestra_settings(*layers: Mapping[str, Any] | None) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for layer in layers:
        merged.update(layer or {})
    settings = check_config("orchestra config", merged, ORCHESTRA_DEFAULTS)
    for key in ("max_concurrent_agents", "max_retries"):
        minimum = 1 if key == "max_concurrent_agents" else 0
        if not isinstance(settings[key], int) or settings[key] < minimum:
            raise InvalidInputError(
                f"orchestra config > {key}: expected an integer >= {minimum}, got {settings[key]!r}")
    from superoptix.distributed import check_executor

    check_executor(settings["executor"])
    for key in ("workflow_timeout", "aggregation_timeout"):
        if settings[key] is not None and settings[key] <= 0:
            raise InvalidInputError(f"orchestra config > {key}: expected a positive number of seconds or null")
    return settings


def workflow_settings(workflow_type: str, *layers: Mapping[str, Any] | None) -> dict[str, Any]:
    """Merge the layers over the workflow's defaults; keys of other workflow kinds are ignored."""
    if workflow_type not in WORKFLOW_DEFAULTS:
        raise InvalidInputError(
            f"workflow_type: expected one of {', '.join(WORKFLOW_DEFAULTS)}, got {workflow_type!r}"
        )
    defaults = WORKFLOW_DEFAULTS[workflow_type]
    known = {key for keys in WORKFLOW_DEFAULTS.values() for key in keys}
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in (layer or {}).items():
            if key in defaults:
                merged[key] = value
            elif key not in known:
                check_config(f"workflow_config ({workflow_type})", {key: value}, defaults)
    settings = check_config(f"workflow_config ({workflow_type})", merged, defaults)
    for key, choices in CHOICES.items():
        if key in settings and settings[key] not in choices:
            raise InvalidInputError(
                f"workflow_config > {key}: expected one of {', '.join(choices)}, got {settings[key]!r}"
            )
    return settings


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?i?B?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "B": 1, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}


def parse_memory(value: Any) -> float:
    """'1GB', '512MB', '2GiB' or a number of bytes -> bytes."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    match = _SIZE.match(str(value))
    if not match:
        raise InvalidInputError(f"resource_limits > memory: cannot read {value!r} (e.g. '1GB', '512MB')")
    number, unit = float(match.group(1)), (match.group(2) or "").upper()
    scale = _UNITS[unit[:1]] if unit else 1
    if "I" in unit:
        scale = 1024 ** " KMGT".index(unit[0])
    return number * scale


def concurrency_for_limits(requested: int, limits: Mapping[str, Any]) -> int:
    """Admit only as many tasks at once as the per-task CPU and memory requests fit on this machine.

    Like a cluster scheduler's resource requests: `cpu: 0.5` lets two tasks share a core;
    `memory: 1GB` admits as many tasks as 1 GB fits into the available memory.
    """
    allowed = requested
    cpu = limits.get("cpu")
    if cpu is not None:
        if not isinstance(cpu, (int, float)) or cpu <= 0:
            raise InvalidInputError("resource_limits > cpu: expected a positive number of cores per task")
        allowed = min(allowed, max(1, int((os.cpu_count() or 1) / cpu)))
    memory = limits.get("memory")
    if memory is not None:
        per_task = parse_memory(memory)
        if per_task <= 0:
            raise InvalidInputError("resource_limits > memory: expected a positive size")
        allowed = min(allowed, max(1, int(available_memory() / per_task)))
    return max(1, allowed)


def available_memory() -> float:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    pages = os.sysconf("SC_AVPHYS_PAGES") if hasattr(os, "sysconf") else 0
    return float(pages * os.sysconf("SC_PAGE_SIZE")) if pages else 8e9
