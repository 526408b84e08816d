"""`superoptix validate FILE...`: every problem of every file, located, before anything runs."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from superoptix.errors import EXIT_INVALID_INPUT, EXIT_OK, InvalidInputError, Problem
from superoptix_cli.errors import handle_errors

FORMATS = ("table", "json")


@handle_errors
def validate_command(
    files: list[Path] = typer.Argument(..., help="Orchestra YAML files to check."),
    output_format: str = typer.Option(
        "table", "--format", "-f", help="table (problems on stderr) or json (a report on stdout)."
    ),
) -> None:
    """Check orchestra files: YAML syntax, schema and meaning. Exit 0 if all are valid, else 2."""
    if output_format not in FORMATS:
        raise InvalidInputError(
            f"--format: expected one of {', '.join(FORMATS)}, got {output_format!r}"
        )
    from superoptix.orchestra.validation import validate_file

    results = {str(path): validate_file(path) for path in files}
    if output_format == "json":
        typer.echo(json.dumps(_report(results), indent=2))
    else:
        _print(results)
    raise typer.Exit(EXIT_INVALID_INPUT if any(results.values()) else EXIT_OK)


def _report(results: dict[str, list[Problem]]) -> dict[str, object]:
    return {
        "ok": not any(results.values()),
        "files": [
            {"file": file, "ok": not problems, "problems": [p.to_dict() for p in problems]}
            for file, problems in results.items()
        ],
    }


def _print(results: dict[str, list[Problem]]) -> None:
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    for file, problems in results.items():
        if not problems:
            out.print(f"[green]OK[/] {escape(file)}")
            continue
        count = len(problems)
        err.print(f"[bold red]{escape(file)}: {count} problem{'s' if count != 1 else ''}[/]")
        for problem in problems:
            err.print(problem.render(), markup=False)
