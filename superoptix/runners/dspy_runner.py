"""DSPyRunner: run one agent with retries, timeouts, statistics and tracing."""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import dspy

from superoptix.core.pipeline import forward_inputs
from superoptix.errors import FeatureDisabledError, InvalidInputError
from superoptix.lm.config import LMConfig, build_adapter, build_lm
from superoptix.runners.invocation import RetryPolicy, invoke, map_inputs
from superoptix.runners.runner_config import dspy_runner_config
from superoptix.runners.stats import RunStats

if TYPE_CHECKING:
    from superoptix.memory import AgentMemory
    from superoptix.tools import BaseTool


class DSPyRunner:
    """Executes one agent (a `SuperOptixPipeline` or any `dspy.Module`)."""

    def __init__(self, agent: dspy.Module, config: Mapping[str, Any] | None = None):
        if not isinstance(agent, dspy.Module):
            raise InvalidInputError(
                f"DSPyRunner needs a SuperOptixPipeline or dspy.Module, got {type(agent).__name__}"
            )
        self.agent = agent
        self.config = dspy_runner_config(config)
        self.lm_config = LMConfig.from_value(self.config["lm"] or getattr(agent, "config", {}).get("lm"))
        self._lm: dspy.LM | None = None
        self.lm_from_config = True
        self._adapter: Any = None
        self._lm_lock = threading.Lock()
        self._stats = RunStats()
        self._rng = random.Random()

    # ----------------------------------------------------------------- properties
    @property
    def agent_name(self) -> str:
        getter = getattr(self.agent, "get_agent_name", None)
        return getter() if callable(getter) else type(self.agent).__name__

    @property
    def input_fields(self) -> list[str]:
        getter = getattr(self.agent, "input_fields", None)
        if callable(getter):
            return list(getter())
        return forward_inputs(self.agent)

    @property
    def required_inputs(self) -> list[str]:
        """Input fields a call must fill: all signature inputs, or forward() parameters without defaults."""
        sig = getattr(self.agent, "signature_or_none", lambda: None)()
        if sig is not None:
            return list(sig.input_fields)
        return forward_inputs(self.agent, required_only=True)

    @property
    def lm(self) -> dspy.LM:
        """The LM this runner gives its agent; built on first use, never loaded until called."""
        with self._lm_lock:
            if self._lm is None:
                self._lm = build_lm(self.lm_config)
            return self._lm

    def use_lm(self, lm: dspy.LM, from_config: bool = False) -> None:
        """Run the agent on an already built LM (a fake in tests, a shared one in orchestras).

        `from_config` says the LM was built from `lm_config`, so a Ray worker may rebuild it.
        """
        with self._lm_lock:
            self._lm = lm
            self.lm_from_config = from_config

    def call_settings(self) -> dict[str, Any]:
        """The per-call `dspy.context` settings; never applied globally."""
        if self._adapter is None:
            self._adapter = build_adapter(self.lm_config)
        return {"lm": self.lm, "adapter": self._adapter}

    def retry_policy(self) -> RetryPolicy:
        cfg = self.config
        return RetryPolicy(cfg["max_retries"], cfg["timeout"], cfg["retry_backoff"], cfg["retry_backoff_max"])

    # ----------------------------------------------------------------- running
    def run(self, query: Any = None, **kwargs: Any) -> dict[str, Any]:
        """Run the agent once. Returns outputs, status, error, duration_s, attempts, usage, trace."""
        inputs = map_inputs(self.input_fields, query, kwargs, self.agent_name, self.required_inputs)
        return self._run_inputs(inputs)

    def run_inputs(self, inputs: Mapping[str, Any], call: Any = None) -> dict[str, Any]:
        """Run with a mapping of input fields (used by orchestras, evaluation and tools)."""
        return self._run_inputs(dict(inputs), call)

    def _run_inputs(self, inputs: dict[str, Any], call: Any = None) -> dict[str, Any]:
        result = invoke(
            self.agent, inputs, self.retry_policy(), self.call_settings(),
            tracing=bool(self.config["enable_tracing"]), call=call, rng=self._rng,
        )
        return self.record_result(result)

    def run_batch(
        self, queries: Sequence[Any], max_concurrent: int = 1, **kwargs: Any
    ) -> list[dict[str, Any]]:
        """Run many queries; results come back in input order, exactly one per query.

        A query may be a string (the first input field) or a mapping of input fields.
        `kwargs` are shared input fields given to every query.
        """
        if isinstance(max_concurrent, bool) or not isinstance(max_concurrent, int) or max_concurrent < 1:
            raise InvalidInputError(f"run_batch: max_concurrent must be an integer >= 1, got {max_concurrent!r}")
        items = [self._batch_inputs(q, kwargs) for q in queries]
        if self.config["executor"] == "ray":
            return self._run_batch_on_ray(items)
        if max_concurrent == 1 or len(items) <= 1:
            return [self._safe_run(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(max_concurrent, len(items))) as pool:
            return list(pool.map(self._safe_run, items))

    def _run_batch_on_ray(self, items: list[dict[str, Any] | Exception]) -> list[dict[str, Any]]:
        """One Ray task per valid query (Ray schedules them by `ray_num_cpus`); order is kept."""
        from superoptix.distributed import run_remote

        valid = [item for item in items if not isinstance(item, Exception)]
        remote = iter(run_remote(self, valid))
        return [self._safe_run(item) if isinstance(item, Exception) else self.record_result(next(remote))
                for item in items]

    def record_result(self, result: dict[str, Any]) -> dict[str, Any]:
        """Name the agent on a result and count it in the statistics (also for remote runs)."""
        result["agent"] = self.agent_name
        if self.config["enable_metrics"]:
            self._stats.record(result["status"], result["duration_s"], max(0, result["attempts"] - 1),
                               result.get("usage") or {})
        return result

    def _batch_inputs(self, query: Any, shared: Mapping[str, Any]) -> dict[str, Any] | Exception:
        try:
            required = self.required_inputs
            if isinstance(query, Mapping):
                return map_inputs(self.input_fields, None, {**shared, **query}, self.agent_name, required)
            return map_inputs(self.input_fields, query, shared, self.agent_name, required)
        except InvalidInputError as exc:
            return exc

    def _safe_run(self, item: dict[str, Any] | Exception) -> dict[str, Any]:
        if isinstance(item, Exception):
            result: dict[str, Any] = {
                "status": "error", "agent": self.agent_name, "attempts": 0, "duration_s": 0.0,
                "error": {"type": type(item).__name__, "message": str(item), "transient": False},
                "outputs": {}, "inputs": {}, "usage": {},
            }
            if self.config["enable_metrics"]:
                self._stats.record("error", 0.0, 0, {})
            return result
        return self._run_inputs(item)

    # ----------------------------------------------------------------- tools, memory
    def run_with_tools(
        self, query: str, tools: Sequence[BaseTool], max_tool_calls: int = 5, **kwargs: Any
    ) -> dict[str, Any]:
        """Run a ReAct loop over the agent's signature with these tools."""
        from superoptix.tools.react import run_with_tools

        return run_with_tools(self, query, tools, max_tool_calls=max_tool_calls, **kwargs)

    def run_with_memory(
        self, query: str, memory: AgentMemory, include_context: bool = True, **kwargs: Any
    ) -> dict[str, Any]:
        """Run with relevant memories as context, then store the interaction."""
        from superoptix.memory.integration import run_with_memory

        return run_with_memory(self, query, memory, include_context=include_context, **kwargs)

    # ----------------------------------------------------------------- optimize, evaluate
    def optimize(
        self,
        training_data: Sequence[Mapping[str, Any]],
        optimization_strategy: str = "BootstrapFewShot",
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Compile the agent with a DSPy optimizer; the runner uses the optimized agent afterwards."""
        if not self.config["optimization_enabled"]:
            raise FeatureDisabledError("optimization is disabled for this runner (optimization_enabled: false)")
        from superoptix.optimization import optimize_runner

        return optimize_runner(self, training_data, optimization_strategy, **kwargs)

    def evaluate(
        self,
        test_data: Sequence[Mapping[str, Any]],
        metrics: Sequence[Any] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Score the agent on examples with named or callable metrics."""
        if not self.config["evaluation_enabled"]:
            raise FeatureDisabledError("evaluation is disabled for this runner (evaluation_enabled: false)")
        from superoptix.evaluation import evaluate_runner

        return evaluate_runner(self, test_data, metrics, **kwargs)

    # ----------------------------------------------------------------- statistics
    def get_execution_stats(self) -> dict[str, Any]:
        stats = self._stats.snapshot()
        stats["metrics_enabled"] = bool(self.config["enable_metrics"])
        stats["agent"] = self.agent_name
        return stats

    def reset_stats(self) -> None:
        self._stats.reset()
