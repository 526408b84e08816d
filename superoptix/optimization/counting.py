"""Count language-model calls made under a DSPy context (worker threads included)."""

from __future__ import annotations

import threading
from typing import Any

from dspy.utils.callback import BaseCallback


class LMCallCounter(BaseCallback):
    """Pass in `dspy.context(callbacks=[counter])`; DSPy copies it to its parallel workers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls = 0

    def on_lm_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        with self._lock:
            self.calls += 1
