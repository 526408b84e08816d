"""Find and load the JSON Schemas shipped with superoptix.

A wheel carries the repository's top-level `schemas/` as `superoptix/_schemas/`; an editable
install reads them from the repository itself.
"""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

from superoptix.errors import InvalidInputError

SCHEMA_SUFFIX = ".schema.json"
REPO_SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def schema_names() -> list[str]:
    """Names of the available schemas (`orchestra`, ...)."""
    names: set[str] = set()
    packaged = _packaged_dir()
    if packaged is not None:
        names.update(p.name for p in packaged.iterdir() if p.name.endswith(SCHEMA_SUFFIX))
    if REPO_SCHEMAS.is_dir():
        names.update(p.name for p in REPO_SCHEMAS.iterdir() if p.name.endswith(SCHEMA_SUFFIX))
    return sorted(name[: -len(SCHEMA_SUFFIX)] for name in names)


def load_schema(name: str = "orchestra") -> dict[str, Any]:
    """The schema `<name>.schema.json` as a fresh dict (callers may change it freely)."""
    return copy.deepcopy(_load_cached(name))


@functools.lru_cache(maxsize=8)
def _load_cached(name: str) -> dict[str, Any]:
    text = _read(name + SCHEMA_SUFFIX)
    if text is None:
        raise InvalidInputError(
            f"no schema named {name!r}; available: {', '.join(schema_names()) or 'none'}"
        )
    schema: dict[str, Any] = json.loads(text)
    return schema


def _read(filename: str) -> str | None:
    packaged = _packaged_dir()
    if packaged is not None:
        candidate = packaged.joinpath(filename)
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    in_repo = REPO_SCHEMAS / filename
    if in_repo.is_file():
        return in_repo.read_text(encoding="utf-8")
    return None


def _packaged_dir() -> Any:
    """`superoptix/_schemas` inside an installed wheel, or None when it is not there."""
    directory = resources.files("superoptix").joinpath("_schemas")
    return directory if directory.is_dir() else None
