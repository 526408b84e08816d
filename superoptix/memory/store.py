"""SQLite storage of memories: WAL, short write transactions, safe across threads and processes."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from superoptix.memory.paths import create_private_file

SCHEMA = """
CREATE TABLE IF NOT EXISTS memories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('fact', 'interaction')),
    text TEXT NOT NULL,
    query TEXT,
    output TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS memories_by_agent ON memories (agent_id, id);
"""
BUSY_TIMEOUT_MS = 30_000
COLUMNS = "id, kind, text, query, output, metadata, created_at"


class MemoryStore:
    """One connection per store, serialized by a lock; processes coordinate through SQLite.

    Every statement is scoped to one `agent_id`: no method reads or deletes another agent's rows.
    """

    def __init__(self, path: Path | None):
        self.path = path
        if path is not None:
            create_private_file(path)
        target = ":memory:" if path is None else str(path)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            target, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None
        )
        self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if path is not None:
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
        with self.write() as conn:
            _create_schema(conn)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken up front (BEGIN IMMEDIATE) so it never fails to upgrade."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def read(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._conn.execute(sql, params).fetchall())

    def insert(
        self, agent_id: str, kind: str, text: str, metadata: Mapping[str, Any] | None,
        query: str | None = None, output: Any = None,
    ) -> int:
        encoded_output = None if output is None else json.dumps(output, default=str, ensure_ascii=False)
        with self.write() as conn:
            cursor = conn.execute(
                "INSERT INTO memories (agent_id, kind, text, query, output, metadata, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (agent_id, kind, text, query, encoded_output,
                 json.dumps(dict(metadata or {}), default=str, ensure_ascii=False), time.time()),
            )
            row_id = cursor.lastrowid
        assert row_id is not None
        return row_id

    def delete(self, agent_id: str, memory_id: int | None = None) -> int:
        with self.write() as conn:
            if memory_id is None:
                cursor = conn.execute("DELETE FROM memories WHERE agent_id = ?", (agent_id,))
            else:
                cursor = conn.execute(
                    "DELETE FROM memories WHERE agent_id = ? AND id = ?", (agent_id, memory_id)
                )
            return cursor.rowcount

    def newest(self, agent_id: str, kinds: tuple[str, ...], limit: int) -> list[tuple[Any, ...]]:
        marks = ", ".join("?" for _ in kinds)
        return self.read(
            f"SELECT {COLUMNS} FROM memories WHERE agent_id = ? AND kind IN ({marks}) "
            "ORDER BY id DESC LIMIT ?",
            (agent_id, *kinds, limit),
        )

    def count(self, agent_id: str, kind: str | None = None) -> int:
        if kind is None:
            rows = self.read("SELECT COUNT(*) FROM memories WHERE agent_id = ?", (agent_id,))
        else:
            rows = self.read(
                "SELECT COUNT(*) FROM memories WHERE agent_id = ? AND kind = ?", (agent_id, kind)
            )
        return int(rows[0][0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _create_schema(conn: sqlite3.Connection) -> None:
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
