"""`executor: ray`: batches and orchestra steps run as Ray tasks in other processes."""

from __future__ import annotations

import os

import dspy
import pytest

from superoptix.core import SuperOptixPipeline, signature
from superoptix.errors import InvalidInputError
from superoptix.runners import DSPyRunner, OrchestraRunner

ray = pytest.importorskip("ray")


class WhereAmI(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature("Say which process ran.", text=dspy.InputField(), pid=dspy.OutputField())

    def forward(self, text: str) -> dspy.Prediction:
        if text == "boom":
            raise RuntimeError("exploded in the worker")
        return dspy.Prediction(pid=os.getpid(), echo=text)


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    yield
    if ray.is_initialized():
        ray.shutdown()


def test_run_batch_on_ray_keeps_order_and_counts_every_result():
    runner = DSPyRunner(WhereAmI(), {"executor": "ray", "ray_num_cpus": 0.5, "retry_backoff": 0.0})
    results = runner.run_batch(["a", "boom", {"text": "c"}, {"bogus": 1}])
    assert [r["status"] for r in results] == ["success", "error", "success", "error"]
    assert [r.get("echo") for r in results] == ["a", None, "c", None]
    assert results[1]["error"]["message"] == "exploded in the worker"
    assert results[0]["pid"] != os.getpid() and results[0]["worker_pid"] == results[0]["pid"]
    stats = runner.get_execution_stats()
    assert stats["total_runs"] == 4 and stats["successful_runs"] == 2 and stats["failed_runs"] == 2


def test_orchestra_steps_run_on_ray(tmp_path):
    agents = {"left": WhereAmI(), "right": WhereAmI()}
    config = {"name": "remote", "workflow_type": "parallel",
              "parallel_tasks": [{"agent": "left", "input_key": "text"}, {"agent": "right", "input_key": "text"}]}
    orchestra = OrchestraRunner(config, agents, {"executor": "ray"})
    result = orchestra.run_orchestra({"text": "hi"})
    assert result["status"] == "success"
    pids = {step["outputs"]["pid"] for step in result["steps"]}
    assert os.getpid() not in pids
    assert orchestra.get_agent_status("left")["successes"] == 1


def test_unknown_executor_is_refused():
    with pytest.raises(InvalidInputError, match="executor"):
        DSPyRunner(WhereAmI(), {"executor": "dask"})
    with pytest.raises(InvalidInputError, match="executor"):
        OrchestraRunner({"name": "x"}, {}, {"executor": "dask"})


@pytest.mark.embedded
def test_embedded_model_runs_inside_ray_workers():
    from agents_for_tests import QA

    runner = DSPyRunner(QA(), {"executor": "ray", "lm": {"cache": False}})
    [result] = runner.run_batch(["What is the capital of France?"])
    assert result["status"] == "success", result["error"]
    assert "paris" in result["answer"].lower() and result["worker_pid"] != os.getpid()
    assert result["usage"]["completion_tokens"] > 0
