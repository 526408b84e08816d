"""`superoptix eval FILE`: score an agent or a whole orchestra on a dataset; gate CI on the score."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from superoptix.errors import EXIT_OK, EXIT_QUALITY_GATE, EXIT_RUN_FAILED, InvalidInputError
from superoptix_cli.errors import handle_errors
from superoptix_cli.outputs import check_writable

FORMATS = ("table", "json", "junit")
MAX_FAILURES_SHOWN = 20

stdout = Console(highlight=False, soft_wrap=False)
stderr = Console(stderr=True, highlight=False)


@handle_errors
def eval_command(
    file: Path = typer.Argument(..., help="The orchestra YAML file."),
    agent: str | None = typer.Option(None, "--agent", "-a", help="Evaluate this agent (default: the file's "
                                     "evaluation.agent, else the whole workflow's final output)."),
    dataset: Path | None = typer.Option(None, "--dataset", "-d", help="JSONL, CSV, JSON or YAML examples."),
    metrics: list[str] | None = typer.Option(None, "--metric", "-m", help="A metric name (repeatable)."),
    min_score: float | None = typer.Option(None, "--min-score", help="Fail (exit 100) below this mean score."),
    output_format: str = typer.Option("table", "--format", "-f", help="table, json or junit (on stdout)."),
    outputs: list[Path] | None = typer.Option(None, "-o", "--output", help="Write results here: .json, "
                                              ".jsonl, .csv or .xml (JUnit), by extension (repeatable)."),
    threads: int | None = typer.Option(None, "--threads", "-t", help="Examples run at once."),
    max_error_rate: float | None = typer.Option(
        None, "--max-error-rate", help="Exit 1 (run failed) when more than this fraction of examples could "
        "not run, e.g. 0 for any error (default: only when none ran)."),
) -> None:
    """Evaluate. Exit 0 when the gate passes, 100 when a score is below --min-score or a threshold,
    1 when the run failed, 2 on invalid input."""
    from superoptix.evaluation.writers import output_format as format_of

    if output_format not in FORMATS:
        raise InvalidInputError(f"--format: expected one of {', '.join(FORMATS)}, got {output_format!r}")
    for path in outputs or []:
        format_of(path)  # refuse an unknown extension before running anything
    check_writable(outputs or [])
    if max_error_rate is not None and not 0 <= max_error_rate <= 1:
        raise InvalidInputError("--max-error-rate: expected a fraction between 0 and 1")
    report = _evaluate(file, agent, dataset, metrics, min_score, threads, quiet=output_format != "table")
    _apply_error_rate(report["gate"], report["summary"], max_error_rate)
    _emit(report, output_format, outputs or [])
    gate = report["gate"]
    raise typer.Exit(EXIT_RUN_FAILED if gate["run_failed"] else EXIT_OK if gate["passed"] else EXIT_QUALITY_GATE)


def _evaluate(file: Path, agent: str | None, dataset: Path | None, metrics: list[str] | None,
              min_score: float | None, threads: int | None, quiet: bool) -> dict[str, Any]:
    from superoptix.evaluation.plan import load_plan_rows, plan_evaluation, run_plan
    from superoptix.runners import OrchestraRunner

    orchestra = OrchestraRunner.from_file(file)
    plan = plan_evaluation(orchestra.orchestra_config, Path(file).resolve().parent, agent=agent,
                           dataset=dataset, metrics=metrics, min_score=min_score, num_threads=threads)
    rows = load_plan_rows(plan, orchestra)
    label = f"evaluating {plan.agent or orchestra.name}"
    with _progress(quiet) as progress:
        task = progress.add_task(label, total=len(rows))
        return run_plan(plan, orchestra, rows, on_result=lambda _result: progress.advance(task))


def _progress(quiet: bool) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=stderr, transient=True, disable=quiet and not stderr.is_terminal)


def _apply_error_rate(gate: dict[str, Any], summary: dict[str, Any], limit: float | None) -> None:
    """Tell an outage from a regression: too many examples that could not run is a run failure."""
    total = summary.get("total") or 0
    rate = summary.get("errors", 0) / total if total else 0.0
    gate["error_rate"] = rate
    gate["max_error_rate"] = limit
    if limit is not None and rate > limit:
        gate["run_failed"], gate["passed"] = True, False


def _emit(report: dict[str, Any], output_format: str, outputs: list[Path]) -> None:
    from superoptix.evaluation.writers import to_json, to_junit, write_report

    for path in outputs:
        write_report(report, path)
    if output_format == "json":
        typer.echo(to_json(report), nl=False)
    elif output_format == "junit":
        typer.echo(to_junit(report), nl=False)
    else:
        _print_tables(report)
        for path in outputs:
            stdout.print(f"wrote {path}", markup=False)


def _short(value: Any, width: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_tables(report: dict[str, Any]) -> None:
    summary, gate = report["summary"], report["gate"]
    limits = {f["metric"]: f for f in gate["failures"]}
    table = Table(title=f"{report['kind']} {report['target']}: {summary['total']} examples")
    for column in ("metric", "mean score", "threshold", "gate"):
        table.add_column(column)
    for metric in report["metrics"]:
        label = metric["label"]
        wanted = [v for v in (metric["threshold"], gate["min_score"]) if v is not None]
        verdict = "[red]FAIL[/]" if label in limits else ("[green]pass[/]" if wanted else "-")
        table.add_row(Text(label), f"{summary['scores'][label]:.3f}", f"{max(wanted):.3f}" if wanted else "-", verdict)
    stdout.print(table)
    stdout.print(
        f"passed {summary['passed']}/{summary['total']} (pass rate {summary['pass_rate']:.1%} at "
        f"{summary['threshold']}), run errors {summary['errors']}, {summary['duration_s']:.1f}s, "
        f"{summary['usage']['total_tokens']} tokens"
    )
    _print_failures(report)
    verdict = "[bold red]run failed[/]" if gate["run_failed"] else (
        "[bold green]gate passed[/]" if gate["passed"] else "[bold red]gate failed[/]")
    stdout.print(verdict)


def _print_failures(report: dict[str, Any]) -> None:
    failing = [r for r in report["results"] if not r["passed"]]
    if not failing:
        return
    table = Table(title=f"failing examples ({len(failing)})")
    for column in ("#", "input", "expected", "got", "scores / error"):
        table.add_column(column, overflow="fold")
    for entry in failing[:MAX_FAILURES_SHOWN]:
        error = entry["error"]
        detail = f"{error['type']}: {_short(error['message'])}" if error else ", ".join(
            f"{k}={v:.2f}" for k, v in entry["scores"].items())
        got = _short(entry["prediction"], 40) if entry["prediction"] is not None else "-"
        cells = (_short(entry["inputs"], 40), _short(entry["expected"], 40), got, detail)
        table.add_row(str(entry["index"]), *(Text(cell) for cell in cells))
    stdout.print(table)
    if len(failing) > MAX_FAILURES_SHOWN:
        stdout.print(f"... and {len(failing) - MAX_FAILURES_SHOWN} more (write them all with -o results.jsonl)")
