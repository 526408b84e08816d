"""Every CLI run is logged to SQLite (<data dir>/runs.db), so no result is ever lost."""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any

from superoptix.paths import data_dir

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    started_at REAL NOT NULL,
    command TEXT NOT NULL,
    source TEXT,
    status TEXT,
    duration_s REAL,
    input_json TEXT,
    result_json TEXT
)
"""


def db_path(directory: str | os.PathLike[str] | None = None) -> Path:
    return data_dir(directory) / "runs.db"


def _connect(path: Path) -> sqlite3.Connection:
    fresh = not path.exists()
    conn = sqlite3.connect(path, timeout=30)
    if fresh:
        os.chmod(path, 0o600)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(SCHEMA)
    return conn


def log_run(command: str, source: str | None, input_data: Any, result: dict[str, Any],
            directory: str | os.PathLike[str] | None = None) -> str:
    """Store one run; returns its id."""
    run_id = uuid.uuid4().hex
    row = (run_id, time.time(), command, source, result.get("status"), result.get("duration_s"),
           json.dumps(input_data, default=str), json.dumps(result, default=str))
    with closing(_connect(db_path(directory))) as conn, conn:
        conn.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)
    return run_id


def recent_runs(limit: int = 20, directory: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    with closing(_connect(db_path(directory))) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("SELECT * FROM runs ORDER BY started_at DESC LIMIT ?", (limit,)).fetchall()
    return [dict(row) for row in rows]
