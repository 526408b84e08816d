"""run_with_tools: the ReAct loop on a scripted fake LM (the model is fake, the loop is real)."""

from __future__ import annotations

import json
import time
from typing import Any

import dspy
import pytest
from agents_for_tests import NoSignature, TwoInputs

from superoptix.core import SuperOptixPipeline, signature
from superoptix.errors import InvalidInputError
from superoptix.examples.data_analysis import DataProcessor
from superoptix.lm.json_schema import bound_strings
from superoptix.runners import DSPyRunner
from superoptix.testing import fake_lm
from superoptix.tools import BaseTool, CalculatorTool, TextStatsTool
from superoptix.tools.step import action_schema, agent_signature


class Script:
    """Replies in order; records what each step showed the model."""

    def __init__(self, *replies: dict[str, Any]):
        self.replies = list(replies)
        self.seen: list[tuple[str, list[str]]] = []

    def __call__(self, prompt: str, fields: list[str]) -> dict[str, Any]:
        self.seen.append((prompt, fields))
        if not self.replies:
            raise AssertionError(f"the loop asked for more steps than scripted: {prompt!r}")
        return self.replies.pop(0)


def calc(expression: str) -> dict[str, Any]:
    return {"tool": "calculator", "arguments": {"expression": expression}}


def finish(**outputs: Any) -> dict[str, Any]:
    return {"tool": "finish", "arguments": outputs}


def runner_on(script: Any, agent: dspy.Module | None = None, **config: Any) -> DSPyRunner:
    runner = DSPyRunner(agent or DataProcessor(), {"retry_backoff": 0.0, **config})
    runner.use_lm(fake_lm(script))
    return runner


def test_calls_the_calculator_then_answers():
    script = Script(calc("2 + 2"), finish(processed_data="The answer is 4"))
    runner = runner_on(script)
    result = runner.run_with_tools("Calculate 2 + 2", tools=[CalculatorTool()])
    assert result["status"] == "success", result["error"]
    assert result["processed_data"] == "The answer is 4"
    assert result["outputs"] == {"processed_data": "The answer is 4"}
    assert result["tool_calls"] == 1 and result["steps"] == 2
    (entry,) = result["trajectory"]
    assert entry["tool"] == "calculator" and entry["arguments"] == {"expression": "2 + 2"}
    assert entry["observation"] == "4" and "error" not in entry and entry["duration_s"] >= 0
    assert script.seen[0][0] == "Calculate 2 + 2"
    assert script.seen[1][0] == "Result: 4"  # the observation reaches the model
    assert result["usage"]["total_tokens"] > 0 and result["attempts"] == 1
    assert result["agent"] == "data_processor" and result["tools"] == ["calculator"]
    assert runner.get_execution_stats()["total_runs"] == 1


def test_max_tool_calls_is_a_hard_cap():
    counter = {"n": 0}

    def always_calculate(prompt: str, fields: list[str]) -> dict[str, Any]:
        if fields:  # the final step asks only for the agent's outputs
            return {"processed_data": f"gave up after: {prompt.splitlines()[-1]}"}
        counter["n"] += 1
        return calc(f"{counter['n']} + 1")

    result = runner_on(always_calculate).run_with_tools("Count", tools=[CalculatorTool()], max_tool_calls=3)
    assert result["status"] == "success"
    assert result["tool_calls"] == 3 and counter["n"] == 3
    assert [e["observation"] for e in result["trajectory"]] == ["2", "3", "4"]
    assert result["steps"] == 4
    assert result["processed_data"] == "gave up after: calculator: 3 + 1 = 4"


def test_the_final_step_sees_every_result_and_only_offers_outputs():
    script = Script(calc("2 + 2"), calc("3 * 3"), {"processed_data": "4 and 9"})
    result = runner_on(script).run_with_tools("Do both", tools=[CalculatorTool()], max_tool_calls=2)
    assert result["processed_data"] == "4 and 9"
    final_prompt, final_fields = script.seen[-1]
    assert final_fields == ["processed_data"]
    assert final_prompt == "Do both\ncalculator: 2 + 2 = 4\ncalculator: 3 * 3 = 9"


def test_zero_tool_calls_answers_directly():
    script = Script({"processed_data": "no tools"})
    result = runner_on(script).run_with_tools("hi", tools=[CalculatorTool()], max_tool_calls=0)
    assert result["processed_data"] == "no tools" and result["trajectory"] == [] and result["steps"] == 1


def test_a_repeated_call_is_not_run_again_and_leads_to_the_answer():
    script = Script(calc("2 + 2"), calc("2 + 2"), {"processed_data": "4"})
    result = runner_on(script).run_with_tools("Calculate 2 + 2", tools=[CalculatorTool()])
    assert result["tool_calls"] == 1 and result["steps"] == 3
    assert result["processed_data"] == "4"


def test_tool_errors_are_observations_and_the_loop_goes_on():
    script = Script(calc("1 / 0"), calc("1 / 2"), finish(processed_data="0.5"))
    result = runner_on(script).run_with_tools("halve 1", tools=[CalculatorTool()])
    assert result["status"] == "success"
    first, second = result["trajectory"]
    assert first["error"] == "division by zero" and first["observation"] == "error: division by zero"
    assert script.seen[1][0] == "Result: error: division by zero"
    assert second["observation"] == "0.5" and "error" not in second


def test_an_lm_that_ignores_the_schema_fails_the_run_with_the_trajectory():
    script = Script(calc("2 + 2"), {"tool": "shell", "arguments": {"cmd": "rm -rf /"}})
    result = runner_on(script).run_with_tools("x", tools=[CalculatorTool()])
    assert result["status"] == "error"
    assert result["error"]["type"] == "AgentRunError" and "shell" in result["error"]["message"]
    assert result["tool_calls"] == 1 and result["trajectory"][0]["observation"] == "4"


def test_finish_outputs_must_match_the_signature():
    result = runner_on(Script(finish(wrong_field="x"))).run_with_tools("x", tools=[CalculatorTool()])
    assert result["status"] == "error" and "finish" in result["error"]["message"]


def test_typed_outputs_are_validated_and_coerced():
    class Typed(SuperOptixPipeline):
        def get_signature(self) -> type[dspy.Signature]:
            return signature("Compute.", question=dspy.InputField(), value=(int, dspy.OutputField()))

    result = runner_on(Script(calc("6 * 7"), finish(value="42")), Typed()).run_with_tools(
        "6 times 7", tools=[CalculatorTool()]
    )
    assert result["value"] == 42


def test_transient_failures_retry_the_whole_episode():
    def by_prompt(prompt: str, fields: list[str]) -> dict[str, Any]:
        return finish(processed_data="4") if prompt.startswith("Result:") else calc("2 + 2")

    runner = DSPyRunner(DataProcessor(), {"retry_backoff": 0.0, "max_retries": 6})
    runner.use_lm(fake_lm(by_prompt, fail_rate=1.0, max_consecutive_failures=1))
    result = runner.run_with_tools("Calculate 2 + 2", tools=[CalculatorTool()])
    assert result["status"] == "success" and result["attempts"] > 1
    assert result["tool_calls"] == 1 and len(result["trajectory"]) == 1  # not accumulated over attempts
    assert result["processed_data"] == "4"


def test_timeout_covers_the_tools_too():
    class Slow(BaseTool):
        name = "slow"

        def run(self, seconds: float) -> str:
            time.sleep(seconds)
            return "done"

    script = Script({"tool": "slow", "arguments": {"seconds": 1.0}}, finish(processed_data="x"))
    result = runner_on(script, timeout=0.3).run_with_tools("wait", tools=[Slow()])
    assert result["status"] == "timeout"
    assert isinstance(result["trajectory"], list)


def test_agents_without_a_signature_answer_in_answer():
    script = Script(finish(answer="Lyon, France"))
    result = runner_on(script, NoSignature()).run_with_tools("Lyon", tools=[CalculatorTool()])
    assert result["status"] == "success" and result["answer"] == "Lyon, France"


def test_several_inputs_are_all_shown():
    script = Script(finish(answer="blue"))
    result = runner_on(script, TwoInputs()).run_with_tools(
        "What color?", tools=["text_stats"], context="The sky is blue."
    )
    assert result["answer"] == "blue"
    assert script.seen[0][0] == "question: What color?\ncontext: The sky is blue."


def test_the_step_schema_ties_each_tool_to_its_own_arguments():
    tools = [CalculatorTool(), TextStatsTool()]
    sig = agent_signature(DataProcessor(), ["raw_data"])
    schema = action_schema(tools, sig)
    branches = {b["properties"]["tool"]["enum"][0]: b for b in schema["anyOf"]}
    assert list(branches) == ["calculator", "text_stats", "finish"]
    assert branches["calculator"]["properties"]["arguments"] == tools[0].arguments_schema()
    assert branches["text_stats"]["properties"]["arguments"] == tools[1].arguments_schema()
    finish_args = branches["finish"]["properties"]["arguments"]
    assert finish_args["required"] == ["processed_data"] and finish_args["additionalProperties"] is False
    assert all(b["required"] == ["tool", "arguments"] for b in branches.values())


def test_llama_cpp_compiles_the_step_schema_to_a_grammar():
    llama_grammar = pytest.importorskip("llama_cpp.llama_grammar")
    sig = agent_signature(DataProcessor(), ["raw_data"])
    schema = bound_strings(action_schema([CalculatorTool(), TextStatsTool()], sig), 600)
    grammar = llama_grammar.json_schema_to_gbnf(json.dumps(schema))
    assert '"\\"calculator\\""' in grammar and '"\\"finish\\""' in grammar
    assert "expression" in grammar and "processed_data" in grammar.replace("-", "_")


@pytest.mark.parametrize("cap", [-1, 1.5, True, "3"])
def test_bad_caps_are_refused(cap):
    with pytest.raises(InvalidInputError, match="max_tool_calls"):
        runner_on(Script()).run_with_tools("x", tools=[CalculatorTool()], max_tool_calls=cap)


def test_bad_tools_are_refused_before_running():
    with pytest.raises(InvalidInputError, match="calculater"):
        runner_on(Script()).run_with_tools("x", tools=["calculater"])
