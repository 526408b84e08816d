"""run_with_tools on the real embedded model (SmolLM2-135M through llama.cpp). No fakes here."""

from __future__ import annotations

import pytest

from superoptix.examples.data_analysis import DataProcessor
from superoptix.runners import DSPyRunner
from superoptix.tools import CalculatorTool, ToolError
from superoptix.tools.calculator import evaluate

pytestmark = pytest.mark.embedded



def evaluates_to(expression: object, expected: float) -> bool:
    try:
        return evaluate(str(expression)) == expected
    except ToolError:
        return False


def test_seed_calculates_2_plus_2():
    runner = DSPyRunner(DataProcessor(), {"lm": {"cache": False}, "timeout": 240})
    result = runner.run_with_tools("Calculate 2 + 2", tools=[CalculatorTool()])
    assert result["status"] == "success", result["error"]
    calls = [e for e in result["trajectory"] if e["tool"] == "calculator"]
    assert any(evaluates_to(e["arguments"].get("expression"), 4) and e["observation"] == "4" for e in calls), calls
    assert "4" in str(result["processed_data"])
    assert result["tool_calls"] <= 5 and result["steps"] <= 6
    assert result["usage"]["completion_tokens"] > 0


def test_the_cap_holds_on_the_real_model():
    runner = DSPyRunner(DataProcessor(), {"lm": {"cache": False}, "timeout": 240})
    result = runner.run_with_tools("Compute 3 * 3 * 3", tools=[CalculatorTool()], max_tool_calls=1)
    assert result["status"] == "success", result["error"]
    assert result["tool_calls"] <= 1 and result["steps"] <= 2
    assert isinstance(result["processed_data"], str)
