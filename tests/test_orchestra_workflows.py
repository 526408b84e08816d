"""Pipeline and conditional workflows: data passing, error handling, validation, CEL conditions."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from test_orchestra_support import FnAgent, failing, fixed, flaky, runner, statuses

from superoptix.errors import InvalidInputError, UnknownAgentError
from superoptix.orchestra.conditions import ConditionError


def recorder(order: list[str], name: str, inputs: list[str], outputs: list[str]) -> FnAgent:
    """Appends its name to `order` and answers `name(<inputs joined>)` in every output."""
    lock = threading.Lock()

    def behaviour(**values: Any) -> dict[str, Any]:
        with lock:
            order.append(name)
        text = f"{name}(" + ",".join(str(values.get(i)) for i in inputs) + ")"
        return {out: text for out in outputs}

    return FnAgent(inputs, outputs, behaviour, name=name)


# --------------------------------------------------------------- pipeline
def test_pipeline_runs_steps_in_order_feeding_outputs_forward() -> None:
    order: list[str] = []
    agents = {"c": recorder(order, "c", ["y"], ["z"]), "a": recorder(order, "a", ["x"], ["w"]),
              "b": recorder(order, "b", ["w"], ["y"])}
    result = runner(agents).run_pipeline_workflow({"x": "in"}, ["a", "b", "c"])
    assert order == ["a", "b", "c"]
    assert result["final_output"] == {"z": "c(b(a(in)))"}
    assert result["data"]["w"] == "a(in)"


def test_explicit_data_passing_takes_fields_by_name_from_any_earlier_step() -> None:
    order: list[str] = []
    agents = {"a": recorder(order, "a", ["x"], ["w"]), "b": recorder(order, "b", ["w"], ["y"]),
              "c": recorder(order, "c", ["x", "w"], ["z"])}
    result = runner(agents).run_pipeline_workflow(
        {"x": "in"}, ["a", "b", "c"], workflow_config={"data_passing": "explicit"})
    assert result["status"] == "success"
    assert result["final_output"] == {"z": "c(in,a(in))"}


def test_explicit_missing_field_fails_the_step_naming_the_field() -> None:
    order: list[str] = []
    agents = {"a": recorder(order, "a", ["x"], ["w"]), "b": recorder(order, "b", ["unrelated"], ["y"])}
    result = runner(agents).run_pipeline_workflow(
        {"x": "in"}, ["a", "b"], workflow_config={"data_passing": "explicit", "validation": True})
    assert result["status"] == "failed"
    assert statuses(result) == {"a": "success", "b": "error"}
    assert order == ["a"]  # b was never called
    (error,) = result["errors"]
    assert error["step"] == "b" and "unrelated" in error["message"]


def test_automatic_data_passing_bridges_unrelated_field_names() -> None:
    order: list[str] = []
    agents = {"a": recorder(order, "a", ["x"], ["alpha"]), "b": recorder(order, "b", ["beta"], ["gamma"])}
    explicit = runner(agents).run_pipeline_workflow(
        {"x": "in"}, ["a", "b"], workflow_config={"data_passing": "explicit"})
    assert explicit["status"] == "failed"
    result = runner(agents).run_pipeline_workflow(
        {"x": "in"}, ["a", "b"], workflow_config={"data_passing": "automatic"})
    assert result["status"] == "success"
    assert result["final_output"] == {"gamma": "b(a(in))"}


def test_automatic_passes_several_outputs_whole_as_json() -> None:
    agents = {"a": FnAgent(["x"], ["p", "q"], lambda x: {"p": x + "1", "q": x + "2"}),
              "b": FnAgent(["blob"], ["out"], lambda blob: {"out": blob})}
    result = runner(agents).run_pipeline_workflow({"x": "v"}, ["a", "b"])
    assert json.loads(result["final_output"]["out"]) == {"p": "v1", "q": "v2"}


def three_steps() -> dict[str, FnAgent]:
    return {"a": fixed("A"), "bad": failing("step exploded", inputs=("answer",)),
            "c": fixed("C", field="final", inputs=("answer",))}


def test_error_handling_continue_runs_later_steps() -> None:
    agents = three_steps()
    result = runner(agents).run_pipeline_workflow(
        {"data": "x"}, ["a", "bad", "c"], workflow_config={"error_handling": "continue"})
    assert result["status"] == "failed"
    assert statuses(result) == {"a": "success", "bad": "error", "c": "success"}
    assert result["ran"] == ["a", "bad", "c"] and result["not_run"] == []
    assert [(e["step"], e["type"]) for e in result["errors"]] == [("bad", "ValueError")]
    assert "step exploded" in result["errors"][0]["message"]
    assert agents["c"].calls == [{"answer": "A"}]


def test_error_handling_stop_leaves_later_steps_not_run() -> None:
    agents = three_steps()
    result = runner(agents).run_pipeline_workflow(
        {"data": "x"}, ["a", "bad", "c"], workflow_config={"error_handling": "stop"})
    assert result["status"] == "failed"
    assert statuses(result) == {"a": "success", "bad": "error", "c": "not_run"}
    assert result["not_run"] == ["c"] and agents["c"].calls == []
    assert "error_handling: stop" in result["steps"][2]["reason"]


def test_error_handling_retry_reruns_up_to_max_retries_then_stops() -> None:
    agents = three_steps()
    result = runner(agents, {"max_retries": 2}).run_pipeline_workflow(
        {"data": "x"}, ["a", "bad", "c"], workflow_config={"error_handling": "retry"})
    assert len(agents["bad"].calls) == 3
    assert result["steps"][1]["step_attempts"] == 3
    assert len(result["steps"][1]["previous_errors"]) == 2
    assert statuses(result)["c"] == "not_run" and agents["c"].calls == []


def test_error_handling_retry_recovers_a_flaky_step() -> None:
    agents = {"a": flaky(1), "c": fixed("C", field="final", inputs=("answer",))}
    result = runner(agents, {"max_retries": 2}).run_pipeline_workflow(
        {"data": "x"}, ["a", "c"], workflow_config={"error_handling": "retry"})
    assert result["status"] == "success"
    assert result["steps"][0]["step_attempts"] == 2
    assert result["final_output"] == {"final": "C"}


@pytest.mark.parametrize("validation, expected", [(True, "error"), (False, "success")])
def test_validation_checks_declared_outputs(validation: bool, expected: str) -> None:
    agents = {"a": FnAgent(["data"], ["answer"], lambda data: {"other": data})}
    result = runner(agents).run_pipeline_workflow(
        {"data": "x"}, ["a"], workflow_config={"validation": validation})
    assert result["steps"][0]["status"] == expected
    if validation:
        assert result["errors"][0]["type"] == "OutputValidationError"
        assert "answer" in result["errors"][0]["message"]


def test_an_agent_listed_twice_gets_numbered_step_labels() -> None:
    agents = {"up": FnAgent(["text"], ["shout"], lambda text: {"shout": text + "!"})}
    result = runner(agents).run_pipeline_workflow({"text": "hi"}, ["up", "up"])
    assert [s["step"] for s in result["steps"]] == ["up#1", "up#2"]
    assert result["final_output"] == {"shout": "hi!"} and len(agents["up"].calls) == 2


# --------------------------------------------------------------- conditional
def kinds() -> dict[str, FnAgent]:
    return {name: fixed(name, inputs=("content",)) for name in
            ("text_processor", "image_processor", "data_processor", "fallback")}


SPEC_CONDITIONS = [
    {"condition": "input.type == 'text'", "agent": "text_processor"},
    {"condition": "input.type == 'image'", "agent": "image_processor"},
    {"condition": "input.type == 'data'", "agent": "data_processor"},
]


def called(agents: dict[str, FnAgent]) -> list[str]:
    return [name for name, agent in agents.items() if agent.calls]


def test_spec_conditions_pick_the_text_processor() -> None:
    agents = kinds()
    result = runner(agents).run_conditional_workflow({"type": "text", "content": "Sample text"}, SPEC_CONDITIONS)
    assert result["status"] == "success" and result["selected_agent"] == "text_processor"
    assert result["matched_condition"] == "input.type == 'text'" and result["used_default"] is False
    assert result["final_output"] == {"answer": "text_processor"}
    assert called(agents) == ["text_processor"]
    assert agents["text_processor"].calls == [{"content": "Sample text"}]


def test_first_matching_condition_wins() -> None:
    agents = kinds()
    conditions = [{"condition": "input.size > 10", "agent": "data_processor"},
                  {"condition": "input.size > 1", "agent": "image_processor"},
                  {"condition": "true", "agent": "text_processor"}]
    result = runner(agents).run_conditional_workflow({"size": 5, "content": "c"}, conditions)
    assert result["selected_agent"] == "image_processor" and called(agents) == ["image_processor"]


def test_fallback_use_default_runs_the_default_agent() -> None:
    agents = kinds()
    result = runner(agents).run_conditional_workflow(
        {"type": "audio", "content": "c"}, SPEC_CONDITIONS,
        workflow_config={"default_agent": "fallback", "fallback_strategy": "use_default"})
    assert result["status"] == "success" and result["selected_agent"] == "fallback"
    assert result["used_default"] is True and called(agents) == ["fallback"]


def test_fallback_skip_runs_nothing_and_succeeds() -> None:
    agents = kinds()
    result = runner(agents).run_conditional_workflow(
        {"type": "audio", "content": "c"}, SPEC_CONDITIONS,
        workflow_config={"default_agent": "fallback", "fallback_strategy": "skip"})
    assert result["status"] == "success" and result["steps"] == [] and result["skipped"] is True
    assert called(agents) == []


@pytest.mark.parametrize("workflow_config", [
    {"default_agent": "fallback", "fallback_strategy": "fail"},
    {"fallback_strategy": "use_default"},  # use_default without a default agent
])
def test_fallback_fail_reports_no_match(workflow_config: dict[str, Any]) -> None:
    agents = kinds()
    result = runner(agents).run_conditional_workflow({"type": "audio", "content": "c"}, SPEC_CONDITIONS,
                                                     workflow_config=workflow_config)
    assert result["status"] == "failed" and called(agents) == []
    assert any("no condition matched" in e["message"] for e in result["errors"])


def test_unknown_default_agent_is_refused() -> None:
    with pytest.raises(UnknownAgentError, match="ghost"):
        runner(kinds()).run_conditional_workflow({"type": "text"}, SPEC_CONDITIONS,
                                                 workflow_config={"default_agent": "ghost"})


def test_strict_evaluation_fails_on_a_missing_field_naming_the_expression() -> None:
    agents = kinds()
    result = runner(agents).run_conditional_workflow(
        {"content": "no type here"}, SPEC_CONDITIONS,
        workflow_config={"condition_evaluation": "strict", "default_agent": "fallback"})
    assert result["status"] == "failed" and called(agents) == []
    assert "input.type == 'text'" in result["errors"][0]["message"]
    assert "type" in result["condition_errors"][0]["message"]


def test_fuzzy_evaluation_treats_errors_as_no_match_and_records_them() -> None:
    agents = kinds()
    conditions = [{"condition": "input.kind == 'x'", "agent": "data_processor"},
                  {"condition": "has(input.type) && input.type == 'text'", "agent": "text_processor"}]
    result = runner(agents).run_conditional_workflow(
        {"type": "text", "content": "c"}, conditions, workflow_config={"condition_evaluation": "fuzzy"})
    assert result["status"] == "success" and result["selected_agent"] == "text_processor"
    assert [e["condition"] for e in result["condition_errors"]] == ["input.kind == 'x'"]
    assert "kind" in result["condition_errors"][0]["message"]

    fallback = runner(agents).run_conditional_workflow(
        {"content": "c"}, SPEC_CONDITIONS,
        workflow_config={"condition_evaluation": "fuzzy", "default_agent": "fallback"})
    assert fallback["selected_agent"] == "fallback" and len(fallback["condition_errors"]) == 3


@pytest.mark.parametrize("source", ["input.type = 'text'", "input.type == 'text' and true", "import os",
                                    "os.system('x')", "", "undefined_var == 1"])
def test_invalid_cel_raises_before_any_agent_runs(source: str) -> None:
    agents = kinds()
    conditions = [{"condition": "true", "agent": "fallback"}, {"condition": source, "agent": "text_processor"}]
    with pytest.raises(ConditionError) as info:
        runner(agents).run_conditional_workflow({"type": "text"}, conditions)
    assert isinstance(info.value, InvalidInputError)
    assert called(agents) == []
    with pytest.raises(ConditionError):
        runner(kinds(), workflow_type="conditional", conditions=conditions)


@pytest.mark.parametrize("source", ["__import__('os').system('x')", "exec('print(1)')"])
def test_python_injection_is_rejected_as_invalid_cel(source: str) -> None:
    agents = kinds()
    conditions = [{"condition": source, "agent": "text_processor"}]
    with pytest.raises(ConditionError, match="not valid CEL|unknown function"):
        runner(agents).run_conditional_workflow(
            {"type": "text"}, conditions,
            workflow_config={"condition_evaluation": "fuzzy", "default_agent": "fallback"})
    assert called(agents) == []
