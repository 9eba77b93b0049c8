"""Keeping CPython's cyclic garbage collector away from the loaded ledger.

A large ledger is hundreds of thousands of long-lived objects (the parsed journal, the folded notes).
CPython's full collections scan every one of them, every second or two of use: at 5,000 tasks x 20
notes that stalled the app for 200-300 ms at a random keypress (benchmarks/pty_bench.py). None of
these objects form reference cycles, so the collector has nothing to find among them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["bulk_load", "collect_rarely", "exempt_from_gc"]


@contextmanager
def bulk_load() -> Iterator[None]:
    """No collections while a large ledger is read: they would only rescan what is being built."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def exempt_from_gc() -> None:
    """Exempt everything alive now from later collections (it is still freed when no longer used).

    Call once what was loaded is in place; cyclic garbage alive at this moment is kept, which is why
    this is done after a load, not on every change.
    """
    gc.freeze()


def collect_rarely() -> None:
    """Full collections ten times rarer than CPython's default (for the long-running app only).

    Textual keeps tens of thousands of render-cache objects alive; a full collection over them takes
    30-50 ms on the district server's class of machine, and at the default rate one ran every half
    second of typing, so one keypress in fifteen waited for it. Young objects are still collected
    as often as before, so short-lived cycles are freed promptly.
    """
    young, middle, _old = gc.get_threshold()
    gc.set_threshold(young, middle, _OLD_GENERATION_THRESHOLD)


_OLD_GENERATION_THRESHOLD = 100  # CPython's default is 10
