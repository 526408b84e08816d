"""Turn an agent and its section of the orchestra document into a Member with its own runner."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import dspy

from superoptix.lm.config import LMConfig, build_lm
from superoptix.orchestra.members import Member
from superoptix.runners.dspy_runner import DSPyRunner

# In an orchestra the step retry (config: retry_failed_steps/max_retries) is the one retry knob;
# an agent's own `runner: {max_retries: N}` adds retries of transient LM errors inside a step.
MEMBER_RUNNER_DEFAULTS = {"max_retries": 0, "timeout": None}


def build_member(
    agent_id: str,
    agent: dspy.Module,
    options: Mapping[str, Any],
    default_lm: Any,
    lm_cache: Callable[[str, Callable[[], dspy.LM]], dspy.LM],
    base_dir: Path,
    settings: Mapping[str, Any],
) -> Member:
    lm_cfg = LMConfig.from_value(options.get("lm") or default_lm or _agent_lm(agent))
    runner_config = {**MEMBER_RUNNER_DEFAULTS, "executor": settings["executor"],
                     "ray_address": settings["ray_address"], **dict(options.get("runner") or {})}
    public = lm_cfg.to_public_dict()
    runner = DSPyRunner(agent, {**runner_config, "lm": public})  # its lm_config equals lm_cfg
    key = json.dumps(public, sort_keys=True, default=str)
    runner.use_lm(lm_cache(key, lambda: build_lm(lm_cfg)), from_config=True)
    return Member(
        agent_id=agent_id,
        runner=runner,
        options=options,
        tools=_tools(options.get("tools")),
        memory=_memory(agent_id, options.get("memory"), base_dir, runner.config.get("data_dir")),
    )


def _agent_lm(agent: dspy.Module) -> Any:
    config = getattr(agent, "config", None)
    return config.get("lm") if isinstance(config, Mapping) else None


def _tools(specs: Any) -> list[Any]:
    if not specs:
        return []
    from superoptix.tools import load_tools

    return list(load_tools(specs))


def _memory(agent_id: str, spec: Any, base_dir: Path, data_dir: str | None) -> Any:
    if not spec:
        return None
    from superoptix.memory import AgentMemory

    return AgentMemory.from_config(agent_id, spec, base_dir=base_dir, data_dir=data_dir)
