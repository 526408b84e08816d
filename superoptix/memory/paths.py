"""Where memories live: the data directory, and files only their owner can read."""

from __future__ import annotations

import os
from pathlib import Path

from superoptix.paths import DATA_DIR_ENV
from superoptix.paths import resolve_data_dir as data_dir

__all__ = ["DATA_DIR_ENV", "MEMORY_FILE", "create_private_file", "data_dir", "default_memory_path"]

MEMORY_FILE = "memory.sqlite3"


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
