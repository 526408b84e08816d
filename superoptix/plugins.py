"""Find extension objects: `"package.module:Name"` references and packaging entry points."""

from __future__ import annotations

import difflib
import importlib
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from superoptix.errors import InvalidInputError

AGENTS_GROUP = "superoptix.agents"
TOOLS_GROUP = "superoptix.tools"
METRICS_GROUP = "superoptix.metrics"


class PluginError(InvalidInputError):
    """A reference that does not resolve to an importable object."""


def add_import_dir(directory: str | Path) -> None:
    """Make modules in `directory` importable (an orchestra file's own folder, like a script's)."""
    path = str(Path(directory).resolve())
    if path not in sys.path:
        sys.path.insert(0, path)


def entry_point_names(group: str) -> list[str]:
    return sorted(ep.name for ep in entry_points(group=group))


def import_object(reference: str) -> Any:
    """Import `"package.module:Name"` (dotted attribute paths allowed after the colon)."""
    module_name, sep, attr_path = reference.partition(":")
    if not sep or not module_name or not attr_path:
        raise PluginError(f"{reference!r} is not of the form 'package.module:Name'")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise PluginError(f"cannot import module {module_name!r} for {reference!r}: {exc}") from exc
    for part in attr_path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as exc:
            raise PluginError(f"module {module_name!r} has no attribute {attr_path!r}") from exc
    return obj


def resolve(reference: str, group: str) -> Any:
    """`"module:Name"` imports directly; a bare name is looked up in the entry-point group."""
    if ":" in reference:
        return import_object(reference)
    matches = [ep for ep in entry_points(group=group) if ep.name == reference]
    if not matches:
        names = entry_point_names(group)
        close = difflib.get_close_matches(reference, names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        known = f" (installed: {', '.join(names)})" if names else ""
        raise PluginError(
            f"{reference!r} is neither 'package.module:Name' nor an entry point in "
            f"group {group!r}{known}{hint}"
        )
    try:
        return matches[0].load()
    except Exception as exc:  # a broken plugin must be reported, not crash the loader
        raise PluginError(f"entry point {reference!r} in {group!r} failed to load: {exc}") from exc
