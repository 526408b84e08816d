"""AgentMemory: persistence, isolation, ranking, bounds, concurrency; run_with_memory on a fake LM."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest
from agents_for_tests import QA, TwoInputs

from superoptix.errors import InvalidInputError
from superoptix.memory import DATA_DIR_ENV, AgentMemory, data_dir
from superoptix.memory.integration import PREAMBLE
from superoptix.runners import DSPyRunner
from superoptix.testing import fake_lm


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "mem" / "memory.sqlite3"


def test_remember_recall_forget_clear(db):
    memory = AgentMemory("assistant", path=db)
    paris = memory.remember("The user lives in Paris.")
    cat = memory.remember("The user's cat is called Miso.")
    memory.remember("The user prefers tea over coffee.")
    found = memory.recall("Where does the user live? Paris?", k=2)
    assert found[0].id == paris and found[0].kind == "fact"
    assert [m.id for m in memory.recall("what is the cat called", k=5)] == [cat]
    assert memory.recall("quantum chromodynamics") == []
    assert memory.forget(paris) is True and memory.forget(paris) is False
    assert memory.count() == 2
    assert memory.clear() == 2 and memory.count() == 0


def test_relevance_beats_recency_and_recency_breaks_ties(db):
    memory = AgentMemory("a", path=db)
    old = memory.remember("Deploys happen on Friday; deploy checklist in the wiki.")
    memory.remember("Lunch is at noon.")
    new = memory.remember("Deploy freeze next week.")
    ranked = memory.recall("deploy checklist", k=3)
    assert ranked[0].id == old  # matches both words
    tied = memory.recall("deploy", k=3)
    assert [m.id for m in tied][:2] == [new, old]  # same relevance: the newer first


def test_interactions_are_stored_and_recalled(db):
    memory = AgentMemory("a", path=db)
    first = memory.add_interaction("What is the capital of Japan?", {"answer": "Tokyo"})
    memory.add_interaction("Name a red fruit", "apple")
    (item,) = memory.recall("capital of Japan", k=1)
    assert item.id == first and item.query == "What is the capital of Japan?"
    assert item.output == {"answer": "Tokyo"} and "Tokyo" in item.text
    assert [m.output for m in memory.interactions()] == ["apple", {"answer": "Tokyo"}]
    assert memory.count("interaction") == 2 and memory.count("fact") == 0


def test_one_agent_never_sees_another(db):
    alice, bob = AgentMemory("alice", path=db), AgentMemory("bob", path=db)
    secret = alice.remember("alice's password hint is blue whale")
    bob.remember("bob likes the blue sea")
    assert [m.text for m in bob.recall("password hint blue whale")] == ["bob likes the blue sea"]
    assert bob.forget(secret) is False  # an id of another agent is not this agent's to delete
    assert bob.clear() == 1
    assert alice.count() == 1 and alice.recall("password")[0].id == secret


def test_persists_across_processes(db):
    AgentMemory("agent", path=db).remember("written by the parent process")
    child = textwrap.dedent(
        f"""
        from superoptix.memory import AgentMemory
        m = AgentMemory("agent", path={str(db)!r})
        print("|".join(i.text for i in m.recall("parent process", k=5)))
        m.remember("written by the child process")
        """
    )
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "written by the parent process"
    reopened = AgentMemory("agent", path=db)
    assert {m.text for m in reopened.recent(10)} == {
        "written by the parent process", "written by the child process"
    }


def test_concurrent_writers_lose_nothing(db):
    writes = 100
    child = textwrap.dedent(
        f"""
        import sys
        from superoptix.memory import AgentMemory
        m = AgentMemory("shared", path={str(db)!r})
        for i in range({writes}):
            m.remember(f"process {{sys.argv[1]}} fact {{i}}")
        """
    )
    AgentMemory("shared", path=db)  # create the file and schema once, up front
    procs = [subprocess.Popen([sys.executable, "-c", child, str(p)]) for p in range(3)]
    memory = AgentMemory("shared", path=db)
    errors: list[BaseException] = []

    def thread_writer(t: int) -> None:
        try:
            for i in range(writes):
                memory.remember(f"thread {t} fact {i}")
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=thread_writer, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    assert errors == []
    texts = [m.text for m in memory.recent(10_000)]
    assert len(texts) == len(set(texts)) == (3 + 4) * writes


def test_files_are_private(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    memory = AgentMemory("a")
    memory.remember("private")
    assert memory.path == tmp_path / "data" / "memory.sqlite3"
    assert stat.S_IMODE(os.stat(memory.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(memory.path.parent).st_mode) == 0o700
    for suffix in ("-wal", "-shm"):
        side = Path(str(memory.path) + suffix)
        if side.exists():
            assert stat.S_IMODE(os.stat(side).st_mode) & 0o077 == 0


def test_data_dir_resolution(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "env"))
    assert data_dir() == tmp_path / "env"
    assert data_dir(tmp_path / "configured") == tmp_path / "configured"
    monkeypatch.delenv(DATA_DIR_ENV)
    assert data_dir() == Path(".superoptix")
    memory = AgentMemory("a", data_dir=tmp_path / "runner")
    assert memory.path == tmp_path / "runner" / "memory.sqlite3"


def test_in_memory_option_writes_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    memory = AgentMemory("a", in_memory=True)
    memory.remember("ephemeral fact")
    assert memory.path is None and memory.recall("ephemeral")[0].text == "ephemeral fact"
    assert not (tmp_path / "data").exists()
    assert AgentMemory("a", in_memory=True).count() == 0  # not shared with other instances


def test_context_window_is_bounded_by_items_and_chars(db):
    memory = AgentMemory("a", path=db, max_items=3, max_chars=120)
    for i in range(6):
        memory.remember(f"note {i}: the project codename is Falcon {i}")
    context = memory.context("project codename")
    assert len(context.items) <= 3 and len(context.text) <= 120
    assert context.text.count("\n") == len(context.items) - 1
    wide = AgentMemory("a", path=db, max_items=10, max_chars=10_000).context("codename")
    assert len(wide.items) == 6
    huge = AgentMemory("b", path=db, max_chars=100)
    huge.remember("codename " + "x" * 1000)
    (item,) = huge.context("codename").items
    assert len(huge.context("codename").text) <= 100 and item.text.startswith("codename")


def test_context_fills_free_slots_with_recent_interactions(db):
    memory = AgentMemory("a", path=db, max_items=2)
    memory.add_interaction("hello there", "hi!")
    context = memory.context("totally unrelated words")
    assert [m.kind for m in context.items] == ["interaction"] and "hello there" in context.text


def test_from_config(tmp_path):
    memory = AgentMemory.from_config("a", {"path": "mem/agent.db", "max_items": 2}, base_dir=tmp_path)
    assert memory is not None and memory.path == tmp_path / "mem" / "agent.db" and memory.max_items == 2
    assert AgentMemory.from_config("a", {"enabled": False}) is None
    assert AgentMemory.from_config("a", None) is None
    assert AgentMemory.from_config("a", {"in_memory": True}).path is None  # type: ignore[union-attr]
    with pytest.raises(InvalidInputError, match="unknown key 'max_item'"):
        AgentMemory.from_config("a", {"max_item": 2})
    with pytest.raises(InvalidInputError, match="max_chars must be a positive integer"):
        AgentMemory.from_config("a", {"in_memory": True, "max_chars": 0})
    with pytest.raises(InvalidInputError, match="either path or in_memory"):
        AgentMemory.from_config("a", {"in_memory": True, "path": "x.db"}, base_dir=tmp_path)


@pytest.mark.parametrize("bad", ["", "   ", None])
def test_bad_agent_ids_and_texts(db, bad):
    with pytest.raises(InvalidInputError):
        AgentMemory(bad, path=db)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        AgentMemory("a", path=db).remember(bad)  # type: ignore[arg-type]


# ----------------------------------------------------------------- run_with_memory (fake LM)
class Recorder:
    def __init__(self, answer: str):
        self.answer = answer
        self.prompts: list[str] = []

    def __call__(self, prompt: str, fields: list[str]) -> dict[str, Any]:
        self.prompts.append(prompt)
        return {name: self.answer for name in fields}


def test_memories_are_prepended_to_the_query_when_there_is_no_context_input(db):
    memory = AgentMemory("qa", path=db)
    fact = memory.remember("The office wifi password is tulip42.")
    recorder = Recorder("tulip42")
    runner = DSPyRunner(QA())
    runner.use_lm(fake_lm(recorder))
    result = runner.run_with_memory("What is the wifi password?", memory)
    assert result["status"] == "success" and result["answer"] == "tulip42"
    assert result["memory"]["injected_as"] == "query"
    assert [u["id"] for u in result["memory"]["used"]] == [fact]
    expected = f"{PREAMBLE}\n- The office wifi password is tulip42.\n\nWhat is the wifi password?"
    assert result["inputs"]["question"] == expected
    assert "tulip42" in recorder.prompts[0]
    stored = memory.interactions()[0]
    assert stored.id == result["memory"]["stored_id"] and stored.query == "What is the wifi password?"
    assert stored.output == {"answer": "tulip42"}


def test_memories_go_to_a_context_input_when_the_signature_has_one(db):
    memory = AgentMemory("qa2", path=db)
    memory.remember("Bob's birthday is 3 March.")
    runner = DSPyRunner(TwoInputs())
    runner.use_lm(fake_lm(Recorder("3 March")))
    result = runner.run_with_memory("When is Bob's birthday?", memory)
    assert result["memory"]["injected_as"] == "context"
    assert result["inputs"] == {"question": "When is Bob's birthday?", "context": "- Bob's birthday is 3 March."}


def test_the_second_run_remembers_the_first(db):
    memory = AgentMemory("qa3", path=db)
    runner = DSPyRunner(QA())
    runner.use_lm(fake_lm(Recorder("Saturn has rings")))
    first = runner.run_with_memory("Which planet has rings?", memory)
    assert first["memory"]["used"] == [] and first["inputs"]["question"] == "Which planet has rings?"
    second = runner.run_with_memory("Tell me about planet rings again", memory)
    assert [u["id"] for u in second["memory"]["used"]] == [first["memory"]["stored_id"]]


def test_include_context_false_and_failed_runs(db):
    memory = AgentMemory("qa4", path=db)
    memory.remember("irrelevant? no: rings rings rings")
    runner = DSPyRunner(QA(), {"max_retries": 0})
    runner.use_lm(fake_lm(Recorder("x"), always_fail=True, error=RuntimeError))
    result = runner.run_with_memory("rings", memory, include_context=False)
    assert result["status"] == "error" and result["memory"]["used"] == []
    assert result["memory"]["stored_id"] is None and memory.count("interaction") == 0


def test_run_with_memory_needs_an_agent_memory():
    from superoptix.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="AgentMemory"):
        DSPyRunner(QA()).run_with_memory("x", {"not": "memory"})  # type: ignore[arg-type]


def test_files_use_write_ahead_logging(db):
    import sqlite3

    AgentMemory("a", path=db).remember("x")
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_for_runner_uses_the_agent_name_and_the_runner_data_dir(tmp_path):
    runner = DSPyRunner(QA(), {"data_dir": str(tmp_path / "runner-data")})
    memory = AgentMemory.for_runner(runner)
    assert memory.agent_id == runner.agent_name
    assert memory.path == tmp_path / "runner-data" / "memory.sqlite3"
    assert AgentMemory.for_runner(runner, in_memory=True).path is None


def test_facts_stay_recallable_behind_many_interactions(tmp_path):
    from superoptix.memory.agent_memory import MAX_CANDIDATES

    memory = AgentMemory("busy", path=tmp_path / "busy.sqlite3")
    memory.remember("The deploy password rotation happens on Fridays")
    for i in range(MAX_CANDIDATES + 10):
        memory.add_interaction(f"small talk {i}", {"answer": "ok"})
    [top] = memory.recall("password rotation", 1)
    assert top.text == "The deploy password rotation happens on Fridays"
