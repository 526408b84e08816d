"""Fixture plugin metric, found by superoptix through the `superoptix.metrics` entry point."""

from __future__ import annotations

from typing import Any


def _text(obj: Any, name: str) -> str:
    value = obj.get(name) if hasattr(obj, "get") else getattr(obj, name, None)
    return "" if value is None else str(value)


def length_ratio(example: Any, prediction: Any, trace: Any = None) -> float:
    """How close the answer's length is to the expected one: min(len) / max(len), per label, averaged."""
    labels = list(example.labels().keys()) if hasattr(example, "labels") else list(example)
    ratios = []
    for name in labels:
        want, got = len(_text(example, name)), len(_text(prediction, name))
        ratios.append(1.0 if want == got else min(want, got) / max(want, got))
    return sum(ratios) / len(ratios) if ratios else 0.0
