"""The one place where errors become messages and exit codes."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console

from superoptix.errors import EXIT_INTERRUPTED, ConfigError, SuperOptixError

F = TypeVar("F", bound=Callable[..., Any])

stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def report(exc: SuperOptixError, as_json: bool = False) -> None:
    if as_json:
        payload: dict[str, Any] = {"error": type(exc).__name__, "message": str(exc),
                                   "exit_code": exc.exit_code}
        if isinstance(exc, ConfigError):
            payload["problems"] = [p.to_dict() for p in exc.problems]
        typer.echo(json.dumps(payload, indent=2))
        return
    if isinstance(exc, ConfigError):
        count = len(exc.problems)
        stderr.print(f"[bold red]{count} problem{'s' if count != 1 else ''} found:[/]")
        for problem in exc.problems:
            stderr.print(problem.render(), markup=False)
        return
    stderr.print(f"[bold red]error:[/] {type(exc).__name__}: ", end="")
    stderr.print(str(exc), markup=False)


def handle_errors(fn: F) -> F:
    """Turn library errors into a message and their exit code; Ctrl-C into 130. No tracebacks."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        as_json = kwargs.get("output_format") == "json"
        try:
            return fn(*args, **kwargs)
        except SuperOptixError as exc:
            report(exc, as_json=as_json)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            stderr.print("[yellow]interrupted[/]")
            raise typer.Exit(EXIT_INTERRUPTED) from None

    return wrapper  # type: ignore[return-value]


def exit_with(code: int) -> None:
    sys.stdout.flush()
    raise typer.Exit(code)
