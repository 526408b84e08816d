"""Broadcast and parallel workflows: concurrency, aggregation, timeouts, limits, synchronization."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from test_orchestra_support import FnAgent, InFlight, failing, fixed, runner, statuses, waiting

from superoptix.orchestra.settings import available_memory


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at teardown so no blocked agent thread outlives its test."""
    event = threading.Event()
    yield event
    event.set()


def voters(*answers: str) -> dict[str, FnAgent]:
    return {f"v{i}": fixed(answer) for i, answer in enumerate(answers, 1)}


def broadcast(answers: tuple[str, ...], strategy: str, **workflow: Any) -> dict[str, Any]:
    agents = voters(*answers)
    return runner(agents).run_broadcast_workflow({"data": "d"}, list(agents), strategy,
                                                 workflow_config=workflow)


# --------------------------------------------------------------- broadcast
def test_broadcast_runs_targets_concurrently() -> None:
    barrier = threading.Barrier(3, timeout=5)

    def meet(data: str) -> dict[str, Any]:
        barrier.wait()  # breaks (and the step errors) unless all three run at the same time
        return {"answer": "same"}

    agents = {f"v{i}": FnAgent(["data"], ["answer"], meet) for i in range(3)}
    result = runner(agents).run_broadcast_workflow({"data": "d"}, list(agents), "consensus")
    assert result["status"] == "success", result["errors"]
    assert all(agent.calls == [{"data": "d"}] for agent in agents.values())


def test_consensus_normalizes_answers() -> None:
    result = broadcast(("Yes.", "yes", "  YES "), "consensus")
    assert result["status"] == "success"
    assert result["aggregation"]["winner"] == "yes" and result["aggregation"]["agreement"] == 1.0
    assert result["final_output"] == {"answer": "Yes."}  # the first agreeing agent's own output


def test_consensus_fails_on_any_disagreement() -> None:
    result = broadcast(("yes", "yes", "no"), "consensus")
    assert result["status"] == "failed" and result["final_output"] == {}
    assert result["aggregation"]["winner"] is None
    assert any("no consensus" in e["message"] for e in result["errors"])


def test_majority_needs_more_than_half() -> None:
    result = broadcast(("no", "yes", "yes"), "majority")
    assert result["status"] == "success"
    agg = result["aggregation"]
    assert agg["winner"] == "yes" and agg["winning_agent"] == "v2"
    assert agg["agreement"] == pytest.approx(2 / 3)
    assert agg["votes"] == {"no": 1.0, "yes": 2.0}


@pytest.mark.parametrize("answers", [("a", "b", "a", "b"), ("a", "b", "c")])
def test_majority_tie_never_wins(answers: tuple[str, ...]) -> None:
    result = broadcast(answers, "majority")
    assert result["status"] == "failed" and result["aggregation"]["winner"] is None
    assert any("no majority" in e["message"] for e in result["errors"])


def test_majority_counts_only_successful_responses() -> None:
    agents = {"v1": fixed("yes"), "v2": failing(), "v3": failing()}
    result = runner(agents).run_broadcast_workflow({"data": "d"}, list(agents), "majority")
    assert result["status"] == "success" and result["aggregation"]["agreement"] == 1.0
    assert result["aggregation"]["responses"] == 1
    assert statuses(result) == {"v1": "success", "v2": "error", "v3": "error"}


def test_weighted_highest_total_wins() -> None:
    result = broadcast(("yes", "no", "yes"), "weighted", weights={"v2": 3})
    agg = result["aggregation"]
    assert agg["winner"] == "no" and agg["winning_agent"] == "v2"
    assert agg["agreement"] == pytest.approx(3 / 5)


def test_weighted_tie_goes_to_the_first_listed_agent() -> None:
    agents = voters("x", "y")
    orchestra = runner(agents)
    first = orchestra.run_broadcast_workflow({"data": "d"}, ["v1", "v2"], "weighted")
    second = orchestra.run_broadcast_workflow({"data": "d"}, ["v2", "v1"], "weighted")
    assert first["final_output"] == {"answer": "x"} and second["final_output"] == {"answer": "y"}
    assert first["aggregation"]["agreement"] == 0.5


def test_vote_field_selects_the_compared_output() -> None:
    def agent(label: str, verdict: str) -> FnAgent:
        return FnAgent(["data"], ["note", "verdict"], lambda data: {"note": label, "verdict": verdict})

    agents = {"a": agent("n1", "ok"), "b": agent("n2", "ok")}
    result = runner(agents).run_broadcast_workflow({"data": "d"}, ["a", "b"], "consensus",
                                                   workflow_config={"vote_field": "verdict"})
    assert result["status"] == "success" and result["aggregation"]["vote_field"] == "verdict"
    assert result["final_output"] == {"note": "n1", "verdict": "ok"}


@pytest.mark.parametrize("min_responses, status", [(2, "success"), (3, "failed")])
def test_min_responses_is_enforced(min_responses: int, status: str) -> None:
    agents = {"v1": fixed("yes"), "v2": fixed("yes"), "v3": failing()}
    result = runner(agents).run_broadcast_workflow({"data": "d"}, list(agents), "consensus",
                                                   workflow_config={"min_responses": min_responses})
    assert result["status"] == status
    if status == "failed":
        assert any("only 2 of 3" in e["message"] and "min_responses" in e["message"] for e in result["errors"])
        assert result["final_output"] == {}


def test_per_response_timeout(release: threading.Event) -> None:
    agents = {"slow": waiting(release), "v1": fixed("yes"), "v2": fixed("yes")}
    start = time.perf_counter()
    result = runner(agents).run_broadcast_workflow({"data": "d"}, list(agents), "consensus",
                                                   workflow_config={"timeout": 0.3})
    assert time.perf_counter() - start < 3
    assert statuses(result) == {"slow": "timeout", "v1": "success", "v2": "success"}
    assert result["status"] == "success" and result["final_output"] == {"answer": "yes"}
    assert result["errors"][0]["step"] == "slow" and result["errors"][0]["type"] == "Timeout"


def test_aggregation_timeout_stops_waiting(release: threading.Event) -> None:
    agents = {"slow": waiting(release), "v1": fixed("yes")}
    start = time.perf_counter()
    result = runner(agents, {"aggregation_timeout": 0.3}).run_broadcast_workflow(
        {"data": "d"}, list(agents), "majority")
    assert time.perf_counter() - start < 3
    assert statuses(result) == {"slow": "timeout", "v1": "success"}
    assert "aggregation_timeout" in result["steps"][0]["error"]["message"]
    assert result["final_output"] == {"answer": "yes"}


def test_max_concurrent_agents_caps_a_broadcast() -> None:
    probe = InFlight(limit=2, total=5)
    agents = {f"v{i}": probe.agent() for i in range(5)}
    result = runner(agents, {"max_concurrent_agents": 2}).run_broadcast_workflow(
        {"data": "d"}, list(agents), "consensus")
    assert result["status"] == "success"
    assert probe.peak == 2


# --------------------------------------------------------------- parallel
def test_input_key_selects_each_tasks_input() -> None:
    agents = {"first": FnAgent(["text"], ["out"], lambda text: {"out": text.upper()}),
              "named": FnAgent(["raw_data"], ["out"], lambda raw_data: {"out": raw_data + "!"})}
    tasks = [{"agent": "first", "input_key": "title"}, {"agent": "named", "input_key": "raw_data"}]
    result = runner(agents).run_parallel_workflow({"title": "t", "raw_data": "r"}, tasks)
    assert result["status"] == "success"
    assert result["final_output"] == {"first": {"out": "T"}, "named": {"out": "r!"}}


def test_missing_input_key_fails_only_that_task() -> None:
    agents = {"a": fixed("A"), "b": fixed("B")}
    tasks = [{"agent": "a", "input_key": "data"}, {"agent": "b", "input_key": "nope"}]
    result = runner(agents).run_parallel_workflow({"data": "d"}, tasks)
    assert result["status"] == "failed"
    assert statuses(result) == {"a": "success", "b": "error"}
    assert agents["b"].calls == []
    assert [e["step"] for e in result["errors"]] == ["b"] and "'nope'" in result["errors"][0]["message"]


def test_max_concurrent_is_respected() -> None:
    probe = InFlight(limit=2, total=6)
    agents = {f"t{i}": probe.agent() for i in range(6)}
    tasks = [{"agent": name} for name in agents]
    result = runner(agents).run_parallel_workflow({"data": "d"}, tasks, max_concurrent=2)
    assert result["status"] == "success" and result["max_concurrent"] == 2
    assert probe.peak == 2


def test_workflow_config_max_concurrent_applies_through_run_orchestra() -> None:
    probe = InFlight(limit=3, total=6)
    agents = {f"t{i}": probe.agent() for i in range(6)}
    orchestra = runner(agents, workflow_type="parallel", parallel_tasks=[{"agent": n} for n in agents],
                       workflow_config={"max_concurrent": 3})
    result = orchestra.run_orchestra({"data": "d"})
    assert result["max_concurrent"] == 3 and probe.peak == 3


@pytest.mark.parametrize("limits", [
    {"memory": available_memory() * 0.6},
    {"memory": f"{available_memory() * 0.6 / 1e9:.3f}GB"},
    {"cpu": float(os.cpu_count() or 1)},
])
def test_resource_limits_cap_concurrency(limits: dict[str, Any]) -> None:
    probe = InFlight(limit=1, total=3)
    agents = {f"t{i}": probe.agent() for i in range(3)}
    result = runner(agents).run_parallel_workflow(
        {"data": "d"}, [{"agent": n} for n in agents], max_concurrent=3,
        workflow_config={"resource_limits": limits})
    assert result["max_concurrent"] == 1 and probe.peak == 1


def test_small_resource_requests_keep_the_requested_concurrency() -> None:
    agents = {"a": fixed("A")}
    result = runner(agents).run_parallel_workflow(
        {"data": "d"}, [{"agent": "a"}], max_concurrent=2,
        workflow_config={"resource_limits": {"cpu": 0.01, "memory": "1MB"}})
    assert result["max_concurrent"] == 2


def slow_first(release: threading.Event) -> tuple[dict[str, FnAgent], list[dict[str, str]]]:
    agents = {"slow": waiting(release, "S"), "f1": fixed("F1"), "f2": fixed("F2")}
    return agents, [{"agent": name} for name in agents]


def test_async_synchronization_reports_each_result_as_it_finishes(release: threading.Event) -> None:
    agents, tasks = slow_first(release)
    seen: list[str] = []

    def on_result(result: dict[str, Any]) -> None:
        seen.append(result["step"])
        if len(seen) == 2:
            release.set()  # the slow task finishes only after both fast results were delivered

    result = runner(agents).run_parallel_workflow({"data": "d"}, tasks, max_concurrent=3, on_result=on_result,
                                                  workflow_config={"synchronization": "async"})
    assert sorted(seen[:2]) == ["f1", "f2"] and seen[2] == "slow"
    assert result["completion_order"] == seen
    assert [s["step"] for s in result["steps"]] == ["slow", "f1", "f2"]
    assert result["final_output"]["slow"] == {"answer": "S"}


def test_barrier_synchronization_does_not_call_on_result(release: threading.Event) -> None:
    agents, tasks = slow_first(release)
    seen: list[dict[str, Any]] = []
    release.set()
    result = runner(agents).run_parallel_workflow({"data": "d"}, tasks, on_result=seen.append,
                                                  workflow_config={"synchronization": "barrier"})
    assert seen == [] and result["synchronization"] == "barrier"
    assert [s["step"] for s in result["steps"]] == ["slow", "f1", "f2"]
    assert [s["task_index"] for s in result["steps"]] == [0, 1, 2]


def test_same_agent_in_several_tasks_gets_numbered_labels() -> None:
    agents = {"up": FnAgent(["text"], ["out"], lambda text: {"out": text.upper()})}
    tasks = [{"agent": "up", "input_key": "a"}, {"agent": "up", "input_key": "b"}]
    result = runner(agents).run_parallel_workflow({"a": "x", "b": "y"}, tasks)
    assert result["final_output"] == {"up#1": {"out": "X"}, "up#2": {"out": "Y"}}


def test_no_agent_runs_after_a_broadcast_gave_up_waiting() -> None:
    agents = voters("yes", "yes")
    orchestra = runner(agents, {"aggregation_timeout": 0.3})
    orchestra.pause_orchestra()
    result = orchestra.run_broadcast_workflow({"data": "d"}, list(agents), "consensus")
    assert result["status"] == "failed"
    orchestra.resume_orchestra()
    time.sleep(0.3)  # the leftover steps would start right away after resume
    assert [agent.calls for agent in agents.values()] == [[], []]


def test_workflow_config_max_concurrent_applies_to_run_parallel_workflow() -> None:
    result = runner({"a": fixed("A")}).run_parallel_workflow(
        {"data": "d"}, [{"agent": "a"}], workflow_config={"max_concurrent": 2})
    assert result["max_concurrent"] == 2
