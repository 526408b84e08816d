"""`superoptix logs`: the most recent runs from the SQLite run log."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from superoptix.errors import InvalidInputError
from superoptix_cli.errors import handle_errors


@handle_errors
def logs_command(
    count: int = typer.Option(10, "-n", "--count", help="How many runs to show, newest first."),
    output_format: str = typer.Option("table", "--format", "-f", help="table or json."),
    full: bool = typer.Option(False, "--full", help="With --format json: include each run's whole result."),
) -> None:
    """Show recent runs (every `superoptix run` is logged to <data dir>/runs.db)."""
    from superoptix.runlog import db_path, recent_runs

    if count < 1:
        raise InvalidInputError("--count: expected a positive number")
    if output_format not in ("table", "json"):
        raise InvalidInputError(f"--format: expected table or json, got {output_format!r}")
    runs = recent_runs(count)
    if output_format == "json":
        for run in runs:
            run["input"] = json.loads(run.pop("input_json") or "null")
            result = json.loads(run.pop("result_json") or "null")
            if full:
                run["result"] = result
        typer.echo(json.dumps(runs, indent=2, default=str))
        return
    table = Table(title=f"recent runs ({db_path()})")
    for column in ("id", "started", "command", "source", "status", "duration"):
        table.add_column(column, overflow="fold")
    for run in runs:
        started = dt.datetime.fromtimestamp(run["started_at"]).strftime("%m-%d %H:%M:%S")
        duration = f"{run['duration_s']:.2f}s" if run["duration_s"] is not None else ""
        source = Path(run["source"]).name if run["source"] else ""
        table.add_row(run["id"][:12], started, run["command"], source, run["status"] or "", duration)
    Console().print(table)
