"""Validation of orchestra files: valid spec fragments pass, problems are collected and located."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from superoptix.orchestra.validation import validate_file, validate_text
from superoptix.orchestra.yaml_marks import Position, parse_yaml
from superoptix_cli.app import app

runner = CliRunner()

AGENTS = """
name: spec_fragments
agents:
  data_processor: {class: "orch_agents:Extractor"}
  analyzer: {class: "orch_agents:Analyzer"}
  reporter: {class: "orch_agents:Reporter"}
  validator_1: {class: fixture_echo}
  validator_2: {class: fixture_echo}
  validator_3: {class: fixture_echo}
  text_processor: {class: fixture_echo}
  image_processor: {class: fixture_echo}
  metadata_extractor: {class: "orch_agents:PlainModule"}
  quality_checker: {class: fixture_echo}
"""

# The four workflow snippets of the runners spec, verbatim.
SPEC_SNIPPETS = {
    "pipeline": '''
workflow_type: "pipeline"
pipeline_steps:
  - "data_processor"
  - "analyzer"
  - "reporter"
''',
    "broadcast": '''
workflow_type: "broadcast"
target_agents:
  - "validator_1"
  - "validator_2"
  - "validator_3"
aggregation_strategy: "consensus"
''',
    "conditional": '''
workflow_type: "conditional"
conditions:
  - condition: "input.type == 'text'"
    agent: "text_processor"
  - condition: "input.type == 'image'"
    agent: "image_processor"
  - condition: "input.type == 'data'"
    agent: "data_processor"
''',
    "parallel": '''
workflow_type: "parallel"
parallel_tasks:
  - agent: "data_processor"
    input_key: "raw_data"
  - agent: "metadata_extractor"
    input_key: "raw_data"
  - agent: "quality_checker"
    input_key: "raw_data"
max_concurrent: 3
''',
}

# The spec's per-workflow configuration dictionaries, as workflow_config sections.
SPEC_WORKFLOW_CONFIGS = {
    "pipeline": "{error_handling: continue, data_passing: automatic, validation: true, logging: true}",
    "broadcast": "{aggregation_strategy: consensus, timeout: 60, min_responses: 2}",
    "conditional": "{default_agent: analyzer, condition_evaluation: strict, "
                   "fallback_strategy: use_default}",
    "parallel": "{max_concurrent: 4, resource_limits: {cpu: 0.5, memory: 1GB}, "
                "synchronization: barrier}",
}


@pytest.mark.parametrize("kind", sorted(SPEC_SNIPPETS))
def test_each_spec_snippet_is_a_valid_fragment(kind: str) -> None:
    result = validate_text(AGENTS + SPEC_SNIPPETS[kind])
    assert result.problems == []
    assert set(result.agents) >= {"data_processor", "validator_1", "metadata_extractor"}


@pytest.mark.parametrize("kind", sorted(SPEC_SNIPPETS))
def test_each_spec_workflow_config_is_valid(kind: str) -> None:
    text = AGENTS + SPEC_SNIPPETS[kind] + f"workflow_config: {SPEC_WORKFLOW_CONFIGS[kind]}\n"
    assert validate_text(text).problems == []


FULL = """\
# yaml-language-server: $schema=https://superoptix.dev/schemas/orchestra.schema.json
name: qa_orchestra
description: every section of the format at once
lm: {model: local/smollm2, temperature: 0.0, max_tokens: 256}
config: {max_concurrent_agents: 4, workflow_timeout: 300, enable_monitoring: true,
         retry_failed_steps: true, max_retries: 3, aggregation_timeout: 60}
agents:
  answerer:
    class: "orch_agents:Answerer"
    config: {module: chain_of_thought}
    lm: {model: openai/gpt-4o-mini, api_key_env: OPENAI_API_KEY, adapter: chat}
    optimized: programs/answerer.json
    tools: [calculator, {name: calculator, config: {}}]
    memory: {enabled: true, in_memory: true, max_items: 5, max_chars: 2000}
    runner: {max_retries: 2, timeout: 60, enable_tracing: false}
  echo: {class: fixture_echo, lm: local/smollm2}
workflow_type: pipeline
pipeline_steps: [answerer, echo]
target_agents: [answerer, echo]
aggregation_strategy: weighted
conditions: [{condition: "has(input.question) && input.question != ''", agent: answerer}]
parallel_tasks: [{agent: echo, input_key: text}, {agent: answerer}]
max_concurrent: 2
workflow_config:
  error_handling: retry
  weights: {answerer: 2, echo: 0.5}
  vote_field: answer
  min_responses: 2
  resource_limits: {memory: 536870912}
input: {question: "What is 2 + 2?"}
evaluation:
  dataset: data/qa.jsonl
  agent: answerer
  columns: {question: q, answer: expected_answer}
  metrics:
    - exact_match
    - {name: exact_match, threshold: 0.8, field: answer, config: {}}
  min_score: 0.7
  num_threads: 4
optimization:
  agent: answerer
  trainset: data/qa.jsonl
  split: 0.25
  strategy: BootstrapFewShot
  metric: {name: exact_match, config: {}}
  params: {max_bootstrapped_demos: 4}
  output: programs/answerer.json
  seed: 7
"""


def write_full(tmp_path: Path) -> Path:
    (tmp_path / "programs").mkdir()
    (tmp_path / "programs" / "answerer.json").write_text("{}", encoding="utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "qa.jsonl").write_text('{"q": "a", "expected_answer": "b"}\n')
    path = tmp_path / "qa.yaml"
    path.write_text(FULL, encoding="utf-8")
    return path


def test_a_file_using_every_section_is_valid(tmp_path: Path) -> None:
    assert validate_file(write_full(tmp_path)) == []


def test_relative_paths_are_resolved_against_the_file_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_full(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert validate_file(path) == []
    (tmp_path / "data" / "qa.jsonl").unlink()
    problems = validate_file(path)
    assert {(p.line, p.path) for p in problems} == {
        (32, ("evaluation", "dataset")), (42, ("optimization", "trainset")),
    }


def test_all_problems_of_a_file_are_reported_together_in_line_order() -> None:
    text = textwrap.dedent("""\
        name: many
        lm: {model: local/smollm2, api_key: sk-1}
        agents:
          a: {class: "orch_agents:Extractor", clas: x}
          b: {class: fixture_not_an_agent}
        workflow_type: conditional
        conditions:
          - {condition: "input.kind = 'x'", agent: a}
          - {condition: "input.kind == 'y'", agent: c}
        workflow_config: {fallback_strategy: guess, default_agent: a}
        """)
    problems = validate_text(text, file="many.yaml").problems
    located = [(p.line, " > ".join(p.path)) for p in problems]
    assert located == [
        (2, "lm > api_key"),
        (4, "agents > a > clas"),
        (5, "agents > b > class"),
        (8, "conditions > [0] > condition"),
        (9, "conditions > [1] > agent"),
        (10, "workflow_config > fallback_strategy"),
    ]
    assert all(p.file == "many.yaml" and p.hint for p in problems if p.line != 10)


def test_a_condition_missing_field_is_not_a_validation_error() -> None:
    """Fields of `input` are only known at run time; the spec's conditions compile as written."""
    text = AGENTS + SPEC_SNIPPETS["conditional"].replace("input.type", "input.kind.sub")
    assert validate_text(text).problems == []


EXPLICIT = AGENTS + """
pipeline_steps: [data_processor, analyzer, reporter]
workflow_config: {data_passing: explicit}
"""


def test_explicit_data_passing_accepts_fields_from_earlier_steps_and_declared_input() -> None:
    text = EXPLICIT + "input: {raw_data: x, audience: managers}\n"
    assert validate_text(text).problems == []


def test_explicit_data_passing_names_every_missing_field() -> None:
    text = AGENTS + """
pipeline_steps: [data_processor, reporter]
workflow_config: {data_passing: explicit}
"""
    [problem] = validate_text(text).problems
    assert problem.path == ("pipeline_steps", "[1]")
    assert "'analysis', 'audience'" in problem.message
    assert "available at this step: processed_data" in (problem.hint or "")


def test_automatic_data_passing_is_not_checked_for_fields() -> None:
    assert validate_text(EXPLICIT.replace("explicit", "automatic")).problems == []


def test_an_agent_without_declared_outputs_stops_the_field_check() -> None:
    text = AGENTS + """
pipeline_steps: [metadata_extractor, reporter]
workflow_config: {data_passing: explicit}
"""
    assert validate_text(text).problems == []


def test_without_instantiation_no_agent_is_built_and_data_flow_is_not_checked() -> None:
    result = validate_text(EXPLICIT, instantiate=False)
    assert result.problems == [] and result.agents == {}
    assert [p.path for p in validate_text(EXPLICIT).problems] == [("pipeline_steps", "[2]")]


def test_workflow_type_defaults_to_pipeline_which_needs_steps() -> None:
    [problem] = validate_text(AGENTS).problems
    assert problem.path == ("pipeline_steps",)
    assert "missing required key 'pipeline_steps'" in problem.message


def test_an_empty_file_is_a_problem() -> None:
    [problem] = validate_text("# only a comment\n", file="empty.yaml").problems
    assert problem.message == "the file is empty" and problem.line == 1


def test_a_missing_file_is_a_problem(tmp_path: Path) -> None:
    [problem] = validate_file(tmp_path / "nope.yaml")
    assert problem.message == "file not found"


# ------------------------------------------------------------------ YAML marks


def test_marks_locate_keys_values_and_list_items() -> None:
    parsed = parse_yaml("a:\n  b: 1\n  c:\n    - x\n    - {d: 2}\n")
    marks = parsed.marks
    assert marks.locate(("a", "b")) == Position(2, 6)
    assert marks.locate(("a", "c")) == Position(3, 3)
    assert marks.locate(("a", "c", 1, "d")) == Position(5, 11)
    assert marks.key(("a", "c", 1, "d")) == Position(5, 8)
    assert marks.locate(("a", "c", 1, "nothing", "deeper")) == Position(5, 7)
    assert marks.line(()) == 1


def test_duplicate_keys_are_problems_even_nested() -> None:
    parsed = parse_yaml("x:\n  y: 1\n  z: 2\n  y: 3\n")
    [problem] = parsed.problems
    assert (problem.line, problem.column, problem.path) == (4, 3, ("x", "y"))
    assert "first defined at line 2" in problem.message


def test_anchors_merges_and_recursive_aliases_are_handled() -> None:
    merged = parse_yaml("base: &b {k: 1}\nother:\n  <<: *b\n  j: 2\n")
    assert merged.problems == [] and merged.data["other"] == {"k": 1, "j": 2}
    recursive = parse_yaml("a: &x\n  - *x\n")
    assert recursive.problems == []


def test_yaml_is_never_constructed_unsafely() -> None:
    parsed = parse_yaml("x: !!python/object/apply:os.system ['echo hi']\n")
    [problem] = parsed.problems
    assert parsed.data is None and problem.line == 1


# ------------------------------------------------------------------ CLI


def test_validate_cli_reports_ok_and_exit_0_for_valid_files(tmp_path: Path) -> None:
    path = write_full(tmp_path)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"OK {path}"


def test_validate_cli_checks_every_file_and_fails_if_any_is_broken(tmp_path: Path) -> None:
    good = write_full(tmp_path)
    bad = Path(__file__).parent / "broken" / "bad_enum_workflow_type.yaml"
    result = runner.invoke(app, ["validate", "--format", "json", str(good), str(bad)])
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert [(f["file"], f["ok"]) for f in report["files"]] == [(str(good), True), (str(bad), False)]


def test_validate_cli_missing_file_and_bad_format_exit_2(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "file not found" in missing.stderr
    bad_format = runner.invoke(app, ["validate", "--format", "xml", str(tmp_path)])
    assert bad_format.exit_code == 2 and "--format" in bad_format.stderr
