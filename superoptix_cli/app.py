"""The typer application. Importing it is cheap: no dspy, no model, until a command runs."""

from __future__ import annotations

import importlib

import typer

from superoptix import __version__

app = typer.Typer(
    name="superoptix",
    help="Run, optimize and evaluate DSPy agents and orchestras declared in YAML.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# (command name, "module:function") — each command is a plain function in its own module.
COMMANDS = [
    ("run", "superoptix_cli.commands.run_cmd:run_command"),
    ("validate", "superoptix_cli.commands.validate_cmd:validate_command"),
    ("schema", "superoptix_cli.commands.schema_cmd:schema_command"),
    ("eval", "superoptix_cli.commands.eval_cmd:eval_command"),
    ("optimize", "superoptix_cli.commands.optimize_cmd:optimize_command"),
    ("logs", "superoptix_cli.commands.logs_cmd:logs_command"),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"superoptix {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Run, optimize and evaluate DSPy agents and orchestras declared in YAML."""


def _register() -> None:
    for name, target in COMMANDS:
        module_name, _, func_name = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        app.command(name)(getattr(module, func_name))


_register()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
