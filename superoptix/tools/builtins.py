"""Built-in tools that need no network: date/time, JSON lookup, text statistics."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from superoptix.tools.base import BaseTool, ToolError

_PATH_PART = re.compile(r"\.?([^.\[\]]+)|\[(\d+|-\d+)\]|\[['\"]([^'\"]+)['\"]\]")


class DateTimeTool(BaseTool):
    """The current date and time in a time zone (IANA name, e.g. 'Europe/Paris'; default UTC)."""

    name = "current_datetime"

    def run(self, timezone: str = "UTC") -> dict[str, str]:
        """Return the current date, time and weekday."""
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ToolError(f"unknown time zone {timezone!r}; use an IANA name like 'Europe/Paris'") from exc
        now = datetime.now(zone)
        return {
            "iso": now.isoformat(timespec="seconds"),
            "date": now.date().isoformat(),
            "time": now.strftime("%H:%M:%S"),
            "weekday": now.strftime("%A"),
            "timezone": timezone,
        }


def split_path(path: str) -> list[str | int]:
    """`$.a.b[0]`, `a.b.0` or `a["b c"]` -> ['a', 'b', 0]."""
    text = path.strip()
    text = text[1:] if text.startswith("$") else text
    parts: list[str | int] = []
    pos = 0
    while pos < len(text):
        match = _PATH_PART.match(text, pos)
        if match is None or match.end() == pos:
            raise ToolError(f"bad path {path!r} at position {pos}")
        key, index, quoted = match.groups()
        if index is not None:
            parts.append(int(index))
        else:
            parts.append(quoted if quoted is not None else key)
        pos = match.end()
    return parts


def lookup(document: Any, parts: list[str | int]) -> Any:
    node = document
    for depth, part in enumerate(parts):
        where = "".join(f"[{p!r}]" for p in parts[:depth]) or "$"
        if isinstance(node, list):
            index = int(part) if isinstance(part, int) or str(part).lstrip("-").isdigit() else None
            if index is None or not -len(node) <= index < len(node):
                raise ToolError(f"{where} is a list of {len(node)} items; no index {part!r}")
            node = node[index]
        elif isinstance(node, dict):
            if str(part) not in node:
                keys = ", ".join(list(map(str, node))[:20])
                raise ToolError(f"{where} has no key {str(part)!r} (keys: {keys})")
            node = node[str(part)]
        else:
            raise ToolError(f"{where} is a {type(node).__name__}, not an object or list")
    return node


class JSONLookupTool(BaseTool):
    """Look up a value in a JSON document by path, e.g. '$.items[0].name' or 'items.0.name'."""

    name = "json_lookup"
    max_document_chars = 1_000_000

    def run(self, data: str, path: str) -> Any:
        """Parse `data` as JSON and return the value at `path`."""
        if len(data) > self.max_document_chars:
            raise ToolError(f"JSON document too large (limit {self.max_document_chars} characters)")
        try:
            document = json.loads(data)
        except json.JSONDecodeError as exc:
            raise ToolError(f"data is not valid JSON: {exc}") from exc
        return lookup(document, split_path(path))


class TextStatsTool(BaseTool):
    """Count characters, words, lines and sentences of a text, and its most frequent words."""

    name = "text_stats"

    def run(self, text: str, top: int = 5) -> dict[str, Any]:
        """Return statistics about `text`."""
        words = re.findall(r"[^\W_]+(?:['-][^\W_]+)*", text)
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
        counts = Counter(w.lower() for w in words)
        return {
            "characters": len(text),
            "words": len(words),
            "lines": len(text.splitlines()) if text else 0,
            "sentences": len(sentences),
            "average_word_length": round(sum(map(len, words)) / len(words), 2) if words else 0.0,
            "top_words": [[w, n] for w, n in counts.most_common(max(0, min(top, 50)))],
        }
