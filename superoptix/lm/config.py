"""LM configuration: one mapping, parsed once, turned into a `dspy.LM` on demand."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from superoptix.errors import InvalidInputError

if TYPE_CHECKING:
    import dspy

EMBEDDED_MODEL = "local/smollm2"
ADAPTERS = ("auto", "json", "chat")
KNOWN_KEYS = {
    "model", "temperature", "max_tokens", "api_base", "api_key_env", "cache", "adapter",
    "num_retries", "n_ctx", "n_threads", "model_path", "max_string_length", "extra",
}


@dataclass(frozen=True)
class LMConfig:
    """What an agent's language model is. `model: local/smollm2` is the embedded model."""

    model: str = EMBEDDED_MODEL
    temperature: float | None = None
    max_tokens: int | None = None
    api_base: str | None = None
    api_key_env: str | None = None
    cache: bool = True
    adapter: str = "auto"
    num_retries: int = 0
    n_ctx: int = 4096
    n_threads: int | None = None
    model_path: str | None = None
    max_string_length: int = 256
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_embedded(self) -> bool:
        return self.model == EMBEDDED_MODEL

    @classmethod
    def from_value(cls, value: LMConfig | Mapping[str, Any] | str | None) -> LMConfig:
        """Accept an LMConfig, a mapping, a bare model string, or None (the embedded model)."""
        if value is None:
            return cls()
        if isinstance(value, LMConfig):
            return value
        if isinstance(value, str):
            return cls(model=value)
        if not isinstance(value, Mapping):
            raise InvalidInputError(f"lm: expected a mapping or a model string, got {type(value).__name__}")
        unknown = sorted(set(value) - KNOWN_KEYS)
        if unknown:
            raise InvalidInputError(_unknown_key_message(unknown[0]))
        secret = next((k for k in [*value, *dict(value.get("extra") or {})] if _looks_secret(k)), None)
        if secret is not None:
            raise InvalidInputError(
                f"lm: {secret} is not accepted in configuration; name an environment variable in api_key_env"
            )
        adapter = value.get("adapter", "auto")
        if adapter not in ADAPTERS:
            raise InvalidInputError(f"lm > adapter: expected one of {', '.join(ADAPTERS)}, got {adapter!r}")
        return cls(**{k: v for k, v in value.items()})

    def resolved_adapter(self) -> str:
        if self.adapter != "auto":
            return self.adapter
        return "json" if self.is_embedded else "chat"

    def api_key(self) -> str | None:
        """Read the key from the environment at call time; it is never stored on this object."""
        if not self.api_key_env:
            return None
        key = os.environ.get(self.api_key_env)
        if not key:
            raise InvalidInputError(
                f"lm > api_key_env: environment variable {self.api_key_env} is not set"
            )
        return key

    def to_public_dict(self) -> dict[str, Any]:
        """A loggable view: never includes a key, only the name of its variable."""
        data = {k: getattr(self, k) for k in sorted(KNOWN_KEYS) if k != "extra"}
        data["extra"] = dict(self.extra)
        return data


_SECRET = re.compile(r"(^|_)(api_?key|token|secret|password)($|_)", re.IGNORECASE)


def _looks_secret(key: str) -> bool:
    return key != "api_key_env" and bool(_SECRET.search(key))


def _unknown_key_message(key: str) -> str:
    close = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"lm: unknown key {key!r}{hint}"


def build_lm(config: LMConfig | Mapping[str, Any] | str | None = None) -> dspy.LM:
    """Build a `dspy.LM` for this configuration. Building never loads a model or opens a connection."""
    import dspy

    cfg = LMConfig.from_value(config)
    common: dict[str, Any] = {"cache": cfg.cache, "num_retries": cfg.num_retries, **dict(cfg.extra)}
    if cfg.temperature is not None:
        common["temperature"] = cfg.temperature
    if cfg.max_tokens is not None:
        common["max_tokens"] = cfg.max_tokens
    if cfg.is_embedded:
        from superoptix.lm.embedded import AsyncLlamaEngine, LlamaEngine

        engine = LlamaEngine.from_config(cfg)
        common.setdefault("max_tokens", 512)
        common.setdefault("temperature", 0.0)
        return dspy.LM(cfg.model, engine=engine, async_engine=AsyncLlamaEngine(engine), **common)
    if cfg.api_base:
        common["api_base"] = cfg.api_base
    key = cfg.api_key()
    if key:
        common["api_key"] = key
    return dspy.LM(cfg.model, **common)


def build_adapter(config: LMConfig | Mapping[str, Any] | str | None = None) -> Any:
    """The adapter that suits the model: JSON with schema-constrained decoding for the embedded one."""
    import dspy

    cfg = LMConfig.from_value(config)
    return dspy.JSONAdapter() if cfg.resolved_adapter() == "json" else dspy.ChatAdapter()
