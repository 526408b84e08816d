"""Pause, resume and stop: a gate every step passes before it starts."""

from __future__ import annotations

import threading


class RunControl:
    """Steps call `wait_to_start()`; it blocks while paused and returns False once stopped.

    A step already running always finishes; only new steps are held or refused.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._paused = False
        self._stopped = False

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def stopped(self) -> bool:
        return self._stopped

    def pause(self) -> None:
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._cond.notify_all()

    def stop(self) -> None:
        """Stop also ends a pause, so a later run does not start out paused."""
        with self._cond:
            self._stopped = True
            self._paused = False
            self._cond.notify_all()

    def clear_stop(self) -> None:
        with self._cond:
            self._stopped = False

    def wait_to_start(self, timeout: float | None = None) -> bool:
        """True when a step may start now; False when stopped (or the timeout passed while paused)."""
        with self._cond:
            self._cond.wait_for(lambda: self._stopped or not self._paused, timeout)
            return not self._stopped and not self._paused
