"""call_with_timeout: results, errors, deadlines, and reused daemon workers."""

from __future__ import annotations

import contextvars
import threading
import time

import pytest

from superoptix.runners.timeouts import CallTimedOut, call_with_timeout

marker: contextvars.ContextVar[str] = contextvars.ContextVar("marker", default="unset")


def test_value_error_and_context_cross_the_thread():
    marker.set("from caller")
    assert call_with_timeout(lambda: marker.get(), 5) == "from caller"
    with pytest.raises(ZeroDivisionError):
        call_with_timeout(lambda: 1 / 0, 5)


def test_deadline_and_no_time_left():
    release = threading.Event()
    with pytest.raises(CallTimedOut):
        call_with_timeout(lambda: release.wait(10), 0.1)
    release.set()
    with pytest.raises(CallTimedOut):
        call_with_timeout(lambda: 1, 0)


def test_workers_are_reused_and_are_daemons():
    call_with_timeout(lambda: None, 5)
    time.sleep(0.05)  # let the worker park itself
    before = threading.active_count()
    daemons = []
    for _ in range(200):
        daemons.append(call_with_timeout(lambda: threading.current_thread().daemon, 5))
    time.sleep(0.05)
    assert all(daemons) and threading.active_count() <= before + 1
