"""CalculatorTool: correct arithmetic, and hostile input refused quickly with a clear message."""

from __future__ import annotations

import math
import time

import pytest

from superoptix.tools import CalculatorTool, ToolError
from superoptix.tools.calculator import MAX_DEPTH, MAX_INPUT_CHARS, evaluate


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("2 + 2", 4), ("2+3*4", 14), ("(2 + 3) * 4", 20), ("7 / 2", 3.5), ("7 // 2", 3),
        ("-7 // 2", -4), ("7 % 3", 1), ("-7 % 3", 2), ("2 ** 10", 1024), ("2 ** 3 ** 2", 512),
        ("-2 ** 2", -4), ("(-2) ** 2", 4), ("2 ** -1", 0.5), ("--3", 3), ("+-+3", -3),
        ("1.5e3 + .5", 1500.5), ("sqrt(16) * (3 - 1)", 8.0), ("abs(-3)", 3), ("max(1, 9, 4)", 9),
        ("min(2, -1)", -1), ("round(2.567, 2)", 2.57), ("floor(2.7) + ceil(2.1)", 5),
        ("log(8, 2)", 3.0), ("log10(1000)", 3.0), ("factorial(5)", 120), ("hypot(3, 4)", 5.0),
        ("2 * pi", 2 * math.pi), ("e", math.e), ("  12 *   7 ", 84), ("10 - 2 - 3", 5),
        ("100 / 10 / 5", 2.0), ("2 ** 0.5", math.sqrt(2)),
    ],
)
def test_valid_expressions(expression, expected):
    value = evaluate(expression)
    assert value == pytest.approx(expected)
    assert type(value) is type(expected) or isinstance(expected, float)


def test_tool_formats_results():
    tool = CalculatorTool()
    assert tool.run("2 + 2") == "4"
    assert tool.run("7 / 2") == "3.5"
    assert tool.run("4 / 2") == "2"
    assert tool.invoke({"expression": "1 / 3"}).observation == repr(1 / 3)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("__import__('os').system('echo pwned')", "unexpected character"),
        ("().__class__.__bases__", "unexpected character"),
        ("()", "expected a number"),
        ("open('/etc/passwd')", "unexpected character"),
        ("lambda: 1", "unexpected character"),
        ("[1] * 10", "unexpected character"),
        ("x = 1", "unexpected character"),
        ("1 if 1 else 2", "unexpected"),
        ("eval('1')", "unexpected character"),
        ("os.system", "unexpected character"),
        ("exec", "unknown name 'exec'"),
        ("print(1)", "unknown function 'print'"),
        ("sqrt", "it is a function"),
        ("2 +", "found end of input"),
        ("(1 + 2", "expected ')'"),
        ("1 2", "unexpected '2'"),
        ("", "empty expression"),
        ("1 / 0", "division by zero"),
        ("5 // 0", "division by zero"),
        ("5 % 0.0", "division by zero"),
        ("sqrt(-1)", "math domain error"),
        ("(-8) ** (1/3)", "math"),
        ("log(0)", "math domain error"),
        ("max()", "expected a number"),
        ("round(1, 2, 3)", "takes 1..2 arguments"),
    ],
)
def test_bad_input_is_refused_clearly(expression, message):
    with pytest.raises(ToolError, match=None) as info:
        evaluate(expression)
    assert message in str(info.value)


@pytest.mark.parametrize(
    "expression",
    [
        "9**9**9", "10**10**10", "2**100000", "(2**5000) * (2**5000) * (2**5000)",
        "99999999999 ** 99999999999", "factorial(100000)", "factorial(1000) * factorial(1000)",
        "exp(1000)", "1.0000001 ** 1e308", "1e308 * 10", "10.0 ** 400", "2 ** 2 ** 2 ** 2 ** 2 ** 2",
        "floor(1e308) * floor(1e308) * floor(1e308) * floor(1e308) * floor(1e308) * floor(1e308)"
        " * floor(1e308) * floor(1e308) * floor(1e308) * floor(1e308) * floor(1e308)",
        "round(7, -100000000)", "round(2 ** 9000, -100000000)", "1e309",
    ],
)
def test_huge_results_fail_fast(expression):
    start = time.perf_counter()
    with pytest.raises(ToolError, match="too large|not a finite|range error|limited to|math"):
        evaluate(expression)
    assert time.perf_counter() - start < 0.5


def test_large_but_bounded_results_are_computed():
    assert evaluate("2 ** 9000") == 2**9000
    assert evaluate("factorial(1000)") == math.factorial(1000)


@pytest.mark.parametrize(
    "expression",
    [
        "(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1),
        "-" * (MAX_DEPTH + 5) + "1",
        "sqrt(" * (MAX_DEPTH + 1) + "4" + ")" * (MAX_DEPTH + 1),
        "2 ** " * (MAX_DEPTH + 2) + "1",
    ],
)
def test_deep_nesting_is_refused(expression):
    start = time.perf_counter()
    with pytest.raises(ToolError, match="nested too deeply"):
        evaluate(expression)
    assert time.perf_counter() - start < 0.5


def test_nesting_within_the_limit_works():
    depth = MAX_DEPTH // 2
    assert evaluate("(" * depth + "1 + 1" + ")" * depth) == 2


@pytest.mark.parametrize("size", [MAX_INPUT_CHARS + 1, 10**6])
def test_huge_input_is_refused_before_parsing(size):
    start = time.perf_counter()
    with pytest.raises(ToolError, match="expression too long"):
        evaluate("1+" * (size // 2) + "1")
    assert time.perf_counter() - start < 0.5


def test_non_string_is_refused_by_the_tool_schema():
    outcome = CalculatorTool().invoke({"expression": ["2 + 2"]})
    assert outcome.error is not None and "expression" in outcome.error
    assert outcome.observation.startswith("error:")


def test_errors_become_observations_not_exceptions():
    outcome = CalculatorTool().invoke({"expression": "__import__('os')"})
    assert outcome.error is not None
    assert outcome.observation == f"error: {outcome.error}"
