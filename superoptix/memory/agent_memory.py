"""AgentMemory: facts and past interactions of one agent, persistent by default."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from superoptix.errors import InvalidInputError
from superoptix.memory.paths import default_memory_path
from superoptix.memory.ranking import rank
from superoptix.memory.store import MemoryStore

KINDS = ("fact", "interaction")
CONFIG_KEYS = {"enabled", "path", "in_memory", "max_items", "max_chars"}
MAX_CANDIDATES = 5000  # newest interactions considered by recall(); older ones are never ranked
MAX_FACTS = 50_000  # explicit facts are all candidates, up to this many


@dataclass(frozen=True)
class MemoryItem:
    id: int
    kind: str
    text: str
    created_at: float
    score: float = 0.0
    query: str | None = None
    output: Any = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "text": self.text, "score": round(self.score, 4)}


@dataclass(frozen=True)
class MemoryContext:
    """The memories chosen for one query and their rendering as prompt text."""

    items: list[MemoryItem]
    text: str


def _item(row: Sequence[Any], score: float = 0.0) -> MemoryItem:
    id_, kind, text, query, output, metadata, created_at = row
    return MemoryItem(
        id=int(id_), kind=kind, text=text, created_at=float(created_at), score=score, query=query,
        output=None if output is None else json.loads(output), metadata=json.loads(metadata or "{}"),
    )


class AgentMemory:
    """Memories of one agent id: explicit facts (`remember`) and interactions (`add_interaction`).

    Stored in SQLite at `path` (default `<data dir>/memory.sqlite3`, created owner-only), or in
    this process only with `in_memory=True`. Many agents may share a file; each sees only its
    own rows. `max_items` and `max_chars` bound the context window built by `context()`.
    """

    def __init__(
        self,
        agent_id: str,
        path: str | os.PathLike[str] | None = None,
        in_memory: bool = False,
        max_items: int = 5,
        max_chars: int = 2000,
        data_dir: str | os.PathLike[str] | None = None,
        recency_weight: float = 0.2,
    ):
        if not isinstance(agent_id, str) or not agent_id.strip():
            raise InvalidInputError("AgentMemory: agent_id must be a non-empty string")
        for name, value in (("max_items", max_items), ("max_chars", max_chars)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidInputError(f"AgentMemory: {name} must be a positive integer, got {value!r}")
        if not 0.0 <= recency_weight <= 1.0:
            raise InvalidInputError("AgentMemory: recency_weight must be between 0 and 1")
        if in_memory and path is not None:
            raise InvalidInputError("AgentMemory: give either path or in_memory=True, not both")
        self.agent_id = agent_id
        self.max_items = max_items
        self.max_chars = max_chars
        self.recency_weight = recency_weight
        self.path = None if in_memory else Path(path).expanduser() if path else default_memory_path(data_dir)
        self._store = MemoryStore(self.path)

    @classmethod
    def for_runner(cls, runner: Any, **kwargs: Any) -> AgentMemory:
        """Memory of a runner's agent, under the runner's `data_dir` unless a path is given."""
        kwargs.setdefault("data_dir", runner.config.get("data_dir"))
        return cls(runner.agent_name, **kwargs)

    @classmethod
    def from_config(
        cls,
        agent_id: str,
        mapping: Mapping[str, Any] | bool | None,
        base_dir: str | os.PathLike[str] | None = None,
        data_dir: str | os.PathLike[str] | None = None,
    ) -> AgentMemory | None:
        """Build from a YAML `memory:` value; None when it is absent, false, or `enabled: false`.

        A relative `path` is taken relative to `base_dir` (the YAML file's directory).
        """
        if mapping is None or mapping is False:
            return None
        config: Mapping[str, Any] = {} if mapping is True else mapping
        if not isinstance(config, Mapping):
            raise InvalidInputError(f"memory: expected a mapping or true/false, got {type(mapping).__name__}")
        unknown = sorted(set(config) - CONFIG_KEYS)
        if unknown:
            raise InvalidInputError(
                f"memory: unknown key {unknown[0]!r}; known keys are {', '.join(sorted(CONFIG_KEYS))}"
            )
        if not config.get("enabled", True):
            return None
        path = config.get("path")
        if path is not None:
            if not isinstance(path, str) or not path:
                raise InvalidInputError("memory > path: expected a file path string")
            path = Path(path).expanduser()
            if not path.is_absolute() and base_dir is not None:
                path = Path(base_dir) / path
        kwargs = {k: config[k] for k in ("max_items", "max_chars") if k in config}
        return cls(agent_id, path=path, in_memory=bool(config.get("in_memory", False)),
                   data_dir=data_dir, **kwargs)

    # ----------------------------------------------------------------- writing
    def remember(self, text: str, metadata: Mapping[str, Any] | None = None) -> int:
        """Store a fact; returns its id."""
        if not isinstance(text, str) or not text.strip():
            raise InvalidInputError("remember: text must be a non-empty string")
        return self._store.insert(self.agent_id, "fact", text.strip(), metadata)

    def add_interaction(
        self, query: str, output: Any, metadata: Mapping[str, Any] | None = None
    ) -> int:
        """Store one query and the agent's output; returns its id."""
        shown = output if isinstance(output, str) else json.dumps(output, default=str, ensure_ascii=False)
        return self._store.insert(
            self.agent_id, "interaction", f"Q: {query}\nA: {shown}", metadata, query=query, output=output
        )

    def forget(self, memory_id: int) -> bool:
        """Delete one memory of this agent; False if this agent has no memory with that id."""
        return self._store.delete(self.agent_id, int(memory_id)) > 0

    def clear(self) -> int:
        """Delete every memory of this agent (others' are untouched); returns how many."""
        return self._store.delete(self.agent_id)

    # ----------------------------------------------------------------- reading
    def recall(self, query: str, k: int = 5, kinds: Sequence[str] = KINDS) -> list[MemoryItem]:
        """The `k` memories most relevant to `query` (lexical BM25, blended with recency)."""
        kinds = self._check_kinds(kinds)
        others = tuple(k for k in kinds if k != "fact")
        rows = self._store.newest(self.agent_id, others, MAX_CANDIDATES) if others else []
        if "fact" in kinds:  # facts were asked to be remembered: every one stays a candidate
            facts = self._store.newest(self.agent_id, ("fact",), MAX_FACTS)
            rows = sorted([*rows, *facts], key=lambda row: row[0], reverse=True)
        ranked = rank(query, [row[2] for row in rows], self.recency_weight)
        return [_item(rows[i], score) for i, score in ranked[: max(0, k)]]

    def recent(self, n: int = 5, kinds: Sequence[str] = KINDS) -> list[MemoryItem]:
        """The `n` newest memories, newest first."""
        return [_item(row) for row in self._store.newest(self.agent_id, self._check_kinds(kinds), max(0, n))]

    def interactions(self, n: int = 100) -> list[MemoryItem]:
        return self.recent(n, kinds=("interaction",))

    def facts(self, n: int = 100) -> list[MemoryItem]:
        return self.recent(n, kinds=("fact",))

    def count(self, kind: str | None = None) -> int:
        if kind is not None:
            self._check_kinds([kind])
        return self._store.count(self.agent_id, kind)

    def context(self, query: str) -> MemoryContext:
        """Up to `max_items` memories for `query`, within `max_chars` of text.

        The most relevant come first; free slots go to the most recent interactions.
        """
        chosen = self.recall(query, self.max_items)
        if len(chosen) < self.max_items:
            seen = {item.id for item in chosen}
            chosen += [m for m in self.interactions(self.max_items) if m.id not in seen]
        lines: list[str] = []
        used: list[MemoryItem] = []
        size = 0
        for item in chosen[: self.max_items]:
            line = f"- {item.text}".replace("\n", " | ")
            if size + len(line) + 1 > self.max_chars:
                room = self.max_chars - size - 1
                if used or room < 20:
                    break
                line = line[: room - 3] + "..."
            lines.append(line)
            used.append(item)
            size += len(line) + 1
        return MemoryContext(used, "\n".join(lines))

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> AgentMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = "in memory" if self.path is None else str(self.path)
        return f"AgentMemory(agent_id={self.agent_id!r}, {where})"

    @staticmethod
    def _check_kinds(kinds: Sequence[str]) -> tuple[str, ...]:
        bad = [k for k in kinds if k not in KINDS]
        if bad or not kinds:
            raise InvalidInputError(f"memory kinds must be among {KINDS}, got {list(kinds)}")
        return tuple(kinds)
