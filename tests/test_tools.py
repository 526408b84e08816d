"""BaseTool, the built-in tools, and load_tools (built-ins, module:Class, entry points)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import dspy
import pydantic
import pytest

from superoptix.errors import InvalidInputError
from superoptix.plugins import PluginError
from superoptix.tools import (
    BUILTIN_TOOLS,
    BaseTool,
    CalculatorTool,
    DateTimeTool,
    JSONLookupTool,
    TextStatsTool,
    load_tools,
)


class Point(pydantic.BaseModel):
    x: int
    y: int


class AddTool(BaseTool):
    """Add two integers."""

    def run(self, a: int, b: int = 1) -> int:
        return a + b


class DistanceTool(BaseTool):
    name = "distance"

    def run(self, p: Point, q: Point) -> float:
        return ((p.x - q.x) ** 2 + (p.y - q.y) ** 2) ** 0.5


class SchemaTool(BaseTool):
    name = "greet"
    description = "Greet someone."
    args_schema = {
        "type": "object",
        "properties": {"who": {"type": "string", "minLength": 1}, "times": {"type": "integer"}},
        "required": ["who"],
    }

    def run(self, who: str, times: int = 1) -> str:
        return " ".join([f"hello {who}"] * times)


class Exploding(BaseTool):
    name = "exploding"

    def run(self, text: str) -> str:
        raise RuntimeError(f"boom on {text}")


def test_arguments_from_the_run_signature():
    tool = AddTool()
    assert tool.name == "AddTool" and tool.description == "Add two integers."
    schema = tool.arguments_schema()
    assert schema["required"] == ["a"]
    assert schema["properties"]["a"]["type"] == "integer"
    assert schema["additionalProperties"] is False
    assert tool.invoke({"a": 2, "b": 3}).observation == "5"
    assert tool.invoke({"a": "2"}).observation == "3"  # coerced by the argument model


def test_nested_models_are_inlined_and_validated():
    tool = DistanceTool()
    schema = tool.arguments_schema()
    assert "$defs" not in json.dumps(schema) and "$ref" not in json.dumps(schema)
    assert schema["properties"]["p"]["properties"]["x"]["type"] == "integer"
    assert tool.invoke({"p": {"x": 0, "y": 0}, "q": {"x": 3, "y": 4}}).observation == "5.0"
    bad = tool.invoke({"p": {"x": 0}, "q": {"x": 3, "y": 4}})
    assert bad.error is not None and "p.y" in bad.error


def test_arguments_from_a_json_schema():
    tool = SchemaTool()
    assert tool.arguments_schema()["properties"]["who"]["type"] == "string"
    assert tool.invoke({"who": "Ada", "times": 2}).observation == "hello Ada hello Ada"
    missing = tool.invoke({})
    assert missing.error is not None and "'who' is a required property" in missing.error
    extra = tool.invoke({"who": "Ada", "shout": True})
    assert extra.error is not None and "shout" in extra.error


def test_an_invalid_json_schema_is_refused():
    class Broken(BaseTool):
        name = "broken"
        args_schema = {"type": "object", "properties": {"x": {"type": "no-such-type"}}}

        def run(self, x: str) -> str:
            return x

    with pytest.raises(InvalidInputError, match="not a valid JSON schema"):
        Broken().arguments_schema()


def test_tool_failures_become_observations():
    outcome = Exploding().invoke({"text": "hi"})
    assert outcome.error == "RuntimeError: boom on hi"
    assert outcome.observation == "error: RuntimeError: boom on hi"
    assert outcome.duration_s >= 0
    not_a_mapping = Exploding().invoke(["hi"])  # type: ignore[arg-type]
    assert not_a_mapping.error is not None and "must be an object" in not_a_mapping.error


def test_long_observations_are_truncated():
    class Big(BaseTool):
        name = "big"
        max_observation_chars = 50

        def run(self) -> str:
            return "x" * 500

    observation = Big().invoke({}).observation
    assert observation.startswith("x" * 50) and "truncated, 500 chars" in observation


@pytest.mark.parametrize("name", ["finish", "has space", "1abc", ""])
def test_bad_tool_names_are_refused(name):
    with pytest.raises(InvalidInputError, match="must be an identifier"):
        CalculatorTool(name=name or "-")


def test_a_tool_must_define_run():
    class NoRun(BaseTool):
        name = "norun"

    with pytest.raises(TypeError, match="must define run"):
        NoRun()


def test_to_dspy_tool():
    tool = CalculatorTool().to_dspy_tool()
    assert isinstance(tool, dspy.Tool)
    assert tool.name == "calculator" and "arithmetic" in tool.desc
    assert tool.args["expression"]["type"] == "string"
    assert tool(expression="6 * 7") == "42"
    assert tool(expression="1/0") == "error: division by zero"


def test_datetime_tool():
    before = datetime.now(timezone.utc).date()
    result = DateTimeTool().run()
    assert result["timezone"] == "UTC" and result["date"] in {
        before.isoformat(), datetime.now(timezone.utc).date().isoformat()
    }
    paris = DateTimeTool().run("Europe/Paris")
    assert paris["iso"].endswith(("+01:00", "+02:00"))
    bad = DateTimeTool().invoke({"timezone": "Mars/Olympus"})
    assert bad.error is not None and "unknown time zone" in bad.error


@pytest.mark.parametrize(
    ("path", "expected"),
    [("$.items[0].name", "a"), ("items.1.name", "b"), ("$.items[-1].tags[1]", "z"),
     ('$["odd key"]', 3), ("$", None), ("meta.count", 2)],
)
def test_json_lookup(path, expected):
    data = json.dumps({"items": [{"name": "a"}, {"name": "b", "tags": ["y", "z"]}],
                       "odd key": 3, "meta": {"count": 2}})
    value = JSONLookupTool().run(data, path)
    if path == "$":
        assert value == json.loads(data)
    else:
        assert value == expected


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [('{"a": 1}', "b", "has no key 'b'"), ('{"a": [1]}', "a[3]", "no index 3"),
     ('{"a": 1}', "a.b", "is a int"), ("{not json", "a", "not valid JSON"), ('{"a": 1}', "a[", "bad path")],
)
def test_json_lookup_errors(data, path, message):
    outcome = JSONLookupTool().invoke({"data": data, "path": path})
    assert outcome.error is not None and message in outcome.error


def test_text_stats():
    stats = TextStatsTool().run("The cat sat. The cat ran!\nA dog barked?")
    assert stats["words"] == 9 and stats["sentences"] == 3 and stats["lines"] == 2
    assert stats["top_words"][0] == ["the", 2] or stats["top_words"][0] == ["cat", 2]
    assert TextStatsTool().run("")["words"] == 0


def test_load_builtins_by_name_and_with_config():
    tools = load_tools(["calculator", {"name": "text_stats"}, {"name": "calculator", "config": {"name": "calc2"}}])
    assert [t.name for t in tools] == ["calculator", "text_stats", "calc2"]
    assert set(BUILTIN_TOOLS) >= {"calculator", "current_datetime", "json_lookup", "text_stats"}


def test_load_by_module_reference():
    (tool,) = load_tools([f"{__name__}:AddTool"])
    assert isinstance(tool, AddTool)


def test_load_by_entry_point_from_a_third_party_package():
    (tool,) = load_tools(["fixture_reverse"])
    assert type(tool).__module__ == "superoptix_fixture_plugin.tools"
    assert tool.invoke({"text": "abc"}).observation == "cba"


def test_instances_pass_through():
    calc = CalculatorTool()
    assert load_tools([calc])[0] is calc


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        (["calculater"], "did you mean the built-in 'calculator'"),
        (["no_such_tool"], "neither 'package.module:Name' nor an entry point"),
        (["json:loads"], "not a superoptix.tools.BaseTool subclass"),
        (["nope.nothing:Tool"], "cannot import module"),
        ([{"config": {}}], "missing key 'name'"),
        ([{"name": "calculator", "cfg": {}}], "unknown key 'cfg'"),
        ([{"name": "calculator", "config": {"bogus": 1}}], "cannot build 'calculator'"),
        ([{"name": "calculator", "config": "x"}], "config a mapping"),
        ([42], "expected a tool name"),
        (["calculator", "calculator"], "two tools are named 'calculator'"),
        ("calculator", "expected a list"),
    ],
)
def test_bad_specs_raise_clear_errors(specs, message):
    with pytest.raises(InvalidInputError) as info:
        load_tools(specs)
    assert message in str(info.value)


def test_unresolvable_references_are_plugin_errors():
    with pytest.raises(PluginError, match=r"tools > 0"):
        load_tools(["no_such_tool"])


def test_a_tool_without_docstring_does_not_inherit_base_documentation():
    class Plain(BaseTool):
        name = "plain"

        def run(self) -> str:
            return "ok"

    assert Plain().description == ""
    assert Plain(description="Does plain things.").description == "Does plain things."
