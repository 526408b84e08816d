"""Run a callable with a deadline without keeping the process alive after it is abandoned."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class CallTimedOut(Exception):
    """The call did not finish before its deadline (it may still be running in the background)."""


class _Outcome(Generic[T]):
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: T | None = None
        self.error: BaseException | None = None


def call_with_timeout(fn: Callable[[], T], timeout: float | None) -> T:
    """Call `fn`; with a timeout, in a daemon thread that carries the caller's context.

    Python cannot kill a thread: a call that overruns is abandoned, and being a daemon it
    does not keep the interpreter from exiting.
    """
    if timeout is None:
        return fn()
    if timeout <= 0:
        raise CallTimedOut("no time left")
    outcome: _Outcome[T] = _Outcome()
    context = contextvars.copy_context()

    def target() -> None:
        try:
            outcome.value = context.run(fn)
        except BaseException as exc:  # handed to the waiting thread, re-raised there
            outcome.error = exc
        finally:
            outcome.done.set()

    threading.Thread(target=target, name="superoptix-call", daemon=True).start()
    if not outcome.done.wait(timeout):
        raise CallTimedOut(f"did not finish within {timeout:.3g}s")
    if outcome.error is not None:
        raise outcome.error
    return outcome.value  # type: ignore[return-value]
