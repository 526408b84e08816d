"""`superoptix schema`: print the orchestra file's JSON Schema (for editors and CI)."""

from __future__ import annotations

import json

import typer

from superoptix_cli.errors import handle_errors


@handle_errors
def schema_command(
    name: str = typer.Argument("orchestra", help="Which schema to print."),
) -> None:
    """Print the JSON Schema (draft 2020-12) of orchestra files."""
    from superoptix.orchestra.schema import load_schema

    typer.echo(json.dumps(load_schema(name), indent=2))
