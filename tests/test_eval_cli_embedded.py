"""`superoptix optimize` then `eval` on the real embedded model; the orchestra loads the saved program."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from superoptix.orchestra.runner import OrchestraRunner
from superoptix_cli.app import app

pytestmark = pytest.mark.embedded

DATA = Path(__file__).parent / "data" / "eval"
sys.path.insert(0, str(DATA))


def test_optimize_then_eval_with_the_optimized_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("capitals.yaml", "capitals_train.jsonl", "capitals_val.jsonl"):
        shutil.copy(DATA / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    cli = CliRunner()
    optimized = cli.invoke(app, ["optimize", "capitals.yaml", "--format", "json"])
    assert optimized.exit_code == 0, optimized.output
    result = json.loads(optimized.stdout)
    assert (result["train_size"], result["val_size"], result["lm_calls"]) == (4, 2, 4)
    assert result["optimized_entry"] == "optimized/capital.json"
    text = (tmp_path / "capitals.yaml").read_text().replace(
        "    class: eval_agents:Capital\n", "    class: eval_agents:Capital\n    optimized: optimized/capital.json\n")
    (tmp_path / "capitals.yaml").write_text(text)
    agent = OrchestraRunner.from_file(tmp_path / "capitals.yaml").runner_for("capital").agent
    assert len(agent.predictor.demos) == 3
    evaluated = cli.invoke(app, ["eval", "capitals.yaml", "--format", "json", "-o", "results.junit.xml"])
    report = json.loads(evaluated.stdout)
    assert evaluated.exit_code == 0 and report["summary"]["total"] == 2
    assert report["summary"]["scores"]["contains"] == pytest.approx(result["score_after"])
    assert (tmp_path / "results.junit.xml").is_file()
