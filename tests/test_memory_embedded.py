"""run_with_memory on the real embedded model, end to end. No fakes here."""

from __future__ import annotations

import pytest
from agents_for_tests import QA, TwoInputs

from superoptix.memory import AgentMemory
from superoptix.runners import DSPyRunner

pytestmark = pytest.mark.embedded


@pytest.mark.parametrize(("agent", "injected_as"), [(QA, "query"), (TwoInputs, "context")])
def test_memory_reaches_the_model_and_the_interaction_is_kept(tmp_path, agent, injected_as):
    memory = AgentMemory("assistant", path=tmp_path / "memory.sqlite3")
    fact = memory.remember("The office wifi password is tulip42.")
    memory.remember("Lunch is served at noon.")
    runner = DSPyRunner(agent(), {"lm": {"cache": False}, "timeout": 240})

    first = runner.run_with_memory("What is the office wifi password?", memory)
    assert first["status"] == "success", first["error"]
    assert first["memory"]["injected_as"] == injected_as
    assert first["memory"]["used"][0]["id"] == fact
    assert "tulip42" in str(first["answer"]).lower()
    assert first["memory"]["stored_id"] is not None

    reopened = AgentMemory("assistant", path=tmp_path / "memory.sqlite3")
    second = runner.run_with_memory("Repeat the office wifi password", reopened)
    assert second["status"] == "success", second["error"]
    used = {u["id"] for u in second["memory"]["used"]}
    assert {fact, first["memory"]["stored_id"]} <= used
    assert reopened.count("interaction") == 2
