"""Agents that declare `tools:` and `memory:` in orchestra YAML use them when the orchestra runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from superoptix.memory import AgentMemory
from superoptix.runners import OrchestraRunner
from superoptix.testing import fake_lm


def write(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "orchestra.yaml"
    path.write_text(
        "name: helpers\nagents:\n  solver:\n    class: agents_for_tests:QA\n" + extra
        + "pipeline_steps: [solver]\n", encoding="utf-8")
    return path


class Script:
    def __init__(self, *replies: dict[str, Any]):
        self.replies = list(replies)
        self.prompts: list[str] = []

    def __call__(self, prompt: str, fields: list[str]) -> dict[str, Any]:
        self.prompts.append(prompt)
        return self.replies.pop(0)


def test_yaml_tools_run_the_tool_loop(tmp_path):
    script = Script({"tool": "calculator", "arguments": {"expression": "6 * 7"}},
                    {"tool": "finish", "arguments": {"answer": "42"}},
                    {"answer": "42"})
    runner = OrchestraRunner.from_file(write(tmp_path, "    tools: [calculator]\n"), lm=fake_lm(script))
    result = runner.run_orchestra({"question": "What is 6 times 7?"})
    step = result["steps"][0]
    assert result["status"] == "success", result["errors"]
    assert step["trajectory"][0]["tool"] == "calculator" and step["trajectory"][0]["observation"] == "42"
    assert result["final_output"]["answer"] == "42"
    assert runner.get_agent_status("solver")["tools"] == ["calculator"]


def test_yaml_memory_is_used_and_written(tmp_path):
    memory_file = tmp_path / "mem.sqlite3"
    AgentMemory("solver", path=memory_file).remember("The secret word is tulip42.")
    seen: list[str] = []

    def responder(prompt: str, fields: list[str]) -> dict[str, Any]:
        seen.append(prompt)
        return {"answer": "tulip42"}

    extra = f"    memory: {{path: {memory_file}, max_items: 3}}\n"
    runner = OrchestraRunner.from_file(write(tmp_path, extra), lm=fake_lm(responder))
    result = runner.run_orchestra({"question": "What is the secret word?"})
    assert result["status"] == "success", result["errors"]
    assert "tulip42" in seen[0]
    assert [m["text"] for m in result["steps"][0]["memory"]["used"]] == ["The secret word is tulip42."]
    assert AgentMemory("solver", path=memory_file).count(kind="interaction") == 1


def test_an_agent_with_tools_and_memory_uses_both(tmp_path):
    memory_file = tmp_path / "mem.sqlite3"
    AgentMemory("solver", path=memory_file).remember("Multiply by seven when asked about the magic number.")
    script = Script({"tool": "calculator", "arguments": {"expression": "6 * 7"}},
                    {"tool": "finish", "arguments": {"answer": "42"}},
                    {"answer": "42"})
    extra = f"    tools: [calculator]\n    memory: {{path: {memory_file}}}\n"
    runner = OrchestraRunner.from_file(write(tmp_path, extra), lm=fake_lm(script))
    result = runner.run_orchestra({"question": "What is the magic number times 6?"})
    step = result["steps"][0]
    assert result["status"] == "success", result["errors"]
    assert step["trajectory"][0]["observation"] == "42"
    assert "Multiply by seven" in script.prompts[0]
    assert step["memory"]["injected_as"] == "query" and step["memory"]["stored_id"] is not None
    assert AgentMemory("solver", path=memory_file).count(kind="interaction") == 1
