"""The orchestra JSON Schema: found installed or in the repo, valid draft 2020-12, strict."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from superoptix.errors import InvalidInputError
from superoptix.orchestra.schema import load_schema, schema_names
from superoptix_cli.app import app

REPO = Path(__file__).resolve().parents[1]
SCHEMA_ID = "https://superoptix.dev/schemas/orchestra.schema.json"


def test_the_schema_is_draft_2020_12_with_an_id() -> None:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID
    assert "orchestra" in schema_names()


def test_load_schema_returns_a_private_copy() -> None:
    load_schema()["properties"].clear()
    assert "agents" in load_schema()["properties"]


def test_an_unknown_schema_name_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="available: orchestra"):
        load_schema("nope")


def test_schema_command_prints_the_schema_as_json() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == load_schema()


AGENTS = {"a": {"class": "m:A"}, "b": {"class": "m:B"}}


def errors(document: dict[str, Any]) -> list[str]:
    validator = Draft202012Validator(load_schema())
    return sorted(".".join(map(str, e.absolute_path)) or e.validator for e in validator.iter_errors(document))


def doc(**extra: Any) -> dict[str, Any]:
    return {"name": "t", "agents": AGENTS, "pipeline_steps": ["a"], **extra}


@pytest.mark.parametrize("document", [
    doc(),
    doc(lm="openai/gpt-4o-mini"),
    doc(lm={"model": "local/smollm2", "adapter": "json", "n_threads": None, "extra": {"x": 1}}),
    doc(workflow_config={"resource_limits": {"cpu": 0.5, "memory": "1GB"}}),
    doc(workflow_config={"resource_limits": {"memory": "512 MiB"}}),
    doc(workflow_config={"resource_limits": {"memory": 1073741824}}),
    doc(workflow_config={"timeout": None, "weights": {"a": 1.5}, "vote_field": "answer"}),
    doc(agents={"a": {"class": "fixture_echo", "tools": ["calculator", {"name": "x", "config": {}}],
                      "memory": {"enabled": True, "max_chars": 100}, "runner": {"timeout": None}}}),
    doc(evaluation={"metrics": ["f1", {"name": "exact_match", "threshold": 0.5}]}),
    doc(optimization={"metric": {"name": "f1"}, "split": 0.2}),
    {"name": "t", "agents": AGENTS, "workflow_type": "broadcast", "target_agents": ["a", "b"]},
    {"name": "t", "agents": AGENTS, "workflow_type": "conditional",
     "conditions": [{"condition": "true", "agent": "a"}]},
    {"name": "t", "agents": AGENTS, "workflow_type": "parallel", "parallel_tasks": [{"agent": "a"}]},
], ids=lambda d: json.dumps(d)[:60])
def test_valid_documents(document: dict[str, Any]) -> None:
    assert errors(document) == []


@pytest.mark.parametrize(("document", "where"), [
    ({"name": "t", "agents": AGENTS}, "required"),  # pipeline (the default) needs its steps
    ({"name": "t", "agents": AGENTS, "workflow_type": "broadcast"}, "required"),
    ({"name": "t", "agents": AGENTS, "workflow_type": "parallel", "pipeline_steps": ["a"]},
     "required"),
    (doc(lm={"api_key": "sk-x"}), "lm"),
    (doc(lm=""), "lm"),
    (doc(workflow_config={"resource_limits": {"memory": "a lot"}}), "workflow_config.resource_limits.memory"),
    (doc(workflow_config={"synchronization": "eventually"}), "workflow_config.synchronization"),
    (doc(workflow_config={"condition_evaluation": "loose"}), "workflow_config.condition_evaluation"),
    (doc(workflow_config={"fallback_strategy": "panic"}), "workflow_config.fallback_strategy"),
    (doc(workflow_config={"data_passing": "magic"}), "workflow_config.data_passing"),
    (doc(config={"max_concurrent_agents": 0}), "config.max_concurrent_agents"),
    (doc(config={"workflow_timout": 5}), "config"),
    (doc(agents={}), "agents"),
    (doc(agents={"a": {"class": "m:A", "runner": {"retries": 1}}}), "agents.a.runner"),
    (doc(agents={"a": {"class": "m:A", "memory": {"max_items": 0}}}), "agents.a.memory.max_items"),
    (doc(agents={"a": {"class": "not a reference"}}), "agents.a.class"),
    (doc(evaluation={"dataset": "x", "metric": "f1"}), "evaluation"),
    (doc(optimization={"split": 0}), "optimization.split"),
    (doc(target_agents=["a", "a"]), "target_agents"),
], ids=lambda v: json.dumps(v)[:60] if isinstance(v, dict) else v)
def test_invalid_documents(document: dict[str, Any], where: str) -> None:
    assert where in errors(document)


def test_the_wheel_ships_the_schema_and_an_installed_copy_finds_it(tmp_path: Path) -> None:
    """A non-editable install has no repository next to it: the packaged copy must be used."""
    build = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path / "dist")],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert build.returncode == 0, build.stderr
    [wheel] = (tmp_path / "dist").glob("*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        assert "superoptix/_schemas/orchestra.schema.json" in archive.namelist()
        archive.extractall(site)
    probe = ("import json; from superoptix.orchestra import schema as s; "
             "print(json.dumps([str(s.REPO_SCHEMAS), s.load_schema()['$id']]))")
    # -S: no site-packages, so the editable install of the repository is not visible
    run = subprocess.run([sys.executable, "-S", "-c", probe], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60, env={"PYTHONPATH": str(site)})
    assert run.returncode == 0, run.stderr
    repo_dir, schema_id = json.loads(run.stdout)
    assert not Path(repo_dir).exists() and schema_id == SCHEMA_ID
