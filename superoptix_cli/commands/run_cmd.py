"""`superoptix run FILE`: run an orchestra with a live status table, or print JSON for scripts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.live import Live
from rich.panel import Panel

from superoptix.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_RUN_FAILED, InvalidInputError
from superoptix_cli.errors import handle_errors
from superoptix_cli.inputs import parse_inputs
from superoptix_cli.live import StatusBoard

FORMATS = ("table", "json")


@handle_errors
def run_command(
    file: Path = typer.Argument(..., help="The orchestra YAML file."),
    input_json: str | None = typer.Option(None, "--input", help="Input data as a JSON object."),
    pairs: list[str] | None = typer.Option(None, "-i", "--set", help="One input field as key=value (repeatable)."),
    output_format: str = typer.Option("table", "--format", "-f", help="table (live status) or json (stdout only)."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Also write the JSON result to this file."),
    workflow: str | None = typer.Option(None, "--workflow", help="Override the file's workflow_type."),
    no_log: bool = typer.Option(False, "--no-log", help="Do not record this run in the SQLite run log."),
) -> None:
    """Run an orchestra. Exit 0 when the workflow succeeded, 1 when it failed, 2 on invalid input."""
    if output_format not in FORMATS:
        raise InvalidInputError(f"--format: expected one of {', '.join(FORMATS)}, got {output_format!r}")
    data = parse_inputs(input_json, pairs)
    from superoptix.runners import OrchestraRunner

    runner = OrchestraRunner.from_file(file)
    if output_format == "json":
        result = _run(runner, data, workflow)
        typer.echo(json.dumps(result, indent=2, default=str))
    else:
        result = _run_live(runner, data, workflow)
    _save(file, data, result, output, no_log)
    code = EXIT_INTERRUPTED if result.get("interrupted") else (
        EXIT_OK if result["status"] == "success" else EXIT_RUN_FAILED)
    raise typer.Exit(code)


def _run(runner: Any, data: dict[str, Any], workflow: str | None) -> dict[str, Any]:
    try:
        result: dict[str, Any] = runner.run_orchestra(data, workflow)
        return result
    except KeyboardInterrupt:
        runner.stop_orchestra()
        return {"status": "stopped", "interrupted": True, "orchestra": runner.name,
                "errors": [{"type": "Interrupted", "message": "interrupted by Ctrl-C"}], "steps": [],
                "not_run": [], "final_output": {}}


def _run_live(runner: Any, data: dict[str, Any], workflow: str | None) -> dict[str, Any]:
    console = Console()
    board = StatusBoard(runner.name, _planned_steps(runner.orchestra_config, workflow))
    runner.add_listener(board.on_event)
    with Live(board, console=console, refresh_per_second=8, transient=False):
        result = _run(runner, data, workflow)
        board.finish(result)
    console.print()
    _summary(console, result)
    return result


def _planned_steps(doc: dict[str, Any], workflow: str | None) -> list[tuple[str, str]]:
    from superoptix.orchestra.inputs import step_label

    kind = workflow or doc.get("workflow_type") or "pipeline"
    ids: list[str] = {
        "pipeline": list(doc.get("pipeline_steps") or []),
        "broadcast": list(doc.get("target_agents") or []),
        "parallel": [t.get("agent", "") for t in doc.get("parallel_tasks") or []],
    }.get(kind, [])
    return [(step_label(ids, i), agent) for i, agent in enumerate(ids)]


def _summary(console: Console, result: dict[str, Any]) -> None:
    style = "green" if result["status"] == "success" else "red"
    body = json.dumps(result.get("final_output", {}), indent=2, default=str, ensure_ascii=False)
    duration = result.get("duration_s")
    timing = f" in {duration:.2f}s" if isinstance(duration, (int, float)) else ""
    console.print(Panel(body, title=f"[{style}]{result['status']}[/]{timing}", title_align="left",
                        subtitle="final output", subtitle_align="left"))
    for error in result.get("errors", []):
        where = error.get("step") or "workflow"
        console.print(f"[red]✗ {where}[/]: {error.get('type', 'Error')}: ", end="")
        console.print(str(error.get("message", "")), markup=False)
    if result.get("not_run"):
        console.print(f"[dim]not run: {', '.join(result['not_run'])}[/]")


def _save(file: Path, data: dict[str, Any], result: dict[str, Any], output: Path | None, no_log: bool) -> None:
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    if not no_log:
        from superoptix.runlog import log_run

        result["run_id"] = log_run("run", str(file), data, result)
