"""SuperOptixPipeline: the base class of every agent."""

from __future__ import annotations

import inspect
import re
import warnings
from collections.abc import Mapping
from typing import Any

import dspy

MODULE_KINDS = {"predict": dspy.Predict, "chain_of_thought": dspy.ChainOfThought}


def forward_inputs(module: dspy.Module, required_only: bool = False) -> list[str]:
    """Named parameters of the module's `forward` (without `self`; with `required_only`, no defaults)."""
    params = list(inspect.signature(type(module).forward).parameters.values())[1:]
    return [
        p.name for p in params
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and not (required_only and p.default is not p.empty)
    ]


class SuperOptixPipeline(dspy.Module):
    """A DSPy module with a declared signature.

    Subclasses define `get_signature()`; the default `forward` then runs a `dspy.Predict`
    (or `dspy.ChainOfThought` with `config={"module": "chain_of_thought"}`) of that signature;
    `config={"instructions": "..."}` replaces the signature's instructions.
    Subclasses may override `forward` instead, with or without an LM.
    """

    def __init__(self, config: Mapping[str, Any] | None = None, **kwargs: Any):
        super().__init__()
        self.config: dict[str, Any] = {**dict(config or {}), **kwargs}
        kind = self.config.get("module", "predict")
        if kind not in MODULE_KINDS:
            raise ValueError(f"module: expected one of {sorted(MODULE_KINDS)}, got {kind!r}")
        sig = self.signature_or_none()
        if sig is not None and self._uses_default_forward():
            self.predictor = MODULE_KINDS[kind](sig)

    def get_signature(self) -> type[dspy.Signature] | None:
        """The agent's signature; None for agents defined only by `forward`."""
        return None

    def get_agent_name(self) -> str:
        name = self.config.get("name")
        if isinstance(name, str) and name:
            return name
        return re.sub(r"(?<!^)(?=[A-Z])", "_", type(self).__name__).lower()

    def forward(self, *args: Any, **kwargs: Any) -> dspy.Prediction:
        predictor = getattr(self, "predictor", None)
        if predictor is None:
            raise TypeError(
                f"{type(self).__name__} defines neither get_signature() nor forward(); "
                "define one of them"
            )
        return predictor(*args, **kwargs)

    def input_fields(self) -> list[str]:
        """Input names: from the signature when there is one, otherwise from `forward`'s parameters."""
        sig = self.signature_or_none()
        if sig is not None:
            return list(sig.input_fields)
        return forward_inputs(self)

    def output_fields(self) -> list[str]:
        sig = self.signature_or_none()
        return list(sig.output_fields) if sig is not None else []

    def signature_or_none(self) -> type[dspy.Signature] | None:
        """The signature, computed once; None when the agent has none (or it cannot be built)."""
        if "_signature" not in self.__dict__:
            built = self._safe_signature()
            instructions = self.config.get("instructions")
            if built is not None and isinstance(instructions, str) and instructions.strip():
                built = built.with_instructions(instructions)
            self.__dict__["_signature"] = built
        sig: type[dspy.Signature] | None = self.__dict__["_signature"]
        return sig

    def _uses_default_forward(self) -> bool:
        return type(self).forward is SuperOptixPipeline.forward

    def _safe_signature(self) -> type[dspy.Signature] | None:
        try:
            return self.get_signature()
        except TypeError as exc:
            if self._uses_default_forward():
                raise
            # A broken signature should not stop an agent that does its own work in forward().
            warnings.warn(
                f"{type(self).__name__}.get_signature() failed ({exc}); using forward()'s parameters. "
                "Build signatures with superoptix.core.signature(instructions, **fields).",
                stacklevel=3,
            )
            return None
