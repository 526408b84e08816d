"""Save optimized programs with DSPy's JSON state format plus superoptix metadata; load them back."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import dspy

from superoptix.errors import InvalidInputError

METADATA_KEY = "superoptix"


def dataset_hash(rows: Sequence[Mapping[str, Any]]) -> str:
    canonical = json.dumps(list(rows), sort_keys=True, ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_program(agent: dspy.Module, path: str | Path, metadata: Mapping[str, Any] | None = None) -> Path:
    """Write the agent's state as `Module.save(path.json)` does, with `metadata.superoptix` added
    (strategy, scores, dataset hash, ... plus dspy version and date)."""
    from dspy.utils.saving import get_dependency_versions

    target = Path(path)
    if target.suffix != ".json":
        raise InvalidInputError(f"optimized program path must end in .json: {str(target)!r}")
    state = agent.dump_state()
    extra = {"dspy_version": dspy.__version__,
             "saved_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
             "agent_class": f"{type(agent).__module__}:{type(agent).__qualname__}",
             **dict(metadata or {})}
    state["metadata"] = {"dependency_versions": get_dependency_versions(), METADATA_KEY: extra}
    _atomic_write(target, json.dumps(state, indent=2, ensure_ascii=False, default=str) + "\n")
    return target


def read_metadata(path: str | Path) -> dict[str, Any]:
    state = _read_state(Path(path))
    return dict(state["metadata"].get(METADATA_KEY) or {})


def _read_state(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InvalidInputError(f"optimized program not found: {path}")
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInputError(f"optimized program {path} is not valid JSON: {exc}") from exc
    if not isinstance(state, dict) or not isinstance(state.get("metadata"), dict):
        raise InvalidInputError(f"optimized program {path} is not a saved DSPy program (no metadata)")
    return state


def load_program(agent: dspy.Module, path: str | Path) -> dict[str, Any]:
    """Load a saved program's state (demos, instructions) into `agent`, in place.

    Returns the superoptix metadata saved with it. A missing, corrupt or mismatched file raises
    InvalidInputError; the agent is left untouched then.
    """
    target = Path(path)
    if target.suffix != ".json":
        raise InvalidInputError(f"optimized program path must end in .json: {str(target)!r}")
    state = _read_state(target)
    expected = [name for name, _ in agent.named_parameters()]
    missing = [name for name in expected if name not in state]
    if missing:
        raise InvalidInputError(
            f"optimized program {target} does not fit agent {type(agent).__name__}: it has no state "
            f"for {missing} (it holds {sorted(k for k in state if k != 'metadata')})"
        )
    try:
        agent.load(str(target))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidInputError(f"optimized program {target} cannot be loaded: {type(exc).__name__}: {exc}") from exc
    return dict(state["metadata"].get(METADATA_KEY) or {})
