"""Pause, resume and stop during runs; workflow_timeout; step retries; thread safety of status."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from test_orchestra_support import FnAgent, fixed, flaky, runner, statuses, waiting

from superoptix.orchestra.runner import OrchestraRunner


class Gated:
    """A step that signals when it starts and finishes only when the test lets it go."""

    def __init__(self, answer: str, inputs: tuple[str, ...] = ("data",)):
        self.started = threading.Event()
        self.go = threading.Event()

        def behaviour(**_: Any) -> dict[str, Any]:
            self.started.set()
            self.go.wait(5)
            return {answer.lower(): answer}

        self.agent = FnAgent(inputs, [answer.lower()], behaviour, name=answer)


@pytest.fixture
def gates() -> Iterator[list[Gated]]:
    made: list[Gated] = []
    yield made
    for gate in made:  # never leave a blocked thread behind
        gate.go.set()


def gated_pipeline(gates: list[Gated], config: dict[str, Any] | None = None
                   ) -> tuple[OrchestraRunner, list[Gated]]:
    chain = [Gated("S1"), Gated("S2", ("s1",)), Gated("S3", ("s2",))]
    gates.extend(chain)
    return runner({f"s{i}": g.agent for i, g in enumerate(chain, 1)}, config), chain


def in_background(fn: Callable[[], dict[str, Any]]) -> Future[dict[str, Any]]:
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(fn)
    pool.shutdown(wait=False)
    return future


def run_steps(orchestra: OrchestraRunner, **kwargs: Any) -> Future[dict[str, Any]]:
    return in_background(lambda: orchestra.run_pipeline_workflow({"data": "x"}, ["s1", "s2", "s3"], **kwargs))


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "condition not reached in time"
        time.sleep(0.005)


# --------------------------------------------------------------- live status
def test_status_while_a_step_runs(gates: list[Gated]) -> None:
    orchestra, (s1, s2, s3) = gated_pipeline(gates)
    future = run_steps(orchestra)
    assert s1.started.wait(5)
    status = orchestra.get_orchestra_status()
    assert status["status"] == "running" and status["active_runs"] == 1
    assert status["active_agents"] == 1 and status["running_agents"] == ["s1"]
    assert orchestra.get_agent_status("s1")["status"] == "running"
    for gate in (s1, s2, s3):
        gate.go.set()
    assert future.result(5)["status"] == "success"
    assert orchestra.get_orchestra_status()["status"] == "idle"


# --------------------------------------------------------------- pause / resume / stop
def test_pause_holds_the_next_step_until_resume(gates: list[Gated]) -> None:
    orchestra, (s1, s2, s3) = gated_pipeline(gates)
    future = run_steps(orchestra)
    assert s1.started.wait(5)
    orchestra.pause_orchestra()
    assert orchestra.get_orchestra_status()["status"] == "paused"
    s1.go.set()  # the running step finishes despite the pause
    wait_until(lambda: orchestra.get_agent_status("s1")["runs"] == 1)
    assert not s2.started.wait(0.3)
    assert not future.done()
    orchestra.resume_orchestra()
    assert s2.started.wait(5)
    s2.go.set()
    s3.go.set()
    result = future.result(5)
    assert result["status"] == "success" and result["final_output"] == {"s3": "S3"}
    assert [e["type"] for e in orchestra.get_orchestra_status()["events"]].count("paused") == 1


def test_stop_during_a_run_lists_what_ran_and_what_did_not(gates: list[Gated]) -> None:
    orchestra, (s1, s2, _) = gated_pipeline(gates)
    future = run_steps(orchestra, workflow_config={"error_handling": "continue"})
    assert s1.started.wait(5)
    orchestra.stop_orchestra()
    assert orchestra.get_orchestra_status()["status"] == "stopping"
    s1.go.set()
    result = future.result(5)
    assert result["status"] == "stopped"
    assert result["ran"] == ["s1"] and result["not_run"] == ["s2", "s3"]
    assert statuses(result)["s1"] == "success" and not s2.started.is_set()
    assert "stopped" in result["steps"][1]["reason"]
    assert orchestra.get_orchestra_status()["status"] == "stopped"


def test_stop_releases_a_paused_run_and_a_new_run_starts_clean(gates: list[Gated]) -> None:
    orchestra, (s1, s2, s3) = gated_pipeline(gates)
    future = run_steps(orchestra)
    assert s1.started.wait(5)
    orchestra.pause_orchestra()
    s1.go.set()
    wait_until(lambda: orchestra.get_agent_status("s1")["runs"] == 1)
    orchestra.stop_orchestra()
    result = future.result(5)
    assert result["status"] == "stopped" and result["not_run"] == ["s2", "s3"]
    orchestra.resume_orchestra()
    s2.go.set()
    s3.go.set()
    again = orchestra.run_pipeline_workflow({"data": "y"}, ["s1", "s2", "s3"])
    assert again["status"] == "success" and again["not_run"] == []


def test_removing_an_agent_lets_its_running_step_finish(gates: list[Gated]) -> None:
    orchestra, (s1, _, _) = gated_pipeline(gates)
    future = in_background(lambda: orchestra.run_pipeline_workflow({"data": "x"}, ["s1"]))
    assert s1.started.wait(5)
    orchestra.remove_agent("s1")
    s1.go.set()
    assert future.result(5)["status"] == "success"
    assert "s1" not in orchestra.agent_ids()


# --------------------------------------------------------------- workflow_timeout
def test_workflow_timeout_marks_unstarted_steps_not_run(gates: list[Gated]) -> None:
    slow = Gated("S1")
    gates.append(slow)
    agents = {"s1": slow.agent, "s2": fixed("B", inputs=("s1",)), "s3": fixed("C", inputs=("answer",))}
    start = time.perf_counter()
    result = runner(agents, {"workflow_timeout": 0.3}).run_pipeline_workflow(
        {"data": "x"}, ["s1", "s2", "s3"], workflow_config={"error_handling": "continue"})
    assert time.perf_counter() - start < 3
    assert result["status"] == "failed"
    assert statuses(result) == {"s1": "timeout", "s2": "not_run", "s3": "not_run"}
    assert "workflow_timeout" in result["steps"][1]["reason"]
    assert any(e["type"] == "WorkflowTimeout" and "workflow_timeout" in e["message"] for e in result["errors"])
    assert agents["s2"].calls == [] and agents["s3"].calls == []


def test_steps_after_a_timeout_say_why_they_did_not_run(gates: list[Gated]) -> None:
    slow = Gated("S1")
    gates.append(slow)
    agents = {"s1": slow.agent, "s2": fixed("B", inputs=("s1",)), "s3": fixed("C", inputs=("answer",))}
    result = runner(agents, {"workflow_timeout": 0.3}).run_pipeline_workflow(
        {"data": "x"}, ["s1", "s2", "s3"], workflow_config={"error_handling": "continue"})
    assert "workflow_timeout" in result["steps"][2]["reason"]


def test_workflow_timeout_while_paused() -> None:
    agents = {"a": fixed("A")}
    orchestra = runner(agents, {"workflow_timeout": 0.3})
    orchestra.pause_orchestra()
    result = orchestra.run_pipeline_workflow({"data": "x"}, ["a"])
    assert result["status"] == "failed" and result["not_run"] == ["a"]
    assert "workflow_timeout" in result["steps"][0]["reason"] and agents["a"].calls == []


def test_workflow_timeout_covers_steps_waiting_for_a_slot(gates: list[Gated]) -> None:
    first, second = Gated("A"), Gated("B")
    gates.extend([first, second])
    orchestra = runner({"a": first.agent, "b": second.agent},
                       {"workflow_timeout": 0.5, "max_concurrent_agents": 1})
    result = orchestra.run_parallel_workflow({"data": "x"}, [{"agent": "a"}, {"agent": "b"}])
    # Both block: whichever gets the one slot is cut at the 0.5 s deadline; the other one must not
    # then start with the limit it computed before queueing (that ends the run at ~1.0 s).
    assert set(statuses(result).values()) <= {"timeout", "not_run"}
    assert result["duration_s"] < 0.8


# --------------------------------------------------------------- step retries
@pytest.mark.parametrize("config, status, attempts", [
    ({"retry_failed_steps": True, "max_retries": 3}, "success", 3),
    ({"retry_failed_steps": True, "max_retries": 1}, "error", 2),
    ({"retry_failed_steps": False, "max_retries": 3}, "error", 1),
])
def test_retry_failed_steps(config: dict[str, Any], status: str, attempts: int) -> None:
    agent = flaky(2)
    result = OrchestraRunner({"name": "r"}, {"f": agent}, config).run_pipeline_workflow({"data": "x"}, ["f"])
    step = result["steps"][0]
    assert step["status"] == status and step["step_attempts"] == attempts
    assert len(agent.calls) == attempts
    assert len(step.get("previous_errors", [])) == attempts - 1


def test_broadcast_steps_are_retried_too() -> None:
    agents = {"f": flaky(1, "yes"), "g": fixed("yes")}
    orchestra = OrchestraRunner({"name": "r"}, agents, {"max_retries": 2})
    result = orchestra.run_broadcast_workflow({"data": "x"}, ["f", "g"], "consensus")
    assert result["status"] == "success" and result["steps"][0]["step_attempts"] == 2


# --------------------------------------------------------------- thread safety
def test_concurrent_runs_with_status_polling_keep_exact_counts() -> None:
    observed = threading.Event()  # agent `a` holds its runs until the poller has seen one running

    def held(data: str) -> dict[str, Any]:
        observed.wait(3)
        return {"answer": "A"}

    agents = {"a": FnAgent(["data"], ["answer"], held), "b": fixed("B", field="b", inputs=("answer",)),
              "v": fixed("V")}
    orchestra = runner(agents, {"max_concurrent_agents": 3})
    threads, per_thread = 6, 5
    start = threading.Barrier(threads + 1, timeout=5)
    done = threading.Event()

    def poll() -> None:
        start.wait()
        while not done.is_set():
            status = orchestra.get_orchestra_status()
            assert 0 <= status["active_runs"] <= threads
            assert set(status["running_agents"]) <= set(agents)
            if status["status"] == "running" and status["running_agents"]:
                observed.set()

    def work(index: int) -> list[str]:
        start.wait()
        if index % 2:
            return [orchestra.run_pipeline_workflow({"data": "x"}, ["a", "b"])["status"] for _ in range(per_thread)]
        return [orchestra.run_broadcast_workflow({"data": "x"}, ["a", "v"], "weighted")["status"]
                for _ in range(per_thread)]

    with ThreadPoolExecutor(max_workers=threads + 1) as pool:
        poller = pool.submit(poll)
        try:
            results = [s for f in [pool.submit(work, i) for i in range(threads)] for s in f.result(20)]
        finally:
            done.set()
        poller.result(5)
    assert observed.is_set()
    assert results == ["success"] * threads * per_thread
    status = orchestra.get_orchestra_status()
    runs = {agent: info["runs"] for agent, info in status["agents"].items()}
    assert runs == {"a": 30, "b": 15, "v": 15}
    assert status["completed_runs"] == 30 and status["active_runs"] == 0 and status["status"] == "idle"
    assert all(info["running"] == 0 for info in status["agents"].values())
    assert orchestra.runner_for("a").get_execution_stats()["total_runs"] == 30


def test_slow_agent_blocks_only_its_own_step() -> None:
    release = threading.Event()
    agents = {"slow": waiting(release), "fast": fixed("F")}
    orchestra = runner(agents)
    future = in_background(lambda: orchestra.run_pipeline_workflow({"data": "x"}, ["slow"]))
    wait_until(lambda: orchestra.get_agent_status("slow")["running"] == 1)
    assert orchestra.run_pipeline_workflow({"data": "y"}, ["fast"])["status"] == "success"
    release.set()
    assert future.result(5)["status"] == "success"
