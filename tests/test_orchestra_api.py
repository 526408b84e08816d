"""OrchestraRunner's public API: the spec's example usage, agents, status, monitoring, LM-backed agents."""

from __future__ import annotations

import logging
from typing import Any

import dspy
import pytest
from test_orchestra_support import failing, fixed, runner

from superoptix.core import SuperOptixPipeline, signature
from superoptix.errors import InvalidInputError, UnknownAgentError
from superoptix.runners import OrchestraRunner
from superoptix.testing import fake_lm


# --------------------------------------------------------------- the spec's example agents
class DataProcessor(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature(
            "Process raw data into structured format",
            raw_data=dspy.InputField(desc="Raw input data"),
            processed_data=dspy.OutputField(desc="Processed structured data"),
        )

    def forward(self, raw_data: str) -> dspy.Prediction:  # type: ignore[override]
        processed = f"Processed: {raw_data}"
        return dspy.Prediction(processed_data=processed)

    def get_agent_name(self) -> str:
        return "data_processor"


class Analyzer(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature(
            "Analyze processed data",
            processed_data=dspy.InputField(desc="Processed data"),
            analysis=dspy.OutputField(desc="Analysis results"),
        )

    def forward(self, processed_data: str) -> dspy.Prediction:  # type: ignore[override]
        analysis = f"Analysis of: {processed_data}"
        return dspy.Prediction(analysis=analysis)

    def get_agent_name(self) -> str:
        return "analyzer"


class Reporter(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature(
            "Generate report from analysis",
            analysis=dspy.InputField(desc="Analysis results"),
            report=dspy.OutputField(desc="Final report"),
        )

    def forward(self, analysis: str) -> dspy.Prediction:  # type: ignore[override]
        report = f"Report: {analysis}"
        return dspy.Prediction(report=report)

    def get_agent_name(self) -> str:
        return "reporter"


class NewAgent(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature(
            "New agent signature",
            input=dspy.InputField(desc="Input"),
            output=dspy.OutputField(desc="Output"),
        )

    def forward(self, input: str) -> dspy.Prediction:  # type: ignore[override]
        return dspy.Prediction(output=f"Processed: {input}")

    def get_agent_name(self) -> str:
        return "new_agent"


STEPS = ["data_processor", "analyzer", "reporter"]


@pytest.fixture
def orchestra_runner() -> OrchestraRunner:
    agents = {"data_processor": DataProcessor(), "analyzer": Analyzer(), "reporter": Reporter()}
    orchestra_config = {
        "name": "data_analysis_orchestra",
        "description": "Complete data analysis pipeline",
        "workflow_type": "pipeline",
        "pipeline_steps": STEPS,
    }
    return OrchestraRunner(orchestra_config, agents)


def total_runs(orchestra: OrchestraRunner) -> int:
    return sum(info["runs"] for info in orchestra.get_orchestra_status()["agents"].values())


# --------------------------------------------------------------- the example, step by step
def test_example_pipeline_report(orchestra_runner: OrchestraRunner) -> None:
    result = orchestra_runner.run_pipeline_workflow(
        input_data={"raw_data": "Sample data for analysis"}, pipeline_steps=STEPS,
    )
    assert result["status"] == "success"
    assert result["final_output"]["report"] == "Report: Analysis of: Processed: Sample data for analysis"
    assert [s["step"] for s in result["steps"]] == STEPS
    assert result["ran"] == STEPS and result["not_run"] == [] and result["errors"] == []
    assert result["duration_s"] >= 0


def test_example_run_orchestra_uses_the_configured_workflow(orchestra_runner: OrchestraRunner) -> None:
    result = orchestra_runner.run_orchestra({"raw_data": "abc"})
    assert result["workflow_type"] == "pipeline"
    assert result["final_output"] == {"report": "Report: Analysis of: Processed: abc"}


@pytest.mark.parametrize("call, missing", [
    (lambda r: r.run_broadcast_workflow(
        input_data={"data": "Data to validate"},
        target_agents=["validator_1", "validator_2", "validator_3"],
        aggregation_strategy="consensus"), ["validator_1", "validator_2", "validator_3"]),
    (lambda r: r.run_conditional_workflow(
        input_data={"type": "text", "content": "Sample text"},
        conditions=[
            {"condition": "input.type == 'text'", "agent": "text_processor"},
            {"condition": "input.type == 'image'", "agent": "image_processor"},
            {"condition": "input.type == 'data'", "agent": "data_processor"},
        ]), ["text_processor", "image_processor"]),
    (lambda r: r.run_parallel_workflow(
        input_data={"raw_data": "Data for parallel processing"},
        parallel_tasks=[
            {"agent": "data_processor", "input_key": "raw_data"},
            {"agent": "metadata_extractor", "input_key": "raw_data"},
            {"agent": "quality_checker", "input_key": "raw_data"},
        ],
        max_concurrent=3), ["metadata_extractor", "quality_checker"]),
], ids=["broadcast", "conditional", "parallel"])
def test_example_undeclared_agents_raise_before_anything_runs(
    orchestra_runner: OrchestraRunner, call: Any, missing: list[str]
) -> None:
    with pytest.raises(UnknownAgentError) as info:
        call(orchestra_runner)
    message = str(info.value)
    for agent in missing:
        assert repr(agent) in message
    assert "data_processor" in message.split("this orchestra has")[1]  # lists the known agents
    assert "add_agent" in message
    assert info.value.exit_code == 2
    assert total_runs(orchestra_runner) == 0
    assert orchestra_runner.get_orchestra_status()["completed_runs"] == 0


def test_example_add_and_remove_agent(orchestra_runner: OrchestraRunner) -> None:
    orchestra_runner.add_agent("new_agent", NewAgent())
    assert orchestra_runner.get_orchestra_status()["total_agents"] == 4
    result = orchestra_runner.run_pipeline_workflow({"input": "x"}, ["new_agent"])
    assert result["final_output"] == {"output": "Processed: x"}
    assert orchestra_runner.get_agent_status("new_agent")["runs"] == 1

    orchestra_runner.remove_agent("new_agent")
    assert "new_agent" not in orchestra_runner.get_orchestra_status()["agents"]
    with pytest.raises(UnknownAgentError, match="new_agent"):
        orchestra_runner.get_agent_status("new_agent")
    with pytest.raises(UnknownAgentError, match="new_agent"):
        orchestra_runner.run_pipeline_workflow({"input": "x"}, ["new_agent"])
    with pytest.raises(UnknownAgentError, match="new_agent"):
        orchestra_runner.remove_agent("new_agent")


def test_add_agent_refuses_duplicates_and_non_modules(orchestra_runner: OrchestraRunner) -> None:
    with pytest.raises(InvalidInputError, match="already exists"):
        orchestra_runner.add_agent("analyzer", Analyzer())
    with pytest.raises(InvalidInputError, match="dspy.Module"):
        orchestra_runner.add_agent("bad", object())
    assert orchestra_runner.get_orchestra_status()["total_agents"] == 3


def test_example_control_with_nothing_running(orchestra_runner: OrchestraRunner) -> None:
    orchestra_runner.pause_orchestra()
    assert orchestra_runner.get_orchestra_status()["status"] == "paused"
    orchestra_runner.resume_orchestra()
    assert orchestra_runner.get_orchestra_status()["status"] == "idle"
    orchestra_runner.stop_orchestra()
    assert orchestra_runner.get_orchestra_status()["status"] == "stopped"
    # a stop with nothing running does not poison the next run
    result = orchestra_runner.run_pipeline_workflow({"raw_data": "again"}, STEPS)
    assert result["status"] == "success" and result["not_run"] == []
    assert orchestra_runner.get_orchestra_status()["status"] == "idle"


def test_example_orchestra_and_agent_status(orchestra_runner: OrchestraRunner) -> None:
    status = orchestra_runner.get_orchestra_status()
    assert status["status"] == "idle" and status["active_agents"] == 0
    assert status["name"] == "data_analysis_orchestra"
    assert set(status["agents"]) == set(STEPS)
    assert all(info["runs"] == 0 for info in status["agents"].values())

    orchestra_runner.run_pipeline_workflow({"raw_data": "a"}, STEPS)
    orchestra_runner.run_pipeline_workflow({"raw_data": "b"}, ["data_processor"])
    status = orchestra_runner.get_orchestra_status()
    runs = {agent: info["runs"] for agent, info in status["agents"].items()}
    assert runs == {"data_processor": 2, "analyzer": 1, "reporter": 1}
    assert status["completed_runs"] == 2 and status["last_run_status"] == "success"

    agent_status = orchestra_runner.get_agent_status("data_processor")
    assert agent_status["runs"] == 2 and agent_status["successes"] == 2 and agent_status["failures"] == 0
    assert agent_status["status"] == "idle" and agent_status["last_status"] == "success"
    assert agent_status["input_fields"] == ["raw_data"]
    assert agent_status["output_fields"] == ["processed_data"]


def test_agent_status_counts_failures() -> None:
    orchestra = runner({"ok": fixed("yes"), "bad": failing("kaput")})
    orchestra.run_broadcast_workflow({"data": "d"}, ["ok", "bad"], "majority")
    bad = orchestra.get_agent_status("bad")
    assert (bad["runs"], bad["successes"], bad["failures"]) == (1, 0, 1)
    assert bad["last_status"] == "error" and "kaput" in bad["last_error"]["message"]


# --------------------------------------------------------------- run_orchestra and input checks
def test_run_orchestra_merges_default_input_and_picks_workflow() -> None:
    agents = {"a": fixed("A"), "b": fixed("B")}
    orchestra = runner(agents, workflow_type="broadcast", target_agents=["a", "b"],
                       aggregation_strategy="weighted", input={"data": "default"})
    result = orchestra.run_orchestra()
    assert result["workflow_type"] == "broadcast"
    assert result["final_output"] == {"answer": "A"}  # weighted tie -> the first listed agent
    assert agents["a"].calls == [{"data": "default"}]
    orchestra.run_orchestra({"data": "given"}, workflow_type="pipeline", pipeline_steps=["b"])
    assert agents["b"].calls[-1] == {"data": "given"}


def test_run_orchestra_rejects_unknown_workflow_and_missing_keys() -> None:
    orchestra = runner({"a": fixed("A")})
    with pytest.raises(InvalidInputError, match="workflow_type"):
        orchestra.run_orchestra({"data": "x"}, workflow_type="star")
    with pytest.raises(InvalidInputError, match="pipeline_steps"):
        orchestra.run_orchestra({"data": "x"})


def test_unknown_config_keys_are_rejected_with_a_hint() -> None:
    with pytest.raises(InvalidInputError, match="max_concurrent_agents"):
        OrchestraRunner({}, {}, {"max_concurent_agents": 2})
    with pytest.raises(InvalidInputError, match="error_handling"):
        runner({"a": fixed("A")}).run_pipeline_workflow({"data": "x"}, ["a"], error_handling="explode")


def test_non_positive_max_concurrent_agents_is_rejected() -> None:
    with pytest.raises(InvalidInputError, match="max_concurrent_agents"):
        OrchestraRunner({}, {}, {"max_concurrent_agents": 0})


# --------------------------------------------------------------- monitoring and logging
def run_with_monitoring(enabled: bool) -> tuple[OrchestraRunner, list[dict[str, Any]]]:
    orchestra = runner({"a": fixed("A"), "b": fixed("B", field="b_out", inputs=("answer",))},
                       {"enable_monitoring": enabled})
    seen: list[dict[str, Any]] = []
    orchestra.add_listener(seen.append)
    orchestra.run_pipeline_workflow({"data": "x"}, ["a", "b"])
    return orchestra, seen


def test_monitoring_records_events_and_notifies_listeners() -> None:
    orchestra, seen = run_with_monitoring(True)
    kinds = [e["type"] for e in seen]
    assert kinds == ["workflow_started", "step_started", "step_finished", "step_started",
                     "step_finished", "workflow_finished"]
    finished = [e for e in seen if e["type"] == "step_finished"]
    assert [(e["step"], e["status"], e["excerpt"]) for e in finished] == [("a", "success", "A"),
                                                                           ("b", "success", "B")]
    assert orchestra.get_orchestra_status()["events"] == seen


def test_monitoring_disabled_keeps_no_events() -> None:
    orchestra, seen = run_with_monitoring(False)
    assert seen == []
    assert orchestra.get_orchestra_status()["events"] == []


def test_a_broken_listener_is_logged_and_does_not_break_the_run(caplog: pytest.LogCaptureFixture) -> None:
    orchestra = runner({"a": fixed("A")})

    def broken(event: dict[str, Any]) -> None:
        raise RuntimeError("display crashed")

    orchestra.add_listener(broken)
    with caplog.at_level(logging.ERROR, logger="superoptix.orchestra"):
        result = orchestra.run_pipeline_workflow({"data": "x"}, ["a"])
    assert result["status"] == "success"
    assert any("listener failed" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("enabled", [True, False])
def test_pipeline_logging_switch(caplog: pytest.LogCaptureFixture, enabled: bool) -> None:
    orchestra = runner({"a": fixed("A"), "b": fixed("B", field="b_out", inputs=("answer",))})
    with caplog.at_level(logging.DEBUG, logger="superoptix.orchestra"):
        orchestra.run_pipeline_workflow({"data": "x"}, ["a", "b"], workflow_config={"logging": enabled})
    messages = [r.getMessage() for r in caplog.records if r.name == "superoptix.orchestra"]
    step_records = [m for m in messages if m.startswith("step ")]
    if enabled:
        assert any("step a" in m and "started" in m for m in step_records)
        assert any("step b" in m and "success" in m for m in step_records)
    else:
        assert step_records == []


# --------------------------------------------------------------- LM-backed agents
class Summarizer(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature("Summarize the text.", text=dspy.InputField(), summary=dspy.OutputField())


class Rater(SuperOptixPipeline):
    def get_signature(self) -> type[dspy.Signature]:
        return signature("Rate the summary.", summary=dspy.InputField(), rating=dspy.OutputField())


def scripted(prompt: str, fields: list[str]) -> dict[str, str]:
    if fields == ["summary"]:
        return {"summary": "short:" + prompt.split("[[ ## text ## ]]")[1].split("\n")[1]}
    return {"rating": "5 for " + prompt.split("[[ ## summary ## ]]")[1].split("\n")[1]}


def test_lm_backed_agents_share_the_given_lm() -> None:
    lm = fake_lm(scripted)
    orchestra = OrchestraRunner({"name": "lm"}, {"sum": Summarizer(), "rate": Rater()}, lm=lm)
    result = orchestra.run_pipeline_workflow({"text": "hello world"}, ["sum", "rate"])
    assert result["status"] == "success", result["errors"]
    assert result["steps"][0]["outputs"]["summary"] == "short:hello world"
    assert result["final_output"] == {"rating": "5 for short:hello world"}
    assert lm.engine.calls == 2
    assert result["steps"][0]["usage"]["total_tokens"] > 0


def test_failing_lm_errors_reach_the_result() -> None:
    lm = fake_lm(always_fail=True)
    orchestra = OrchestraRunner({"name": "lm"}, {"sum": Summarizer(), "rate": Rater()},
                                {"retry_failed_steps": True, "max_retries": 1}, lm=lm)
    result = orchestra.run_pipeline_workflow({"text": "hello"}, ["sum", "rate"],
                                             workflow_config={"error_handling": "continue"})
    assert result["status"] == "failed"
    assert [e["step"] for e in result["errors"]] == ["sum", "rate"]
    assert all("injected failure" in e["message"] and e["transient"] for e in result["errors"])
    assert [s["step_attempts"] for s in result["steps"]] == [2, 2]
    assert lm.engine.calls == lm.engine.failures == 4
    assert orchestra.get_agent_status("sum")["failures"] == 2


def test_failing_lm_in_a_broadcast_reports_every_agent() -> None:
    lm = fake_lm(always_fail=True)
    orchestra = OrchestraRunner({"name": "lm"}, {"s1": Summarizer(), "s2": Summarizer()},
                                {"retry_failed_steps": False}, lm=lm)
    result = orchestra.run_broadcast_workflow({"text": "hi"}, ["s1", "s2"], "majority")
    assert result["status"] == "failed" and result["final_output"] == {}
    assert [(e["step"], e["type"]) for e in result["errors"]] == [
        ("s1", "LMRateLimitError"), ("s2", "LMRateLimitError"), (None, "WorkflowError")]
    assert "min_responses" in result["errors"][2]["message"]
