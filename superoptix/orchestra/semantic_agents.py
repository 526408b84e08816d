"""Agent declarations: the class resolves, is a DSPy module, and can be built with its config."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from superoptix.errors import SuperOptixError
from superoptix.orchestra.semantic_plugins import optional_attr
from superoptix.orchestra.validation_common import Checker, items, mapping
from superoptix.orchestra.yaml_marks import DocPath
from superoptix.plugins import AGENTS_GROUP, PluginError, resolve

BASE_CLASS = "superoptix.core.SuperOptixPipeline"


def check_agents(doc: Mapping[str, Any], ck: Checker, *, instantiate: bool) -> dict[str, Any]:
    """Resolve every agent class; with `instantiate`, build the agents and return them by id."""
    built: dict[str, Any] = {}
    for agent_id, raw in mapping(doc.get("agents")).items():
        spec = mapping(raw)
        path: DocPath = ("agents", agent_id)
        cls = resolve_agent_class(spec.get("class"), ck, (*path, "class"))
        if cls is not None and instantiate:
            agent = build_agent(cls, spec.get("config"), ck, path)
            if agent is not None:
                built[agent_id] = agent
        check_tools(spec.get("tools"), ck, (*path, "tools"))
    return built


def resolve_agent_class(reference: Any, ck: Checker, path: DocPath) -> type | None:
    if not isinstance(reference, str) or not reference:
        return None
    try:
        obj = resolve(reference, AGENTS_GROUP)
    except PluginError as exc:
        ck.add(path, str(exc), _resolve_hint(reference))
        return None
    except Exception as exc:  # the user's module itself is broken (SyntaxError, NameError, ...)
        ck.add(path, f"importing {reference!r} failed: {type(exc).__name__}: {exc}",
               "fix the error in that module")
        return None
    return _checked_class(obj, reference, ck, path)


def _checked_class(obj: Any, reference: str, ck: Checker, path: DocPath) -> type | None:
    import dspy

    if isinstance(obj, type) and issubclass(obj, dspy.Module):
        return obj
    what = f"class {obj.__name__}" if isinstance(obj, type) else type(obj).__name__
    ck.add(
        path,
        f"{reference!r} is a {what}, not an agent: it must subclass {BASE_CLASS} "
        "(or at least dspy.Module)",
        f"declare it as `class MyAgent({BASE_CLASS.rsplit('.', 1)[1]})` "
        "with get_signature() or forward()",
    )
    return None


def _resolve_hint(reference: str) -> str:
    if ":" in reference:
        return ("the module must be importable (installed, or on PYTHONPATH) and define "
                "that class; the form is 'package.module:ClassName'")
    return ("install the package that declares this entry point in the group "
            f"{AGENTS_GROUP!r}, or write 'package.module:ClassName'")


def build_agent(cls: type, config: Any, ck: Checker, path: DocPath) -> Any | None:
    """`cls(config=...)` for a SuperOptixPipeline; a plain dspy.Module gets `**config`."""
    from superoptix.core import SuperOptixPipeline

    settings = dict(mapping(config))
    try:
        if issubclass(cls, SuperOptixPipeline):
            return cls(config=settings)
        return cls(**settings)
    except Exception as exc:  # any constructor failure is reported at the agent's config
        where = (*path, "config") if config is not None else (*path, "class")
        ck.add(where, f"{cls.__name__} could not be created: {type(exc).__name__}: {exc}",
               "check the agent's config keys and values")
        return None


def check_tools(tools: Any, ck: Checker, path: DocPath) -> None:
    """Each tool spec must load (checked once `superoptix.tools` is installed)."""
    load_tools = optional_attr("superoptix.tools", "load_tools")
    if load_tools is None:
        return
    for index, spec in enumerate(items(tools)):
        if not isinstance(spec, (str, Mapping)):
            continue
        try:
            load_tools([spec])
        except (SuperOptixError, TypeError, ValueError) as exc:
            ck.add((*path, index), f"tool does not load: {exc}",
                   "a built-in tool name, 'package.module:Class', an entry point in "
                   "superoptix.tools, or {name: ..., config: {...}}")
