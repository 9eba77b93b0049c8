"""Keeping CPython's cyclic garbage collector away from the loaded ledger, and the long-running app steady.

A large ledger is hundreds of thousands of long-lived objects (the parsed journal, the folded notes).
CPython's full collections scan every one of them, every second or two of use: at 5,000 tasks x 20
notes that stalled the app for 200-300 ms at a random keypress (benchmarks/pty_bench.py). None of
these objects form reference cycles, so the collector has nothing to find among them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["bulk_load", "collect_garbage", "collect_rarely", "exempt_from_gc", "keep_large_blocks_apart"]


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

    Call once what was loaded is in place; cyclic garbage alive at this moment is kept, and so is
    anything frozen that later becomes cyclic garbage (e.g. the tree's first nodes once it is rebuilt):
    which is why this is done once after a load, never on every change.
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


def collect_garbage() -> None:
    """One full collection, now: over what is not exempt (the loaded ledger is), tens of milliseconds.

    For the long-running app, at a quiet moment after others' changes: each leaves cyclic garbage
    (expired toasts, replaced render caches) that outlives the rare full collections `collect_rarely`
    allows; left to them, the garbage of a thousand changes or so piled up between two of them.
    """
    gc.collect()


_OLD_GENERATION_THRESHOLD = 100  # CPython's default is 10


def keep_large_blocks_apart() -> None:
    """Large blocks (a shard's bytes, the table of its events) straight from the system and back to it.

    glibc does so for blocks over 128 KB until the first one is freed; it then raises that threshold and
    serves the next ones from its heap, where what is freed between longer-lived blocks is never given
    back. A session re-reads this month's shard after every change anyone makes: its heap grew by about
    1 KB per change. Fixing glibc's M_MMAP_THRESHOLD (as MALLOC_MMAP_THRESHOLD_ would) keeps it steady;
    elsewhere this does nothing.
    """
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, _LARGE_BLOCK_BYTES)


_M_MMAP_THRESHOLD = -3  # glibc's malloc.h
_LARGE_BLOCK_BYTES = 128 * 1024  # glibc's default before it starts moving it
