"""`superoptix run FILE`: run an orchestra with a live status table, or print JSON for scripts."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.live import Live
from rich.panel import Panel

from superoptix.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_RUN_FAILED, InvalidInputError
from superoptix_cli.errors import handle_errors
from superoptix_cli.errors import stderr as stderr_console
from superoptix_cli.inputs import parse_inputs
from superoptix_cli.live import StatusBoard
from superoptix_cli.outputs import check_writable

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
    check_writable([output])
    from superoptix.runners import OrchestraRunner

    runner = OrchestraRunner.from_file(file)
    _show_step_logs()
    if output_format == "json":
        result = _run(runner, data, workflow)
        typer.echo(json.dumps(result, indent=2, default=str))
    else:
        result = _run_live(runner, data, workflow)
    _save(file, data, result, output, no_log)
    code = EXIT_INTERRUPTED if result.get("interrupted") else (
        EXIT_OK if result["status"] == "success" else EXIT_RUN_FAILED)
    raise typer.Exit(code)


def _show_step_logs() -> None:
    """`workflow_config: {logging: true}` step records go to stderr (stdout stays clean for JSON)."""
    import logging

    from rich.logging import RichHandler

    log = logging.getLogger("superoptix.orchestra")
    if not any(isinstance(h, RichHandler) for h in log.handlers):
        log.addHandler(RichHandler(console=stderr_console, show_path=False))
    log.setLevel(logging.INFO)


def _run(runner: Any, data: dict[str, Any], workflow: str | None) -> dict[str, Any]:
    """Run in a worker thread so Ctrl-C can stop the orchestra and still keep what already ran."""
    box: dict[str, Any] = {}

    done = threading.Event()  # not Thread.join: an interrupted join() can later return too early

    def work() -> None:
        try:
            box["result"] = runner.run_orchestra(data, workflow)
        except BaseException as exc:  # re-raised in the main thread below
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name="superoptix-run", daemon=True).start()
    try:
        while not done.wait(0.1):
            pass
    except KeyboardInterrupt:
        return _interrupted(runner, done, box)
    if "error" in box:
        raise box["error"]
    result: dict[str, Any] = box["result"]
    return result


def _interrupted(runner: Any, done: threading.Event, box: dict[str, Any]) -> dict[str, Any]:
    runner.stop_orchestra()  # no new step starts; running steps finish and are reported
    stderr_console.print("[yellow]interrupted: waiting for running steps (Ctrl-C again to quit now)[/]")
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    result: dict[str, Any] = box.get("result") or {
        "status": "stopped", "orchestra": runner.name, "steps": [], "not_run": [], "final_output": {},
        "errors": [{"type": "Interrupted", "message": "interrupted again before the running steps finished"}],
    }
    result["interrupted"] = True
    return result


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
    """Write -o and the run log; a failure here is reported but never changes the run's exit code."""
    if not no_log:
        from superoptix.runlog import log_run

        try:
            result["run_id"] = log_run("run", str(file), data, result)
        except (OSError, sqlite3.Error) as exc:
            stderr_console.print(f"[yellow]warning:[/] the run was not logged: {exc}", markup=True)
    if output is not None:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
        except OSError as exc:
            stderr_console.print(f"[red]error:[/] could not write {output}: {exc}")
