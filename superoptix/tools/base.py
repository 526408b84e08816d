"""BaseTool: a named, described, typed action an agent can take."""

from __future__ import annotations

import inspect
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, get_type_hints

import jsonschema
import pydantic

from superoptix.errors import InvalidInputError

if TYPE_CHECKING:
    import dspy

NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"


class ToolError(InvalidInputError):
    """A tool refused its input or failed; the agent sees the message as an observation."""


@dataclass(frozen=True)
class ToolOutcome:
    """What one tool call produced: the observation the agent sees, or the error it sees instead."""

    observation: str
    duration_s: float
    error: str | None = None


class BaseTool:
    """Subclass and define `run(...)` with type hints, or set `args_schema` (a JSON schema).

    Arguments are validated before `run` is called. `invoke` never raises for a tool
    failure: the error becomes the observation, so the agent can correct itself.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    args_schema: ClassVar[Mapping[str, Any] | None] = None
    max_observation_chars: ClassVar[int] = 2000
    run: Callable[..., Any]  # defined by each subclass, with the tool's own parameters

    def __init__(self, name: str | None = None, description: str | None = None) -> None:
        tool_name = name or type(self).name or type(self).__name__
        if not re.match(NAME_PATTERN, tool_name) or tool_name == "finish":
            raise InvalidInputError(
                f"tool name {tool_name!r} must be an identifier (letters, digits, _), not 'finish'"
            )
        if not callable(getattr(self, "run", None)):
            raise TypeError(f"{type(self).__name__} must define run(...)")
        self.name = tool_name  # type: ignore[misc]
        own_doc = type(self).__dict__.get("__doc__")  # not BaseTool's, which getdoc would inherit
        doc = inspect.cleandoc(own_doc) if isinstance(own_doc, str) else ""
        self.description = description or type(self).description or doc  # type: ignore[misc]
        self._model: type[pydantic.BaseModel] | None = None
        self._schema: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"

    # ----------------------------------------------------------------- arguments
    def arguments_model(self) -> type[pydantic.BaseModel] | None:
        """A pydantic model of `run`'s parameters (None when the tool declares `args_schema`)."""
        if self.args_schema is not None:
            return None
        if self._model is None:
            self._model = _model_from_signature(self)
        return self._model

    def arguments_schema(self) -> dict[str, Any]:
        """The JSON schema of the arguments: an object, no extra properties, refs inlined."""
        if self._schema is None:
            model = self.arguments_model()
            declared = self.args_schema
            raw = model.model_json_schema() if model is not None else _checked_schema(self.name, declared)
            self._schema = closed_object(inline_refs(raw))
        return self._schema

    def validate_arguments(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """Check (and coerce) arguments; raises ToolError naming what is wrong."""
        if not isinstance(arguments, Mapping):
            raise ToolError(f"{self.name}: arguments must be an object, got {type(arguments).__name__}")
        model = self.arguments_model()
        if model is not None:
            try:
                return dict(model.model_validate(dict(arguments)))
            except pydantic.ValidationError as exc:
                raise ToolError(f"{self.name}: invalid arguments: {_short_errors(exc)}") from exc
        try:
            jsonschema.validate(dict(arguments), self.arguments_schema())
        except jsonschema.ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "arguments"
            raise ToolError(f"{self.name}: invalid {where}: {exc.message}") from exc
        return dict(arguments)

    # ----------------------------------------------------------------- calling
    def invoke(self, arguments: Mapping[str, Any]) -> ToolOutcome:
        """Validate, run, and describe the outcome; a failure becomes an error observation."""
        start = time.perf_counter()
        try:
            value = self.run(**self.validate_arguments(arguments))
        except Exception as exc:  # reported to the agent as its observation, and in the trajectory
            message = f"{type(exc).__name__}: {exc}" if not isinstance(exc, ToolError) else str(exc)
            return ToolOutcome(f"error: {message}", time.perf_counter() - start, message)
        return ToolOutcome(self._render(value), time.perf_counter() - start)

    def _render(self, value: Any) -> str:
        text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
        limit = self.max_observation_chars
        return text if len(text) <= limit else text[:limit] + f"... [truncated, {len(text)} chars]"

    def to_dspy_tool(self) -> dspy.Tool:
        """This tool as a `dspy.Tool` (for dspy.ReAct or native function calling)."""
        import dspy

        schema = self.arguments_schema()

        def call(**kwargs: Any) -> str:
            outcome = self.invoke(kwargs)
            return outcome.observation

        return dspy.Tool(
            call, name=self.name, desc=self.description,
            args=dict(schema.get("properties", {})),
            arg_types={k: Any for k in schema.get("properties", {})},
        )


def _model_from_signature(tool: BaseTool) -> type[pydantic.BaseModel]:
    run = tool.run
    params = inspect.signature(run).parameters
    hints = get_type_hints(run)
    fields: dict[str, Any] = {}
    for pname, param in params.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise InvalidInputError(
                f"{type(tool).__name__}.run must list its arguments (no *args/**kwargs) or set args_schema"
            )
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[pname] = (hints.get(pname, Any), default)
    return pydantic.create_model(
        f"{type(tool).__name__}Arguments", __config__=pydantic.ConfigDict(extra="forbid"), **fields
    )


def _checked_schema(name: str, declared: Mapping[str, Any] | None) -> dict[str, Any]:
    try:
        jsonschema.Draft202012Validator.check_schema(dict(declared or {}))
    except jsonschema.SchemaError as exc:
        raise InvalidInputError(f"tool {name!r}: args_schema is not a valid JSON schema: {exc.message}") from exc
    return dict(declared or {})


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Replace local `#/$defs/X` references by their definitions (recursive types are refused)."""
    defs = {**schema.get("definitions", {}), **schema.get("$defs", {})}

    def walk(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [walk(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(("#/$defs/", "#/definitions/")):
            key = ref.rsplit("/", 1)[-1]
            if key in seen or key not in defs:
                raise InvalidInputError(f"tool argument schema: cannot inline reference {ref!r}")
            return walk(defs[key], (*seen, key))
        return {k: walk(v, seen) for k, v in node.items() if k not in ("$defs", "definitions")}

    result: dict[str, Any] = walk(schema, ())
    return result


def closed_object(schema: dict[str, Any]) -> dict[str, Any]:
    if schema.get("type", "object") != "object":
        raise InvalidInputError("a tool's argument schema must describe an object")
    closed = {k: v for k, v in schema.items() if k != "title"}
    closed["type"] = "object"
    closed.setdefault("properties", {})
    closed.setdefault("required", [])
    closed["additionalProperties"] = False
    return closed


def _short_errors(exc: pydantic.ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err["loc"]) or "arguments"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)
