"""Run a callable with a deadline without keeping the process alive after it is abandoned."""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_IDLE_WORKERS = 32


class CallTimedOut(Exception):
    """The call did not finish before its deadline (it may still be running in the background)."""


class _Outcome(Generic[T]):
    def __init__(self) -> None:
        self.done = threading.Lock()  # held until the call finishes: cheaper to wait on than an Event
        self.done.acquire()
        self.value: T | None = None
        self.error: BaseException | None = None


class _DaemonWorkers:
    """Reusable daemon threads: starting a thread per call cost ~230 µs.

    Python cannot kill a thread, so a call that overruns keeps its worker until it returns; being
    a daemon, that worker never keeps the interpreter from exiting. Idle workers are reused.
    """

    def __init__(self) -> None:
        self._idle: list[queue.SimpleQueue[Callable[[], None] | None]] = []
        self._lock = threading.Lock()

    def submit(self, task: Callable[[], None]) -> None:
        with self._lock:
            inbox = self._idle.pop() if self._idle else None
        if inbox is None:
            inbox = queue.SimpleQueue()
            threading.Thread(target=self._work, args=(inbox,), name="superoptix-call", daemon=True).start()
        inbox.put(task)

    def _work(self, inbox: queue.SimpleQueue[Callable[[], None] | None]) -> None:
        while True:
            task = inbox.get()
            if task is None:
                return
            task()
            with self._lock:
                if len(self._idle) >= MAX_IDLE_WORKERS:
                    return
                self._idle.append(inbox)


_workers = _DaemonWorkers()


def call_with_timeout(fn: Callable[[], T], timeout: float | None) -> T:
    """Call `fn`; with a timeout, on a daemon worker that carries the caller's context."""
    if timeout is None:
        return fn()
    if timeout <= 0:
        raise CallTimedOut("no time left")
    outcome: _Outcome[T] = _Outcome()
    context = contextvars.copy_context()

    def task() -> None:
        try:
            outcome.value = context.run(fn)
        except BaseException as exc:  # handed to the waiting thread, re-raised there
            outcome.error = exc
        finally:
            outcome.done.release()

    _workers.submit(task)
    if not outcome.done.acquire(timeout=timeout):
        raise CallTimedOut(f"did not finish within {timeout:.3g}s")
    if outcome.error is not None:
        raise outcome.error
    return outcome.value  # type: ignore[return-value]
