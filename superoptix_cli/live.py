"""A live Rich table of an orchestra run: one row per step (named by its agent), updated from events."""

from __future__ import annotations

import threading
import time
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

STYLES = {"pending": "dim", "running": "yellow", "success": "green", "error": "red",
          "timeout": "red", "not_run": "dim", "retrying": "yellow"}


class StatusBoard:
    """Collects step events (thread-safe) and renders them as a table."""

    def __init__(self, title: str, planned: list[tuple[str, str]]):
        self.title = title
        self._lock = threading.Lock()
        self._rows: dict[str, dict[str, Any]] = {
            step: {"agent": agent, "status": "pending", "attempts": 0, "started": None,
                   "duration": None, "excerpt": ""}
            for step, agent in planned
        }
        self._state = "starting"

    def on_event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        with self._lock:
            if kind in ("paused", "stopped"):
                self._state = kind
            elif kind in ("resumed", "workflow_started"):
                self._state = "running"
            if kind not in ("step_started", "step_finished"):
                return
            row = self._rows.setdefault(event["step"], {"agent": event.get("agent"), "status": "pending",
                                                        "attempts": 0, "started": None, "duration": None,
                                                        "excerpt": ""})
            row["attempts"] = event.get("attempt", row["attempts"])
            if kind == "step_started":
                row["status"], row["started"] = "running", time.perf_counter()
            else:
                row["status"] = event.get("status", "error")
                row["duration"] = event.get("duration_s")
                error = event.get("error") or {}
                row["excerpt"] = event.get("excerpt") or (error.get("message") if error else "")

    def finish(self, result: dict[str, Any]) -> None:
        with self._lock:
            for step in result.get("not_run", []):
                if step in self._rows:
                    self._rows[step]["status"] = "not_run"
            self._state = result.get("status", "done")

    def __rich__(self) -> Group:
        table = Table(title=Text(f"{self.title} — {self._state}"), expand=True)
        with self._lock:
            widest = max((len(step) for step in self._rows), default=5)
        table.add_column("agent", no_wrap=True, min_width=min(widest, 30))
        for column in ("status", "attempts", "duration"):
            table.add_column(column, no_wrap=True)
        table.add_column("last output", overflow="ellipsis", no_wrap=True, ratio=1)
        with self._lock:
            rows = [(step, dict(row)) for step, row in self._rows.items()]
        for step, row in rows:
            duration = row["duration"]
            if duration is None and row["started"] is not None:
                duration = time.perf_counter() - row["started"]
            table.add_row(
                step, Text(row["status"], style=STYLES.get(row["status"], "")),
                str(row["attempts"]), "" if duration is None else f"{duration:.2f}s",
                (row["excerpt"] or "")[:80],
            )
        return Group(table)
