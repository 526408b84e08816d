"""`superoptix eval` and `superoptix optimize`: exit codes, formats, output files, the YAML sections."""

from __future__ import annotations

import json
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from superoptix_cli.app import app

DATA = Path(__file__).parent / "data" / "eval"
sys.path.insert(0, str(DATA))  # the test orchestras name `eval_agents:Echo`

cli = CliRunner()


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the test orchestras and datasets, as the current directory."""
    for item in DATA.iterdir():
        if item.is_file():
            shutil.copy(item, tmp_path / item.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):  # type: ignore[no-untyped-def]
    return cli.invoke(app, list(args))


def test_eval_passes_the_gate_from_the_yaml(workdir: Path) -> None:
    result = run("eval", "echo.yaml")
    assert result.exit_code == 0, result.output
    assert "exact_match" in result.stdout and "0.750" in result.stdout and "gate passed" in result.stdout
    assert "failing examples (2)" in result.stdout


def test_min_score_fails_the_gate_with_exit_100(workdir: Path) -> None:
    result = run("eval", "echo.yaml", "--min-score", "0.8")
    assert result.exit_code == 100
    assert "gate failed" in result.stdout


def test_yaml_threshold_fails_the_gate(workdir: Path) -> None:
    text = (workdir / "echo.yaml").read_text().replace("threshold: 0.7", "threshold: 0.9")
    (workdir / "echo.yaml").write_text(text)
    assert run("eval", "echo.yaml").exit_code == 100


def test_metric_option_replaces_the_yaml_metrics_but_keeps_their_settings(workdir: Path) -> None:
    result = run("eval", "echo.yaml", "--metric", "f1", "--metric", "exact_match", "--format", "json")
    report = json.loads(result.stdout)
    assert [m["label"] for m in report["metrics"]] == ["f1", "exact_match"]
    assert report["metrics"][1]["threshold"] == 0.7


def test_json_format_prints_only_json(workdir: Path) -> None:
    result = run("eval", "echo.yaml", "--format", "json")
    report = json.loads(result.stdout)
    assert report["summary"]["scores"] == {"exact_match": 0.75, "contains": 0.5}
    assert report["gate"]["passed"] and result.exit_code == 0


def test_junit_on_stdout_and_every_output_file(workdir: Path) -> None:
    result = run("eval", "echo.yaml", "--format", "junit", "-o", "out/results.junit.xml", "-o", "r.json",
                 "-o", "r.jsonl", "-o", "r.csv")
    assert result.exit_code == 0
    suite = ET.fromstring(result.stdout).find("testsuite")
    assert suite is not None and suite.get("tests") == "4" and suite.get("failures") == "2"
    saved = ET.parse(workdir / "out" / "results.junit.xml").getroot()
    failures = saved.findall(".//failure")
    assert len(failures) == 2 and 'expected {"echo": "right"}, got {"echo": "left"}' in [
        f.get("message") for f in failures]
    assert json.loads((workdir / "r.json").read_text())["summary"]["total"] == 4
    assert len((workdir / "r.jsonl").read_text().splitlines()) == 4
    assert (workdir / "r.csv").read_text().startswith("index,status,passed,exact_match,contains,")


def test_malformed_rows_exit_2_with_file_and_line(workdir: Path) -> None:
    result = run("eval", "echo.yaml", "--dataset", "bad_rows.jsonl")
    assert result.exit_code == 2
    assert "bad_rows.jsonl:2:16" in result.stderr and "bad_rows.jsonl:3:1" in result.stderr


def test_invalid_options_exit_2_before_running(workdir: Path) -> None:
    assert run("eval", "echo.yaml", "--format", "xml").exit_code == 2
    assert run("eval", "echo.yaml", "-o", "results.txt").exit_code == 2
    unknown = run("eval", "echo.yaml", "--metric", "acuracy")
    assert unknown.exit_code == 2 and "unknown metric" in unknown.stderr
    assert run("eval", "echo.yaml", "--agent", "nobody").exit_code == 2
    assert run("eval", "echo.yaml", "--dataset", "missing.jsonl").exit_code == 2
    assert run("eval", "missing.yaml").exit_code == 2


def test_failed_examples_are_kept_and_all_failed_means_exit_1(workdir: Path) -> None:
    some = run("eval", "echo.yaml", "--dataset", "with_errors.jsonl", "--format", "json")
    report = json.loads(some.stdout)
    assert some.exit_code == 100 and report["summary"]["errors"] == 1
    assert report["results"][1]["error"]["type"] == "RuntimeError"
    everything = run("eval", "echo.yaml", "--dataset", "all_errors.jsonl")
    assert everything.exit_code == 1 and "run failed" in everything.stdout


def test_max_error_rate_turns_run_errors_into_a_run_failure(workdir: Path) -> None:
    strict = run("eval", "echo.yaml", "--dataset", "with_errors.jsonl", "--max-error-rate", "0", "--format", "json")
    report = json.loads(strict.stdout)
    assert strict.exit_code == 1 and report["gate"]["run_failed"] is True and report["gate"]["error_rate"] > 0
    lenient = run("eval", "echo.yaml", "--dataset", "with_errors.jsonl", "--max-error-rate", "0.9")
    assert lenient.exit_code == 100
    assert run("eval", "echo.yaml", "--max-error-rate", "2").exit_code == 2


def test_whole_workflow_evaluation_with_column_mapping(workdir: Path) -> None:
    result = run("eval", "workflow.yaml", "--format", "json", "--min-score", "0.6")
    report = json.loads(result.stdout)
    assert result.exit_code == 0 and report["kind"] == "orchestra"
    assert report["summary"]["scores"]["exact_match[report]"] == pytest.approx(2 / 3)
    assert report["results"][0]["inputs"] == {"raw_data": "alpha"}
    assert report["results"][0]["prediction"] == {"report": "Report: Analysis of: Processed: alpha"}
    assert run("eval", "workflow.yaml", "--min-score", "0.7").exit_code == 100


def test_optimize_saves_a_program_that_run_then_loads(workdir: Path) -> None:
    result = run("optimize", "echo.yaml", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["strategy"] == "LabeledFewShot" and report["params"] == {"k": 2}
    assert (report["score_before"], report["score_after"]) == (1.0, 1.0)
    assert report["program_path"] == str(workdir / "optimized" / "echo.json")
    assert report["optimized_entry"] == "optimized/echo.json"
    saved = json.loads((workdir / "optimized" / "echo.json").read_text())
    assert saved["metadata"]["superoptix"]["strategy"] == "LabeledFewShot"
    text = (workdir / "echo.yaml").read_text().replace(
        "    class: eval_agents:Echo\n", "    class: eval_agents:Echo\n    optimized: optimized/echo.json\n")
    (workdir / "echo.yaml").write_text(text)
    assert run("eval", "echo.yaml").exit_code == 0


def test_optimize_table_output_and_overrides(workdir: Path) -> None:
    result = run("optimize", "echo.yaml", "--agent", "echo", "--strategy", "BootstrapFewShot",
                 "-p", "max_labeled_demos=1", "--split", "0.5", "-o", "progs/e.json")
    assert result.exit_code == 0, result.output
    assert "before" in result.stdout and "after" in result.stdout
    assert "optimized: progs/e.json" in result.stdout
    assert (workdir / "progs" / "e.json").is_file()


def test_optimize_errors_exit_2(workdir: Path) -> None:
    wrong = run("optimize", "echo.yaml", "--strategy", "bootstrapfewshot")
    assert wrong.exit_code == 2 and "valid strategies" in wrong.stderr
    assert run("optimize", "echo.yaml", "-p", "nope=1").exit_code == 2
    assert run("optimize", "echo.yaml", "--agent", "nobody").exit_code == 2
    assert run("optimize", "echo.yaml", "--trainset", "bad_rows.jsonl").exit_code == 2
    assert run("optimize", "workflow.yaml").exit_code == 2  # no agent named anywhere


def test_metric_names_in_yaml_are_validated_at_load_time(workdir: Path) -> None:
    text = (workdir / "echo.yaml").read_text().replace("- name: contains", "- name: contians")
    (workdir / "echo.yaml").write_text(text)
    result = run("eval", "echo.yaml")
    assert result.exit_code == 2
    assert "echo.yaml:" in result.stderr and "contians" in result.stderr and "contains" in result.stderr
