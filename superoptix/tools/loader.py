"""Turn tool specs from Python or YAML into tool instances."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from superoptix.errors import InvalidInputError
from superoptix.plugins import TOOLS_GROUP, PluginError, resolve
from superoptix.tools.base import BaseTool
from superoptix.tools.builtins import DateTimeTool, JSONLookupTool, TextStatsTool
from superoptix.tools.calculator import CalculatorTool

BUILTIN_TOOLS: dict[str, type[BaseTool]] = {
    "calculator": CalculatorTool,
    "current_datetime": DateTimeTool,
    "json_lookup": JSONLookupTool,
    "text_stats": TextStatsTool,
}

SPEC_KEYS = {"name", "config"}


def load_tools(specs: Sequence[str | Mapping[str, Any] | BaseTool]) -> list[BaseTool]:
    """Instantiate tools from specs.

    A spec is a built-in name (`calculator`), `"package.module:Class"`, an entry-point name in
    the `superoptix.tools` group, `{name: <one of those>, config: {...}}` (constructor keyword
    arguments), or an already built tool. Tool names must be unique.
    """
    if isinstance(specs, (str, Mapping)) or not isinstance(specs, Sequence):
        raise InvalidInputError("tools: expected a list of tool specs")
    tools = [_load_one(spec, index) for index, spec in enumerate(specs)]
    seen: set[str] = set()
    for tool in tools:
        if tool.name in seen:
            raise InvalidInputError(f"tools: two tools are named {tool.name!r}; give one a `name` in config")
        seen.add(tool.name)
    return tools


def _load_one(spec: str | Mapping[str, Any] | BaseTool, index: int) -> BaseTool:
    if isinstance(spec, BaseTool):
        return spec
    where = f"tools > {index}"
    config: Mapping[str, Any] = {}
    if isinstance(spec, str):
        reference = spec
    elif isinstance(spec, Mapping):
        unknown = sorted(set(spec) - SPEC_KEYS)
        if unknown or "name" not in spec:
            problem = f"unknown key {unknown[0]!r}" if unknown else "missing key 'name'"
            raise InvalidInputError(f"{where}: {problem}; a tool spec is {{name: ..., config: {{...}}}}")
        reference, config = spec["name"], spec.get("config") or {}
        if not isinstance(reference, str) or not isinstance(config, Mapping):
            raise InvalidInputError(f"{where}: name must be a string and config a mapping")
    else:
        raise InvalidInputError(f"{where}: expected a tool name or {{name, config}}, got {type(spec).__name__}")
    cls = _resolve_class(reference, where)
    try:
        tool = cls(**dict(config))
    except TypeError as exc:
        raise InvalidInputError(f"{where}: cannot build {reference!r} with config {dict(config)}: {exc}") from exc
    return tool


def _resolve_class(reference: str, where: str) -> type[BaseTool]:
    if reference in BUILTIN_TOOLS:
        return BUILTIN_TOOLS[reference]
    try:
        obj = resolve(reference, TOOLS_GROUP)
    except PluginError as exc:
        close = difflib.get_close_matches(reference, list(BUILTIN_TOOLS), n=1)
        hint = f"; did you mean the built-in {close[0]!r}?" if close else ""
        builtins = ", ".join(BUILTIN_TOOLS)
        raise PluginError(f"{where}: {exc} (built-in tools: {builtins}){hint}") from exc
    if not (isinstance(obj, type) and issubclass(obj, BaseTool)):
        raise PluginError(f"{where}: {reference!r} is {obj!r}, not a superoptix.tools.BaseTool subclass")
    return obj
