"""Output files: checked before any work starts, so a bad path never costs a run's result."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from superoptix.errors import InvalidInputError


def check_writable(paths: Iterable[Path | None], option: str = "-o") -> None:
    """Refuse a path that is a directory or whose folder cannot be created or written."""
    for path in paths:
        if path is None:
            continue
        if path.is_dir():
            raise InvalidInputError(f"{option} {path}: is a directory; give a file name")
        folder = _existing_parent(path.parent)
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            raise InvalidInputError(f"{option} {path}: cannot create a file under {folder}")


def _existing_parent(folder: Path) -> Path:
    folder = folder.resolve()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder
