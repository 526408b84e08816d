"""load_orchestra: a validated document, built agents, optimized programs loaded, lines kept."""

from __future__ import annotations

import textwrap
from pathlib import Path

import dspy
import pytest

from superoptix.errors import EXIT_INVALID_INPUT, ConfigError
from superoptix.orchestra.loader import LoadedOrchestra, load_orchestra

ORCHESTRA = """\
# yaml-language-server: $schema=https://superoptix.dev/schemas/orchestra.schema.json
name: loader_test
lm: local/smollm2
config: {max_concurrent_agents: 2, workflow_timeout: 30}
agents:
  extractor: {class: "orch_agents:Extractor"}
  analyzer:
    class: "orch_agents:Analyzer"
    runner: {max_retries: 0}
  answerer:
    class: "orch_agents:Answerer"
    config: {module: chain_of_thought}
  plain:
    class: "orch_agents:PlainModule"
    config: {prefix: custom}
  echo: {class: fixture_echo}
pipeline_steps: [extractor, analyzer]
input: {raw_data: "  hello  "}
"""


def write(tmp_path: Path, text: str, name: str = "orchestra.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_loads_the_document_agents_config_and_marks(tmp_path: Path) -> None:
    loaded = load_orchestra(write(tmp_path, ORCHESTRA))

    assert isinstance(loaded, LoadedOrchestra)
    assert loaded.path == (tmp_path / "orchestra.yaml").resolve()
    assert loaded.document["name"] == "loader_test"
    assert loaded.document["workflow_type"] == "pipeline"  # the default, filled in
    assert loaded.runner_config == {"max_concurrent_agents": 2, "workflow_timeout": 30}
    assert sorted(loaded.agents) == ["analyzer", "answerer", "echo", "extractor", "plain"]
    assert loaded.agent_spec("analyzer")["runner"] == {"max_retries": 0}
    assert loaded.line_of("pipeline_steps", 1) == 17
    assert loaded.line_of("agents", "answerer", "config") == 12
    assert loaded.marks.key(("agents", "plain")) is not None


def test_agents_are_built_with_their_config(tmp_path: Path) -> None:
    agents = load_orchestra(write(tmp_path, ORCHESTRA)).agents

    assert isinstance(agents["answerer"].predictor, dspy.ChainOfThought)
    assert agents["answerer"].config == {"module": "chain_of_thought"}
    assert agents["plain"].prefix == "custom"  # a plain dspy.Module gets **config
    assert agents["extractor"].config == {}


def test_loaded_agents_run(tmp_path: Path) -> None:
    loaded = load_orchestra(write(tmp_path, ORCHESTRA))
    processed = loaded.agents["extractor"](raw_data=loaded.document["input"]["raw_data"])
    analysis = loaded.agents["analyzer"](processed_data=processed.processed_data)
    assert (processed.processed_data, analysis.analysis) == ("HELLO", "5 characters")


def test_an_entry_point_agent_from_an_installed_package_loads_by_name(tmp_path: Path) -> None:
    from superoptix_fixture_plugin.agents import EchoAgent

    agent = load_orchestra(write(tmp_path, ORCHESTRA)).agents["echo"]
    assert type(agent) is EchoAgent
    assert agent(text="hi").echo == "echo: hi"


def test_every_problem_is_raised_at_once_as_a_config_error(tmp_path: Path) -> None:
    text = ORCHESTRA.replace("fixture_echo", "fixture_ecko").replace(
        "[extractor, analyzer]", "[extractor, analyser]")
    with pytest.raises(ConfigError) as caught:
        load_orchestra(write(tmp_path, text))
    error = caught.value
    assert error.exit_code == EXIT_INVALID_INPUT
    assert [(p.line, " > ".join(p.path)) for p in error.problems] == [
        (16, "agents > echo > class"), (17, "pipeline_steps > [1]"),
    ]
    assert "orchestra.yaml:16:" in str(error)


def test_without_instantiation_no_agent_is_built(tmp_path: Path) -> None:
    loaded = load_orchestra(write(tmp_path, ORCHESTRA), instantiate=False)
    assert loaded.agents == {} and loaded.document["agents"]["echo"] == {"class": "fixture_echo"}


def _optimized_orchestra(tmp_path: Path, program: str) -> Path:
    return write(tmp_path, ORCHESTRA.replace(
        "    config: {module: chain_of_thought}\n",
        f"    config: {{module: chain_of_thought}}\n    optimized: {program}\n",
    ))


def test_an_optimized_program_is_loaded_into_its_agent(tmp_path: Path) -> None:
    from orch_agents import Answerer

    from superoptix.optimization import save_program

    trained = Answerer(config={"module": "chain_of_thought"})
    demo = dspy.Example(question="2+2?", reasoning="add", answer="4").with_inputs("question")
    trained.predictor.predict.demos = [demo]
    (tmp_path / "programs").mkdir()
    save_program(trained, tmp_path / "programs" / "answerer.json", {"strategy": "manual"})

    agent = load_orchestra(_optimized_orchestra(tmp_path, "programs/answerer.json")).agents["answerer"]

    [loaded_demo] = agent.predictor.predict.demos
    assert loaded_demo["answer"] == "4" and loaded_demo["question"] == "2+2?"


def test_a_corrupt_optimized_program_is_reported_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_orchestra(_optimized_orchestra(tmp_path, "broken.json"))
    [problem] = caught.value.problems
    assert problem.path == ("agents", "answerer", "optimized")
    assert problem.line == 13
    assert "cannot load the optimized program" in problem.message
