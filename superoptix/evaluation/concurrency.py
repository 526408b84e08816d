"""Run a function over items on a thread pool that carries the caller's context (DSPy settings)."""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_in_threads(
    fn: Callable[[T], R], items: Sequence[T], workers: int, on_done: Callable[[R], None] | None = None
) -> list[R]:
    """Results in input order; `on_done` is called in the calling thread as each one finishes."""
    if workers <= 1 or len(items) <= 1:
        results = []
        for item in items:
            results.append(fn(item))
            if on_done is not None:
                on_done(results[-1])
        return results
    pool = ThreadPoolExecutor(max_workers=min(workers, len(items)), thread_name_prefix="superoptix-eval")
    try:
        # One context copy per task: a Context cannot be entered by two threads at once.
        futures = {pool.submit(contextvars.copy_context().run, fn, item): i for i, item in enumerate(items)}
        done: dict[int, R] = {}
        for future in as_completed(futures):
            done[futures[future]] = future.result()
            if on_done is not None:
                on_done(done[futures[future]])
        return [done[i] for i in range(len(items))]
    finally:
        # On Ctrl-C or an error, do not wait for queued examples.
        pool.shutdown(wait=False, cancel_futures=True)
