"""`superoptix run` through typer's CliRunner: output, JSON mode, exit codes, the run log."""

from __future__ import annotations

import json
import sqlite3
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from superoptix.runlog import db_path
from superoptix_cli.app import app

ROOT = Path(__file__).resolve().parents[1]
DATA_ANALYSIS = str(ROOT / "orchestras" / "data_analysis.yaml")
cli = CliRunner()


def write(tmp_path: Path, body: str) -> str:
    path = tmp_path / "orchestra.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return str(path)


def test_run_shows_the_status_table_and_final_output():
    result = cli.invoke(app, ["run", DATA_ANALYSIS])
    assert result.exit_code == 0, result.output
    assert "data_processor" in result.output and "success" in result.output
    assert "Report: Analysis of: Processed: Sample data for analysis" in result.output


def test_json_format_prints_only_json_and_inputs_override_defaults():
    result = cli.invoke(app, ["run", DATA_ANALYSIS, "--format", "json", "-i", "raw_data=numbers 1 2 3"])
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["status"] == "success"
    assert payload["final_output"] == {"report": "Report: Analysis of: Processed: numbers 1 2 3"}
    assert [s["step"] for s in payload["steps"]] == ["data_processor", "analyzer", "reporter"]


def test_output_file_and_run_log(tmp_path):
    out = tmp_path / "result.json"
    result = cli.invoke(app, ["run", DATA_ANALYSIS, "--input", '{"raw_data": "x"}', "-o", str(out)])
    assert result.exit_code == 0
    assert json.loads(out.read_text())["final_output"]["report"] == "Report: Analysis of: Processed: x"
    with sqlite3.connect(db_path()) as conn:
        rows = conn.execute("SELECT command, status, source FROM runs").fetchall()
    assert rows == [("run", "success", DATA_ANALYSIS)]
    assert oct(db_path().stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("args, message", [
    (["--input", "{not json"], "not valid JSON"),
    (["--input", "[1, 2]"], "expected a JSON object"),
    (["-i", "novalue"], "expected key=value"),
    (["--format", "xml"], "--format"),
])
def test_bad_cli_input_exits_2_without_a_traceback(args, message):
    result = cli.invoke(app, ["run", DATA_ANALYSIS, *args])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_invalid_file_exits_2_with_location(tmp_path):
    path = write(tmp_path, """\
        name: broken
        agents:
          a:
            class: agents_for_tests:Upper
        pipeline_steps: [a, b]
        """)
    result = cli.invoke(app, ["run", path])
    assert result.exit_code == 2
    assert "orchestra.yaml:5" in result.output and "pipeline_steps > [1]" in result.output


def test_a_failed_workflow_exits_1_and_says_why(tmp_path):
    path = write(tmp_path, """\
        name: failing
        agents:
          ok: {class: "agents_for_tests:Upper"}
          bad: {class: "agents_for_tests:AlwaysFails"}
        pipeline_steps: [ok, bad]
        workflow_config: {data_passing: automatic}
        input: {text: hello}
        """)
    result = cli.invoke(app, ["run", path, "--format", "json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["status"] == "failed"
    assert payload["errors"][0]["message"] == "this agent always fails"


def test_ctrl_c_exits_130(tmp_path):
    path = write(tmp_path, """\
        name: interrupted
        agents:
          a: {class: "agents_for_tests:Interrupts"}
        pipeline_steps: [a]
        input: {text: hello}
        """)
    result = cli.invoke(app, ["run", path])
    assert result.exit_code == 130


@pytest.mark.embedded
def test_pipeline_orchestra_end_to_end_on_the_embedded_model():
    result = cli.invoke(app, ["run", str(ROOT / "orchestras" / "text_insights.yaml"), "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [s["status"] for s in payload["steps"]] == ["success", "success"]
    assert payload["steps"][0]["summary"].strip() and payload["final_output"]["title"].strip()
    assert payload["steps"][1]["inputs"] == {"summary": payload["steps"][0]["summary"]}


@pytest.mark.embedded
def test_broadcast_orchestra_votes_on_the_embedded_model():
    result = cli.invoke(app, ["run", str(ROOT / "orchestras" / "answer_vote.yaml"), "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["aggregation"]["responses"] >= 2
    assert "paris" in payload["final_output"]["answer"].lower()


def test_agent_modules_next_to_the_orchestra_file_are_importable(tmp_path):
    (tmp_path / "local_agents_mod.py").write_text(textwrap.dedent("""\
        import dspy
        from superoptix.core import SuperOptixPipeline

        class Shout(SuperOptixPipeline):
            def forward(self, text: str) -> dspy.Prediction:
                return dspy.Prediction(shout=text.upper() + "!")
        """), encoding="utf-8")
    path = write(tmp_path, """\
        name: local
        agents:
          shout: {class: "local_agents_mod:Shout"}
        pipeline_steps: [shout]
        input: {text: hey}
        """)
    result = cli.invoke(app, ["run", path, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["final_output"] == {"shout": "HEY!"}


def test_logs_lists_the_logged_runs():
    assert cli.invoke(app, ["run", DATA_ANALYSIS, "-i", "raw_data=first"]).exit_code == 0
    assert cli.invoke(app, ["run", DATA_ANALYSIS, "-i", "raw_data=second"]).exit_code == 0
    result = cli.invoke(app, ["logs", "--format", "json", "--full"])
    assert result.exit_code == 0
    runs = json.loads(result.stdout)
    assert [r["input"]["raw_data"] for r in runs] == ["second", "first"]
    assert runs[0]["result"]["final_output"]["report"] == "Report: Analysis of: Processed: second"
    assert cli.invoke(app, ["logs", "-n", "0"]).exit_code == 2
    table = cli.invoke(app, ["logs"])
    assert table.exit_code == 0 and "data_analysis" in table.output


def test_status_board_follows_the_events():
    from rich.console import Console

    from superoptix_cli.live import StatusBoard

    board = StatusBoard("demo", [("a", "a"), ("b", "b")])
    board.on_event({"type": "workflow_started"})
    board.on_event({"type": "step_started", "step": "a", "agent": "a", "attempt": 1})
    board.on_event({"type": "step_finished", "step": "a", "agent": "a", "attempt": 2, "status": "success",
                    "duration_s": 0.5, "excerpt": "hello there"})
    console = Console(width=100, record=True)
    console.print(board)
    text = console.export_text()
    assert "demo — running" in text and "hello there" in text and "0.50s" in text and "pending" in text
    board.finish({"status": "stopped", "not_run": ["b"]})
    console.print(board)
    text = console.export_text()
    assert "not_run" in text and "demo — stopped" in text


def test_ctrl_c_keeps_the_steps_that_ran(tmp_path):
    path = write(tmp_path, """\
        name: interrupted-midway
        agents:
          first: {class: "agents_for_tests:Upper"}
          second: {class: "agents_for_tests:InterruptsCaller"}
          third: {class: "agents_for_tests:Upper"}
        pipeline_steps: [first, second, third]
        workflow_config: {data_passing: automatic}
        input: {text: hello}
        """)
    out = tmp_path / "partial.json"
    result = cli.invoke(app, ["run", path, "--format", "json", "-o", str(out)])
    assert result.exit_code == 130
    payload = json.loads(out.read_text())
    assert payload["status"] == "stopped" and payload["interrupted"] is True
    assert payload["ran"] == ["first", "second"] and payload["not_run"] == ["third"]
    assert payload["steps"][1]["outputs"] == {"text": "hello (finished)"}


def test_unwritable_outputs_are_refused_before_running(tmp_path):
    result = cli.invoke(app, ["run", DATA_ANALYSIS, "-o", str(tmp_path)])
    assert result.exit_code == 2 and "is a directory" in result.output


def test_a_broken_run_log_warns_but_keeps_the_exit_code(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("SUPEROPTIX_DATA_DIR", str(blocker))
    result = cli.invoke(app, ["run", DATA_ANALYSIS, "--format", "json"])
    assert result.exit_code == 0 and "not logged" in result.stderr
    assert json.loads(result.stdout)["status"] == "success"


def test_pipeline_logging_goes_to_stderr_only_when_enabled(tmp_path):
    body = """\
        name: logged
        agents:
          a: {{class: "agents_for_tests:Upper"}}
        pipeline_steps: [a]
        workflow_config: {{logging: {flag}}}
        input: {{text: hi}}
        """
    on = cli.invoke(app, ["run", write(tmp_path, body.format(flag="true")), "--format", "json"])
    assert on.exit_code == 0 and "step a (agent a) attempt 1 started" in on.stderr
    assert json.loads(on.stdout)["status"] == "success"
    off = cli.invoke(app, ["run", write(tmp_path, body.format(flag="false")), "--format", "json"])
    assert off.exit_code == 0 and "attempt 1 started" not in off.stderr


@pytest.mark.parametrize("validation, code", [("true", 2), ("false", 0)])
def test_explicit_data_passing_is_checked_at_load_unless_validation_is_off(tmp_path, validation, code):
    path = write(tmp_path, f"""\
        name: df
        agents:
          p: {{class: "superoptix.examples.data_analysis:DataProcessor"}}
          r: {{class: "superoptix.examples.data_analysis:Reporter"}}
        pipeline_steps: [p, r]
        workflow_config: {{data_passing: explicit, validation: {validation}}}
        input: {{raw_data: x}}
        """)
    result = cli.invoke(app, ["validate", path])
    assert result.exit_code == code
    if code:
        assert "orchestra.yaml:5" in result.output and "'analysis'" in result.output
