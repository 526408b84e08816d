"""`superoptix optimize FILE --agent ID`: improve one agent with a DSPy optimizer and save it."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from superoptix.errors import InvalidInputError
from superoptix_cli.errors import handle_errors
from superoptix_cli.inputs import parse_inputs
from superoptix_cli.outputs import check_writable

FORMATS = ("table", "json")

stdout = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)


@handle_errors
def optimize_command(
    file: Path = typer.Argument(..., help="The orchestra YAML file."),
    agent: str | None = typer.Option(None, "--agent", "-a", help="The agent to optimize "
                                     "(default: the file's optimization.agent)."),
    trainset: Path | None = typer.Option(None, "--trainset", help="Training examples (JSONL, CSV, JSON, YAML)."),
    valset: Path | None = typer.Option(None, "--valset", help="Validation examples (default: hold out --split)."),
    split: float | None = typer.Option(None, "--split", help="Fraction of the trainset held out for validation."),
    strategy: str | None = typer.Option(None, "--strategy", "-s", help="DSPy optimizer, e.g. BootstrapFewShot."),
    metric: str | None = typer.Option(None, "--metric", "-m", help="Metric to optimize (default from the file)."),
    params: list[str] | None = typer.Option(None, "--param", "-p", help="Optimizer parameter key=value "
                                            "(repeatable; values in JSON spelling)."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Where to save the program (.json)."),
    seed: int | None = typer.Option(None, "--seed", help="Seed of the split and the optimizer."),
    output_format: str = typer.Option("table", "--format", "-f", help="table or json (on stdout)."),
) -> None:
    """Optimize an agent; print the score before and after and the saved program's path."""
    if output_format not in FORMATS:
        raise InvalidInputError(f"--format: expected one of {', '.join(FORMATS)}, got {output_format!r}")
    check_writable([output])
    from superoptix.optimization.plan import plan_optimization, run_optimization
    from superoptix.runners import OrchestraRunner

    orchestra = OrchestraRunner.from_file(file)
    base_dir = Path(file).resolve().parent
    plan = plan_optimization(
        orchestra.orchestra_config, base_dir, agent=agent, trainset=trainset, valset=valset,
        split=split, strategy=strategy, metric=metric, params=parse_inputs(None, params),
        output=output, seed=seed,
    )
    runner = orchestra.runner_for(plan.agent)
    # Optimizers print their progress on stdout; keep stdout for our result (JSON must stay parseable).
    with stderr.status(f"optimizing {plan.agent} with {plan.strategy}"), contextlib.redirect_stdout(sys.stderr):
        result = run_optimization(plan, runner)
    result["optimized_entry"] = _relative(Path(result["program_path"]), base_dir)
    if output_format == "json":
        typer.echo(json.dumps(result, indent=2, default=str))
    else:
        _print_result(result, plan.agent)


def _relative(path: Path, base_dir: Path) -> str:
    """The path as the orchestra file's `optimized:` entry spells it (relative to the file)."""
    resolved = path.resolve()
    return str(resolved.relative_to(base_dir)) if resolved.is_relative_to(base_dir) else str(resolved)


def _print_result(result: dict[str, Any], agent_id: str) -> None:
    table = Table(title=f"{result['strategy']} on {agent_id} ({result['metric']})")
    for column in ("", "validation score"):
        table.add_column(column)
    table.add_row("before", f"{result['score_before']:.3f}")
    table.add_row("after", f"{result['score_after']:.3f}")
    change = result["improvement"]
    table.add_row("change", Text(f"{change:+.3f}", style="green" if change > 0 else "red" if change < 0 else ""))
    stdout.print(table)
    stdout.print(
        f"train {result['train_size']} / validation {result['val_size']} examples, "
        f"{result['lm_calls']} LM calls, {result['duration_s']:.1f}s"
    )
    stdout.print(f"saved {result['program_path']}", markup=False)
    stdout.print("use it: under", Text(f"agents: {agent_id}:"), "set",
                 Text(f"optimized: {result['optimized_entry']}", style="bold"))
