"""Where memories live: the data directory, and files only their owner can read."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "SUPEROPTIX_DATA_DIR"
DEFAULT_DATA_DIR = ".superoptix"
MEMORY_FILE = "memory.sqlite3"


def data_dir(configured: str | os.PathLike[str] | None = None) -> Path:
    """The runner's `data_dir` if set, else $SUPEROPTIX_DATA_DIR, else `./.superoptix`."""
    chosen = configured or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR
    return Path(chosen).expanduser()


def default_memory_path(configured_data_dir: str | os.PathLike[str] | None = None) -> Path:
    return data_dir(configured_data_dir) / MEMORY_FILE


def create_private_file(path: Path) -> None:
    """Create the file (and missing parent directories) readable by its owner only.

    SQLite gives its `-wal` and `-shm` files the permissions of the database file, so they
    are private too. An existing file is never opened here: closing any descriptor of a file
    releases the process's POSIX locks on it, which would break a live SQLite connection.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists():
        return
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:  # another process created it first
        return
    os.close(fd)
