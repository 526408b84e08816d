"""Where superoptix keeps its files: a configured folder, else $SUPEROPTIX_DATA_DIR, else ./.superoptix."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "SUPEROPTIX_DATA_DIR"
DEFAULT_DATA_DIR = ".superoptix"


def resolve_data_dir(configured: str | os.PathLike[str] | None = None) -> Path:
    """The configured folder (e.g. a runner's `data_dir`), else $SUPEROPTIX_DATA_DIR, else `./.superoptix`."""
    return Path(configured or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR).expanduser()


def data_dir(configured: str | os.PathLike[str] | None = None) -> Path:
    """`resolve_data_dir`, created (owner-only) if missing."""
    path = resolve_data_dir(configured)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
