"""Where superoptix keeps its files: $SUPEROPTIX_DATA_DIR, else ./.superoptix (created owner-only)."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "SUPEROPTIX_DATA_DIR"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    path = Path(explicit or os.environ.get(DATA_DIR_ENV) or Path.cwd() / ".superoptix").expanduser()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
