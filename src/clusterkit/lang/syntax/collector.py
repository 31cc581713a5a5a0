"""Pausing Python's cyclic garbage collector while syntax trees are built and checked.

Parsing a large rule file allocates hundreds of thousands of small objects that all
stay alive. The collector, started every few hundred allocations, would scan the
growing tree again and again for nothing: a syntax tree being built is not garbage.
So the collector is paused around the work and restored afterwards, also when the work
raises. Pauses nest and may overlap across threads: the first to start disables the
collector (if it was enabled), the last to end enables it again; a program that had
turned the collector off itself finds it off afterwards.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


class _Pauses:
    """How many pauses are under way, and whether to enable the collector after."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.restore = False

    def start(self) -> None:
        with self.lock:
            if self.count == 0:
                self.restore = gc.isenabled()
                gc.disable()
            self.count += 1

    def end(self) -> None:
        with self.lock:
            self.count -= 1
            if self.count == 0 and self.restore:
                gc.enable()


_PAUSES = _Pauses()


@contextmanager
def paused_gc() -> Iterator[None]:
    """Run the ``with`` body with the cyclic garbage collector disabled."""
    _PAUSES.start()
    try:
        yield
    finally:
        _PAUSES.end()
